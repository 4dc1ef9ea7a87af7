// Test fixture for the signing tests: a three-level test PKI made with the OpenSSL API
// (root CA -> issuing CA -> signer and TSA certificates, the TSA one with the critical
// extended key usage timeStamping), base PDFs (a cairo/pango one, the same with a
// cross-reference stream via `qpdf --object-streams=generate`), a scratch directory with
// an NSS database trusting the root (for pdfsig), pdfsig output parsing, the CMS read back
// from a signed PDF, and a loopback HTTP time-stamp server answering with a BuiltinTsa.
#pragma once

#include "core/clock.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace idara::trust::test {

struct TestPki {
    PkeyPtr root_key, ca_key;
    X509Ptr root, ca;
    // A signer certificate for `cn`, issued by the issuing CA (chain: the issuing CA).
    SigningIdentity signer(const std::string& cn) const;
    // A TSA certificate (EKU timeStamping, critical), or without that usage when !eku.
    SigningIdentity tsa(bool eku = true) const;
};
TestPki make_test_pki();

// A clock at a set time, so tests can check the token's genTime comes from the given clock.
class SetClock : public Clock {
public:
    explicit SetClock(std::chrono::system_clock::time_point t) : t_(t) {}
    std::chrono::system_clock::time_point now() const override { return t_; }

private:
    std::chrono::system_clock::time_point t_;
};

// A one-page (or `pages`-page) A4 PDF with Arabic and French text drawn by cairo/pango.
std::string cairo_pdf(int pages = 1);
// The same document rewritten by qpdf with object streams and a cross-reference stream.
std::string xref_stream_pdf(const std::filesystem::path& scratch);

// A scratch directory with root.pem, chain.pem (issuing CA) and an NSS db trusting the root.
class Scratch {
public:
    explicit Scratch(const TestPki& pki);
    ~Scratch();
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path write(const std::string& name, const std::string& data) const;
    std::string pdfsig(const std::filesystem::path& file) const;

private:
    std::filesystem::path dir_;
};

struct PdfsigSignature {
    bool valid = false;           // "Signature Validation: Signature is Valid."
    bool total = false;           // "Total document signed"
    bool trusted = false;         // "Certificate is Trusted."
    std::string field;            // the field name pdfsig reports
};
std::vector<PdfsigSignature> parse_pdfsig(const std::string& out);

struct Embedded {
    std::string cms;      // DER of /Contents (trailing zero padding removed)
    std::string content;  // the bytes the /ByteRange names
    bool total = false;   // the range ends at the end of the file
};
// Every signature of the file, in file order, read from /ByteRange and /Contents.
std::vector<Embedded> embedded_signatures(const std::string& pdf);

// The signatureTimeStampToken of a CMS (empty when none) and the SHA-256 of its signature value.
std::string timestamp_token(const std::string& cms_der, std::string* signature_sha256_hex = nullptr);
// Whether the CMS's signer has a signingTime attribute.
bool has_signing_time(const std::string& cms_der);

// A loopback HTTP server on 127.0.0.1 answering every POST with `handler(body)` as
// application/timestamp-reply (status 200, or `status` when set); one connection at a time.
class LoopbackHttp {
public:
    using Handler = std::function<std::string(const std::string& body, int& status)>;
    explicit LoopbackHttp(Handler h);
    ~LoopbackHttp();
    int port() const { return port_; }
    int requests() const { return requests_.load(); }

private:
    void serve();
    Handler handler_;
    int fd_ = -1, port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

// A loopback port with nothing listening (bound, then closed).
int closed_port();

std::string sha256_hex(const std::string& data);
std::string read_file(const std::filesystem::path& p);

}  // namespace idara::trust::test
