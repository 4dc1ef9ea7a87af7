// Where the time of one deposit goes, measured in-process in the same run so the
// parts can be compared with the whole. Prints one tab-separated line per measurement:
//   key  what  ops  us_per_op  share_of_deposit_percent
// The share is us_per_op divided by the full durable deposit's us_per_op ("deposit"),
// so parts of the deposit add up to roughly 100 % and the rest is SQL, hashing and copies.
// Lines whose key starts with "ref_" are references (not part of a deposit).
//
// Usage: registry_bench --dir DIR [--seconds S]      (S seconds per measurement, default 2)
//        registry_bench --write-pdf FILE             (writes the small sample attachment and exits)
//        registry_bench --dir DIR --only KEY         (one measurement, e.g. under perf or callgrind)
#include "core/random.hpp"
#include "identity/service.hpp"
#include "receipt/render.hpp"
#include "registry/attachments.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "storage/migrations.hpp"
#include "trust/key_store.hpp"
#include "trust/pades.hpp"
#include "trust/qr.hpp"

#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace idara;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "registry_bench: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().code + " " + r.error().detail);
    return std::move(*r);
}

// A small valid one-page PDF (correct cross-reference table), about 1.5 KB; `marker`
// makes each file distinct (the blob store keeps one copy of identical bytes).
std::string sample_pdf(const std::string& marker) {
    std::string text = "BT /F1 14 Tf 72 780 Td (Demande d'attestation administrative - " + marker + ") Tj ET\n";
    for (int i = 0; i < 10; ++i)
        text += "BT /F1 10 Tf 72 " + std::to_string(740 - 16 * i) +
                " Td (Ligne " + std::to_string(i + 1) + " : objet de la demande, pieces jointes, coordonnees.) Tj ET\n";
    std::vector<std::string> objs = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        "<< /Length " + std::to_string(text.size()) + " >>\nstream\n" + text + "endstream",
    };
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objs.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
    for (auto off : offsets) {
        char line[24];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

// Runs op(i) on this thread for about `secs` (at least 3 times); returns microseconds per op.
struct Timing {
    long ops;
    double us;
};
Timing time_op(double secs, const std::function<void(long)>& op) {
    op(-1);  // warm-up: first use loads fonts, keys, statement caches
    const auto t0 = Steady::now();
    long n = 0;
    double elapsed = 0;
    while (n < 3 || elapsed < secs) {
        op(n++);
        elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
    }
    return {n, elapsed * 1e6 / static_cast<double>(n)};
}

// A registry office on its own SQLite database: MEF with its registry office, one citizen.
struct Office {
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<identity::Service> ids;
    std::unique_ptr<trust::KeyStore> keys;
    std::unique_ptr<registry::DepositService> svc;
    identity::Principal citizen;
    std::int64_t mef = 0;

    Office(const fs::path& dir, bool durable) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        db = must(storage::open_sqlite({.path = (dir / "idara.db").string(), .synchronous_full = durable}), "open_sqlite");
        must(storage::migrate(*db), "migrate");
        blobs = storage::make_file_blob_store(dir / "files");
        identity::ServiceOptions o;
        o.hash_limits = identity::HashLimits::minimum();
        ids = std::make_unique<identity::Service>(*db, o);
        mef = must(ids->create_administration({"MEF", "وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances",
                                               "bureau.ordre@mef.gov.ma"}),
                   "create_administration");
        must(ids->create_unit(identity::TenantScope::trusted(mef), {"BO", "مكتب الضبط", "Bureau d'ordre", {}}), "create_unit");
        identity::NewAccount a;
        a.kind = identity::AccountKind::citizen;
        a.login = "amina@example.ma";
        a.display_name = "أمينة المنصوري";
        a.password = "a-long-enough-passphrase";
        citizen = must(ids->principal_of(must(ids->create_account(a), "create_account")), "principal_of");
        keys = std::make_unique<trust::KeyStore>(*db, trust::random_master_key());
        registry::DepositOptions d;
        d.public_url = "https://idara.example.ma";
        svc = std::make_unique<registry::DepositService>(*db, *blobs, *keys, *ids, d);
    }

    registry::NewDeposit letter(long i) const {
        registry::NewDeposit d;
        d.channel = registry::Channel::portal;
        d.administration_code = "MEF";
        d.type_code = "letter";
        d.subject = "طلب شهادة إدارية — demande d'attestation n° " + std::to_string(i);
        d.body = "السلام عليكم،\nأطلب منكم تسليمي شهادة إدارية.\nMerci de me délivrer une attestation administrative.";
        d.files.push_back({"demande.pdf", sample_pdf("bench " + std::to_string(i))});
        return d;
    }

    std::shared_ptr<const trust::SealKeys> seal_keys() {
        return must(db->read<std::shared_ptr<const trust::SealKeys>>(
                        [&](storage::Tx& tx) { return keys->keys_for(tx, mef); }),
                    "keys_for");
    }
};

