#include "sign_fixture.hpp"

#include "receipt/pdf_text.hpp"
#include "shell.hpp"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <cctype>
#include <sstream>

namespace idara::trust::test {

namespace fs = std::filesystem;

namespace {

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

enum class Kind { root, ca, signer, tsa, tsa_no_eku };

X509Ptr issue(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, Kind kind) {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("MA"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("idara test"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    const bool ca = kind == Kind::root || kind == Kind::ca;
    bool ok = add_ext(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
              add_ext(cert.get(), signer, NID_key_usage,
                      ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation") &&
              add_ext(cert.get(), signer, NID_subject_key_identifier, "hash") &&
              add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (kind == Kind::tsa) ok = ok && add_ext(cert.get(), signer, NID_ext_key_usage, "critical,timeStamping");
    if (kind == Kind::tsa_no_eku) ok = ok && add_ext(cert.get(), signer, NID_ext_key_usage, "emailProtection");
    if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return nullptr;
    return cert;
}

X509Ptr dup(const X509Ptr& c) {
    X509_up_ref(c.get());
    return X509Ptr(c.get());
}

}  // namespace

TestPki make_test_pki() {
    TestPki p;
    p.root_key.reset(EVP_EC_gen("P-256"));
    p.root = issue(p.root_key.get(), "idara Test Root CA", nullptr, nullptr, Kind::root);
    p.ca_key.reset(EVP_EC_gen("P-256"));
    p.ca = issue(p.ca_key.get(), "idara Test Issuing CA", p.root.get(), p.root_key.get(), Kind::ca);
    return p;
}

SigningIdentity TestPki::signer(const std::string& cn) const {
    SigningIdentity id;
    id.key.reset(EVP_EC_gen("P-256"));
    id.cert = issue(id.key.get(), cn, ca.get(), ca_key.get(), Kind::signer);
    id.chain.push_back(dup(ca));
    return id;
}

SigningIdentity TestPki::tsa(bool eku) const {
    SigningIdentity id;
    id.key.reset(EVP_EC_gen("P-256"));
    id.cert = issue(id.key.get(), "idara Test TSA", ca.get(), ca_key.get(), eku ? Kind::tsa : Kind::tsa_no_eku);
    id.chain.push_back(dup(ca));
    return id;
}

std::string cairo_pdf(int pages) {
    using namespace receipt::pdf;
    Document doc(kA4Width, kA4Height, "Signing test");
    for (int i = 0; i < pages; ++i) {
        if (i > 0) cairo_show_page(doc.cr());
        cairo_set_source_rgb(doc.cr(), 0, 0, 0);
        block(doc.cr(), 48, 60, 500, escape("مراسلة رقم \u2066MEF-2026-000123\u2069 — الصفحة " + std::to_string(i + 1)),
              "Noto Naskh Arabic, Noto Sans 14", true);
        block(doc.cr(), 48, 100, 500, escape("Courrier n° MEF-2026-000123 — page " + std::to_string(i + 1)),
              "Noto Sans, Noto Naskh Arabic 12", false);
    }
    auto out = doc.finish();
    return out ? *out : std::string();
}

std::string xref_stream_pdf(const fs::path& scratch) {
    const fs::path in = scratch / "base-table.pdf", out = scratch / "base-xrefstream.pdf";
    testing::write_file(in, cairo_pdf());
    testing::run_command("qpdf --object-streams=generate " + in.string() + " " + out.string());
    return read_file(out);
}

Scratch::Scratch(const TestPki& pki) {
    char tmpl[] = "/tmp/idara-sign-XXXXXX";
    dir_ = mkdtemp(tmpl);
    testing::write_file(dir_ / "root.pem", to_pem(pki.root.get()));
    testing::write_file(dir_ / "chain.pem", to_pem(pki.ca.get()));
    fs::create_directories(dir_ / "nss");
    testing::run_command("certutil -N -d sql:" + (dir_ / "nss").string() + " --empty-password");
    testing::run_command("certutil -A -d sql:" + (dir_ / "nss").string() + " -n root -t C,C,C -i " +
                         (dir_ / "root.pem").string());
}

Scratch::~Scratch() {
    if (std::getenv("IDARA_TEST_KEEP_SCRATCH") != nullptr) return;  // for looking at the files by hand
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

fs::path Scratch::write(const std::string& name, const std::string& data) const {
    testing::write_file(dir_ / name, data);
    return dir_ / name;
}

std::string Scratch::pdfsig(const fs::path& file) const {
    return testing::run_command("pdfsig -nssdir sql:" + (dir_ / "nss").string() + " " + file.string());
}

std::vector<PdfsigSignature> parse_pdfsig(const std::string& out) {
    std::vector<PdfsigSignature> sigs;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Signature #", 0) == 0) {
            sigs.emplace_back();
            continue;
        }
        if (sigs.empty()) continue;
        auto& s = sigs.back();
        if (line.find("Signature Validation: Signature is Valid") != std::string::npos) s.valid = true;
        if (line.find("Certificate Validation: Certificate is Trusted") != std::string::npos) s.trusted = true;
        if (line.find("Total document signed") != std::string::npos &&
            line.find("not total document signed") == std::string::npos)
            s.total = true;
        const auto f = line.find("- Signature Field Name: ");
        if (f != std::string::npos) s.field = line.substr(f + 24);
    }
    return sigs;
}

std::vector<Embedded> embedded_signatures(const std::string& pdf) {
    std::vector<Embedded> out;
    for (std::size_t at = pdf.find("/ByteRange ["); at != std::string::npos; at = pdf.find("/ByteRange [", at + 1)) {
        std::istringstream in(pdf.substr(at + 12, 64));
        std::size_t a = 0, b = 0, c = 0, d = 0;
        in >> a >> b >> c >> d;
        if (b == 0 || c + d > pdf.size() || c <= b + 1) continue;  // the placeholder or garbage
        Embedded e;
        const std::string hex = pdf.substr(b + 1, c - b - 2);
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            e.cms += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        // Drop the zero padding after the DER (its length is in its header).
        const auto* p = reinterpret_cast<const unsigned char*>(e.cms.data());
        CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(e.cms.size()));
        if (cms != nullptr) e.cms.resize(static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(e.cms.data())));
        CMS_ContentInfo_free(cms);
        e.content = pdf.substr(a, b) + pdf.substr(c, d);
        e.total = c + d == pdf.size();
        out.push_back(std::move(e));
    }
    return out;
}

namespace {
CMS_SignerInfo* first_signer(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* sis = cms ? CMS_get0_SignerInfos(cms) : nullptr;
    return sis && sk_CMS_SignerInfo_num(sis) > 0 ? sk_CMS_SignerInfo_value(sis, 0) : nullptr;
}
CMS_ContentInfo* parse_cms(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    return d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
}
}  // namespace

std::string timestamp_token(const std::string& cms_der, std::string* signature_sha256_hex) {
    CMS_ContentInfo* cms = parse_cms(cms_der);
    CMS_SignerInfo* si = first_signer(cms);
    std::string token;
    if (si != nullptr) {
        if (signature_sha256_hex != nullptr) {
            const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
            *signature_sha256_hex = sha256_hex(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                                                           static_cast<std::size_t>(ASN1_STRING_length(sig))));
        }
        const int i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
        X509_ATTRIBUTE* attr = i >= 0 ? CMS_unsigned_get_attr(si, i) : nullptr;
        ASN1_TYPE* t = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
        if (t != nullptr && t->type == V_ASN1_SEQUENCE)
            token.assign(reinterpret_cast<const char*>(t->value.sequence->data),
                         static_cast<std::size_t>(t->value.sequence->length));
    }
    CMS_ContentInfo_free(cms);
    return token;
}

bool has_signing_time(const std::string& cms_der) {
    CMS_ContentInfo* cms = parse_cms(cms_der);
    CMS_SignerInfo* si = first_signer(cms);
    const bool has = si != nullptr && CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0;
    CMS_ContentInfo_free(cms);
    return has;
}

std::string sha256_hex(const std::string& data) {
    unsigned char md[32];
    EVP_Digest(data.data(), data.size(), md, nullptr, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : md) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

LoopbackHttp::LoopbackHttp(Handler h) : handler_(std::move(h)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

LoopbackHttp::~LoopbackHttp() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
}

void LoopbackHttp::serve() {
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        std::string req;
        char buf[4096];
        std::size_t want = std::string::npos;
        while (true) {
            const auto head_end = req.find("\r\n\r\n");
            if (head_end != std::string::npos && want == std::string::npos) {
                std::string head = req.substr(0, head_end);
                for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                const auto cl = head.find("content-length:");
                want = head_end + 4 + (cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15)));
            }
            if (want != std::string::npos && req.size() >= want) break;
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            req.append(buf, static_cast<std::size_t>(n));
        }
        ++requests_;
        const auto head_end = req.find("\r\n\r\n");
        const std::string body = head_end == std::string::npos ? std::string() : req.substr(head_end + 4);
        int status = 200;
        const std::string answer = handler_(body, status);
        const std::string resp = "HTTP/1.1 " + std::to_string(status) +
                                 " X\r\nContent-Type: application/timestamp-reply\r\nContent-Length: " +
                                 std::to_string(answer.size()) + "\r\nConnection: close\r\n\r\n" + answer;
        for (std::size_t sent = 0; sent < resp.size();) {
            const ssize_t n = ::send(c, resp.data() + sent, resp.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(c);
    }
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace idara::trust::test
