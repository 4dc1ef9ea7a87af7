// Signing throughput, measured in-process in one run so the figures compare with each other:
// PAdES B-T signatures (incremental update + CMS + built-in RFC 3161 time-stamp) and B-B,
// raw CMS signing of the same bytes with the same key (the floor a PDF signature cannot go
// below), one built-in time-stamp, and in-process verification (trust::verify_pdf).
// Prints one tab-separated line per measurement:
//   key  what  ops  us_per_op  per_second  ratio_to_raw_cms
// and a last line: pdf_bytes  receipt_bytes  signed_bytes  cms_bytes
//
// Usage: sign_bench [--seconds S]      (S seconds per measurement, default 2)
#include "core/clock.hpp"
#include "receipt/render.hpp"
#include "trust/cades.hpp"
#include "trust/keys.hpp"
#include "trust/pdf_sign.hpp"
#include "trust/pdf_verify.hpp"
#include "trust/tsa.hpp"

#include <openssl/cms.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

using namespace idara;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "sign_bench: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().code + " " + r.error().detail);
    return std::move(*r);
}

struct Measure {
    long ops = 0;
    double us = 0;
};

Measure time_it(double seconds, const std::function<void()>& op) {
    op();  // warm-up (fonts, caches)
    Measure m;
    const auto start = Steady::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    do {
        op();
        ++m.ops;
    } while (Steady::now() < until);
    m.us = std::chrono::duration<double, std::micro>(Steady::now() - start).count() / static_cast<double>(m.ops);
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[++i]);

    // A development hierarchy: root -> signer, root -> TSA (critical EKU timeStamping).
    auto root = must(trust::make_dev_root("idara bench"), "root");
    auto signer = must(trust::issue_identity(root.key.get(), root.cert.get(),
                                             {.common_name = "Bench Signer", .organisation = "idara bench"}),
                       "signer");
    auto tsa_id = must(trust::issue_identity(root.key.get(), root.cert.get(),
                                             {.common_name = "Bench TSA", .organisation = "idara bench",
                                              .ext_key_usage = "critical,timeStamping"}),
                       "tsa");
    auto tsa = trust::make_builtin_tsa(std::move(tsa_id), system_clock());
    const std::vector<std::string> anchors = {trust::to_pem(root.cert.get())};

    receipt::ReceiptContent c;
    c.register_number = "MEF-2026-000123";
    c.registered_at = {"14 ماي 2026، 10:42", "14 mai 2026 à 10:42"};
    c.administration = {"وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances"};
    c.unit = {"مكتب الضبط", "Bureau d'ordre"};
    c.depositor = "Youssef Benali";
    c.subject = "Demande d'attestation";
    c.type = {"طلب", "Demande"};
    c.qr_payload = "idara:v1:MEF-2026-000123";
    const std::string pdf = must(receipt::render_pdf(c), "render");

    trust::PdfSignRequest req;
    req.field_name = "Sig1";
    req.reason = "Approval";
    req.location = "Rabat";
    std::string signed_pdf;

    const auto raw = time_it(seconds, [&] { must(trust::sign_detached(pdf, signer, nullptr), "cms"); });
    const auto bb = time_it(seconds, [&] { must(trust::sign_pdf(pdf, signer, nullptr, req), "pades b-b"); });
    const auto bt = time_it(seconds, [&] { signed_pdf = must(trust::sign_pdf(pdf, signer, tsa.get(), req), "pades b-t"); });
    unsigned char digest[32];
    EVP_Digest(pdf.data(), pdf.size(), digest, nullptr, EVP_sha256(), nullptr);
    const auto ts = time_it(seconds, [&] { must(tsa->timestamp(std::span<const unsigned char, 32>(digest, 32)), "tsa"); });
    const auto verify = time_it(seconds, [&] {
        auto r = must(trust::verify_pdf(signed_pdf, anchors), "verify");
        if (r.signatures.size() != 1 || !r.signatures[0].valid()) die("the signed PDF does not verify");
    });

    auto line = [&](const char* key, const char* what, const Measure& m) {
        std::printf("%s\t%s\t%ld\t%.0f\t%.1f\t%.2f\n", key, what, m.ops, m.us, 1e6 / m.us, raw.us / m.us);
    };
    line("cms_raw", "raw CMS signature of the same bytes, same key (B-B, no PDF)", raw);
    line("pades_bb", "PAdES B-B signature (incremental update, no time-stamp)", bb);
    line("pades_bt", "PAdES B-T signature (incremental update + built-in RFC 3161 token)", bt);
    line("tsa", "one built-in RFC 3161 time-stamp token", ts);
    line("verify", "in-process verification of the B-T PDF (trust::verify_pdf)", verify);
    const auto report = must(trust::verify_pdf(signed_pdf, anchors), "verify");
    // /Contents is zero-padded: the DER's own length says where the CMS ends.
    const std::string& padded = report.signatures.at(0).cms_der;
    const auto* p = reinterpret_cast<const unsigned char*>(padded.data());
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(padded.size()));
    if (cms == nullptr) die("the CMS does not parse");
    CMS_ContentInfo_free(cms);
    const auto cms_bytes = static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(padded.data()));
    // Sizes: the receipt, the signed receipt, the B-T CMS (with its token) in /Contents.
    std::printf("pdf_bytes\t%zu\t%zu\t%zu\n", pdf.size(), signed_pdf.size(), cms_bytes);
    return 0;
}