// What a receipt of a one-attachment portal deposit says (as deposit_receipt.cpp fills it).
receipt::ReceiptContent content(const std::string& qr_url) {
    receipt::ReceiptContent c;
    c.register_number = "MEF-2026-000123";
    c.tracking_code = "K7QX-M3PA";
    c.registered_at = {"14 ماي 2026، 09:30", "14 mai 2026 à 09:30"};
    c.administration = {"وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances"};
    c.unit = {"مكتب الضبط", "Bureau d'ordre"};
    c.contact = "bureau.ordre@mef.gov.ma";
    c.depositor = "أمينة المنصوري";
    c.subject = "طلب شهادة إدارية — demande d'attestation administrative";
    c.type = {"رسالة", "Lettre"};
    c.attachments = {{"demande.pdf", std::string(64, 'a')}};
    c.deadline = {"60 يوما، إلى غاية 13 يوليوز 2026", "60 jours, jusqu'au 13 juillet 2026"};
    c.silence_regime = {"سكوت الإدارة بعد انقضاء الأجل لا يعني الموافقة.",
                        "Le silence de l'administration à l'échéance ne vaut pas acceptation."};
    c.appeal = {"يمكن الطعن لدى اللجنة الوطنية لتبسيط المساطر والإجراءات الإدارية.",
                "Recours possible auprès de la Commission nationale de simplification des procédures."};
    c.qr_payload = qr_url;
    return c;
}

// The raw CMS signature (same flags as PAdES sealing) over `content`, DER.
std::string cms_sign(const std::string& content, const trust::SigningIdentity& id) {
    BIO* in = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, nullptr, nullptr, flags);
    std::string der;
    if (cms && CMS_add1_signer(cms, id.cert.get(), id.key.get(), EVP_sha256(), flags | CMS_CADES) &&
        CMS_final(cms, in, nullptr, flags) == 1) {
        unsigned char* out = nullptr;
        const int n = i2d_CMS_ContentInfo(cms, &out);
        if (n > 0) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        OPENSSL_free(out);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    if (der.empty()) die("CMS signing failed");
    return der;
}

// What FileBlobStore::put does to the disk for a new blob: write a temporary file,
// fsync it, rename it, fsync the directory.
void durable_file(const fs::path& dir, long i, const std::string& bytes) {
    const fs::path sub = dir / std::to_string(i % 256);
    fs::create_directories(sub);
    const fs::path tmp = sub / ("f" + std::to_string(i) + ".tmp"), file = sub / ("f" + std::to_string(i));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) || ::fsync(fd) != 0)
        die("durable write");
    ::close(fd);
    fs::rename(tmp, file);
    int d = ::open(sub.c_str(), O_RDONLY | O_DIRECTORY);
    if (d < 0 || ::fsync(d) != 0) die("directory fsync");
    ::close(d);
}

struct Line {
    std::string key, what;
    Timing t;
};

}  // namespace

