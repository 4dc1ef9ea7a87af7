// Test PKIs for the certificate-check, revocation and validator suites: CAs and leaves with
// chosen validity and usages (trust/keys.hpp issue_certificate), CRLs, and a real OpenSSL OCSP
// responder process (`openssl ocsp -index ... -port 0`) on loopback.
#pragma once

#include "trust/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace idara::trust::samples {

constexpr long kDay = 24 * 3600;

struct Ca {
    PkeyPtr key;
    X509Ptr cert;
};

inline Ca make_ca(const std::string& cn, const Ca* parent = nullptr, long not_before = -365 * kDay,
                  long validity = 3650 * kDay) {
    Ca ca;
    ca.key.reset(EVP_EC_gen("P-256"));
    CertProfile p;
    p.common_name = cn;
    p.organisation = "Test";
    p.ca = true;
    p.not_before_offset_s = not_before;
    p.validity_s = validity;
    ca.cert = issue_certificate(ca.key.get(), parent ? parent->key.get() : ca.key.get(), parent ? parent->cert.get() : nullptr, p);
    return ca;
}

inline SigningIdentity make_leaf(const Ca& ca, CertProfile p) {
    if (p.organisation.empty()) p.organisation = "Test";
    auto id = issue_identity(ca.key.get(), ca.cert.get(), p);
    EXPECT_TRUE(id);
    return std::move(*id);
}

inline CertProfile profile(const std::string& cn, long not_before = -kDay, long validity = 365 * kDay) {
    CertProfile p;
    p.common_name = cn;
    p.not_before_offset_s = not_before;
    p.validity_s = validity;
    return p;
}

// A CRL by `ca` listing `revoked` (revoked `revoked_ago` seconds ago), next update in `next_in` seconds.
inline std::string make_crl(const Ca& ca, const std::vector<X509*>& revoked, long revoked_ago = 3600,
                            long next_in = 7 * kDay) {
    X509_CRL* crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert.get()));
    const time_t now = std::time(nullptr);
    ASN1_TIME* last = ASN1_TIME_set(nullptr, now - kDay);
    ASN1_TIME* next = ASN1_TIME_set(nullptr, now + next_in);
    X509_CRL_set1_lastUpdate(crl, last);
    X509_CRL_set1_nextUpdate(crl, next);
    for (X509* c : revoked) {
        X509_REVOKED* r = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(c));
        ASN1_TIME* when = ASN1_TIME_set(nullptr, now - revoked_ago);
        X509_REVOKED_set_revocationDate(r, when);
        ASN1_TIME_free(when);
        X509_CRL_add0_revoked(crl, r);
    }
    X509_CRL_sort(crl);
    X509_CRL_sign(crl, ca.key.get(), EVP_sha256());
    unsigned char* der = nullptr;
    const int n = i2d_X509_CRL(crl, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    return out;
}

inline std::string key_pem(EVP_PKEY* key) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* d = nullptr;
    const long n = BIO_get_mem_data(b, &d);
    std::string out(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
}

inline void write_file(const std::filesystem::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary);
    f << s;
}

// A free loopback TCP port: one that was just bound and released (nothing listens on it).
int closed_port();

// `openssl ocsp` answering for `ca` from an index of good and revoked certificates. The
// responder signs with the CA key; it is killed (by its pid) when this object goes away.
class OcspResponder {
public:
    OcspResponder(const Ca& ca, const std::vector<X509*>& good, const std::vector<X509*>& revoked) {
        dir_ = std::filesystem::temp_directory_path() / ("idara-ocsp-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::create_directories(dir_);
        write_file(dir_ / "ca.pem", to_pem(ca.cert.get()));
        write_file(dir_ / "ca.key", key_pem(ca.key.get()));
        std::string index;
        auto line = [&](X509* c, bool rev) {
            BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), nullptr);
            char* hex = BN_bn2hex(bn);
            std::string serial = hex;
            OPENSSL_free(hex);
            BN_free(bn);
            index += std::string(rev ? "R" : "V") + "\t301231235959Z\t" + (rev ? "240101000000Z" : "") + "\t" + serial +
                     "\tunknown\t/CN=x\n";
        };
        for (X509* c : good) line(c, false);
        for (X509* c : revoked) line(c, true);
        write_file(dir_ / "index.txt", index);
        write_file(dir_ / "index.txt.attr", "unique_subject = no\n");
        int fds[2];
        if (::pipe(fds) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::close(fds[0]);
            const std::string d = dir_.string();
            ::execlp("openssl", "openssl", "ocsp", "-index", (d + "/index.txt").c_str(), "-port", "0", "-rsigner",
                     (d + "/ca.pem").c_str(), "-rkey", (d + "/ca.key").c_str(), "-CA", (d + "/ca.pem").c_str(),
                     "-ignore_err", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        // The first line says where it listens: "ACCEPT [::]:PORT PID=..." (or 0.0.0.0:PORT).
        FILE* out = ::fdopen(fds[0], "r");
        char buf[256];
        if (out != nullptr && std::fgets(buf, sizeof buf, out) != nullptr) {
            std::string l(buf);
            const auto colon = l.find("]:") != std::string::npos ? l.find("]:") + 1 : l.rfind(':', l.find(" PID"));
            if (l.rfind("ACCEPT", 0) == 0 && colon != std::string::npos) port_ = std::atoi(l.c_str() + colon + 1);
        }
        out_ = out;
    }
    ~OcspResponder() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_ != nullptr) std::fclose(out_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

private:
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    int port_ = 0;
    FILE* out_ = nullptr;
};

}  // namespace idara::trust::samples