int main(int argc, char** argv) {
    std::string dir_arg, only;
    double secs = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
        else if (!std::strcmp(argv[i], "--seconds")) secs = std::stod(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
        else if (!std::strcmp(argv[i], "--write-pdf")) {
            std::ofstream(argv[i + 1], std::ios::binary) << sample_pdf("curl");
            return 0;
        }
    }
    if (dir_arg.empty()) {
        std::fprintf(stderr, "usage: registry_bench --dir DIR [--seconds S] | --write-pdf FILE\n");
        return 2;
    }
    const fs::path dir = dir_arg;
    std::vector<Line> lines;
    auto measure = [&](const std::string& key, const std::string& what, const std::function<void(long)>& op) {
        if (only.empty() || only == key) lines.push_back({key, what, time_op(secs, op)});
    };

    // (d) the whole deposit, durable and not: the difference is SQLite's commit fsync.
    Office durable(dir / "durable", true);
    long n = 0;
    measure("deposit", "full deposit (SQLite synchronous=FULL, files fsync'd)",
            [&](long) { must(durable.svc->deposit(durable.citizen, durable.letter(n++)), "deposit"); });
    if (only.empty() || only == "deposit_nosync") {
        Office fast(dir / "normal", false);
        measure("deposit_nosync", "full deposit with synchronous_full=false (files still fsync'd)",
                [&](long) { must(fast.svc->deposit(fast.citizen, fast.letter(n++)), "deposit"); });
    }

    // The parts, with the durable office's real keys (made by its first deposit).
    if (only.empty() || only != "deposit")
        must(durable.svc->deposit(durable.citizen, durable.letter(n++)), "deposit");
    const auto keys = durable.seal_keys();
    const trust::QrClaims claims{"MEF-2026-000123", 1778751000000, std::string(64, 'c'), keys->kid};
    std::string qr_payload = trust::sign_qr(claims, keys->ed25519_sk);
    const auto c = content(trust::qr_url("https://idara.example.ma", qr_payload));
    std::string pdf = must(receipt::render_pdf(c), "render_pdf");
    trust::SealOptions so;
    so.reason = "Deposit receipt MEF-2026-000123";
    so.location = "Morocco";
    std::string sealed = must(trust::seal_pdf(pdf, keys->identity, so), "seal_pdf");
    const std::string attachment = sample_pdf("check");
    const std::string buf(100 * 1024, 'x');
    registry::AttachmentLimits limits;
    fs::create_directories(dir / "fsync");
    long f = 0;

    measure("render", "receipt layout + PDF render (receipt::render_pdf, " + std::to_string(pdf.size() / 1024) + " KB)",
            [&](long) { pdf = must(receipt::render_pdf(c), "render_pdf"); });
    receipt::ReceiptContent small_qr = c;
    small_qr.qr_payload = "x";
    measure("ref_render_small_qr", "ref: the same render with a 1-character QR payload (21x21 modules)",
            [&](long) { must(receipt::render_pdf(small_qr), "render_pdf"); });
    measure("seal", "PAdES sealing (trust::seal_pdf: qpdf rewrite + CMS)",
            [&](long) { sealed = must(trust::seal_pdf(pdf, keys->identity, so), "seal_pdf"); });
    measure("ref_cms", "ref: raw CMS_sign, same P-256 key, 100 KB buffer", [&](long) { cms_sign(buf, keys->identity); });
    measure("ref_sha_core", "ref: random::sha256_hex (the blob store's digest) of the sealed receipt",
            [&](long) { random::sha256_hex(sealed); });
    measure("ref_sha_openssl", "ref: OpenSSL EVP SHA-256 of the sealed receipt", [&](long) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_Digest(sealed.data(), sealed.size(), md, &len, EVP_sha256(), nullptr) != 1) die("EVP_Digest");
    });
    measure("qr", "QR payload signing (trust::sign_qr, Ed25519)",
            [&](long) { qr_payload = trust::sign_qr(claims, keys->ed25519_sk); });
    measure("check", "attachment check of a " + std::to_string(attachment.size()) +
                         " B PDF (registry::check_attachment: libmagic + qpdf)",
            [&](long) { must(registry::check_attachment({"demande.pdf", attachment}, limits), "check_attachment"); });
    measure("blob_fsync", "2 new blob files (attachment + receipt): write, fsync, rename, dir fsync", [&](long) {
        durable_file(dir / "fsync", f++, attachment);
        durable_file(dir / "fsync", f++, sealed);
    });

    // Differences of two measurements of this run (single ops; noisy when the parts are small).
    auto us = [&](const char* key) -> double {
        for (const auto& l : lines)
            if (l.key == key) return l.t.us;
        return -1;
    };
    auto derive = [&](const std::string& key, const std::string& what, double v) {
        if (v > -1e8) lines.push_back({key, what, {1, v}});
    };
    if (only.empty()) {
        derive("derived_sqlite_fsync", "derived: SQLite commit fsync (deposit - deposit_nosync)",
               us("deposit") - us("deposit_nosync"));
        derive("derived_qr_paths", "derived: the QR code, a 1-bit image mask (render - small-QR render)",
               us("render") - us("ref_render_small_qr"));
        derive("derived_other", "derived: rest of a deposit (SQL, hashing, JSON of facts, copies)",
               us("deposit") - us("render") - us("seal") - us("qr") - us("check") - us("blob_fsync") -
                   (us("deposit") - us("deposit_nosync")));
    }
    const double whole = lines.front().key == "deposit" ? lines.front().t.us : 0;
    for (const auto& l : lines)
        std::printf("%s\t%s\t%ld\t%.0f\t%.0f\n", l.key.c_str(), l.what.c_str(), l.t.ops, l.t.us,
                    whole > 0 ? 100.0 * l.t.us / whole : 0.0);
    std::printf("receipt_bytes\tsealed receipt size\t1\t%zu\t0\n", sealed.size());
    return 0;
}
