// Pki: revocation, the issuing CA's CRL, and the listing (trust/pki.hpp).
#include "trust/pki_internal.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace idara::trust::pki_detail {

namespace {

struct Found {
    std::string serial, issuer;
};

// The certificate with that sha256 among those the platform holds.
Result<std::optional<Found>> find(storage::Tx& tx, const std::string& sha) {
    auto row = tx.query_one("SELECT serial, issuer FROM pki_certs WHERE sha256 = $1", {sha});
    if (!row) return row.error();
    if (*row) return std::optional<Found>(Found{(*row)->as_text(0), (*row)->as_text(1)});
    // Development seal certificates live in seal_keys (KeyStore), without a digest column.
    auto seals = tx.query("SELECT cert_pem FROM seal_keys");
    if (!seals) return seals.error();
    for (const auto& r : *seals) {
        auto c = cert_from_pem(r.as_text(0));
        if (c && cert_sha256_hex(c.get()) == sha)
            return std::optional<Found>(Found{cert_serial_hex(c.get()), name_rfc2253(X509_get_issuer_name(c.get()))});
    }
    return std::optional<Found>{};
}

bool is_hex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

CertInfo info_of(X509* c, std::string purpose, std::string owner, std::string source, std::string status) {
    CertInfo i;
    i.purpose = std::move(purpose);
    i.owner = std::move(owner);
    i.subject = name_rfc2253(X509_get_subject_name(c));
    i.issuer = name_rfc2253(X509_get_issuer_name(c));
    i.serial = cert_serial_hex(c);
    i.not_before_ms = asn1_time_ms(X509_get0_notBefore(c));
    i.not_after_ms = asn1_time_ms(X509_get0_notAfter(c));
    i.sha256 = cert_sha256_hex(c);
    i.source = std::move(source);
    i.status = std::move(status);
    return i;
}

}  // namespace

Status revoke(Impl&, storage::Tx& tx, std::string_view cert_sha256, int reason) {
    std::string sha(cert_sha256);
    for (auto& ch : sha) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!is_hex64(sha)) return Error{"trust.no_such_cert", 404, "not a SHA-256 in hex"};
    if (reason < 0 || reason > 10 || reason == 7) return errors::bad_request("CRL reason out of range");
    auto f = find(tx, sha);
    if (!f) return f.error();
    if (!*f) return Error{"trust.no_such_cert", 404, "no certificate " + sha};
    auto ins = tx.exec(
        "INSERT INTO pki_revocations (cert_sha256, serial, issuer, reason, revoked_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT DO NOTHING",
        {sha, (*f)->serial, (*f)->issuer, std::int64_t{reason}, system_clock().now_ms()});
    if (!ins) return ins.error();
    auto up = tx.exec("UPDATE pki_certs SET status = 'revoked' WHERE sha256 = $1", {sha});
    if (!up) return up.error();
    return {};
}

Result<std::string> crl_der(Impl& p, storage::Tx& tx) {
    auto ca = p.keys.issuing_ca(tx);
    if (!ca) return ca.error();
    const std::string issuer = name_rfc2253(X509_get_subject_name(ca->cert.get()));
    auto rows = tx.query("SELECT serial, reason, revoked_at FROM pki_revocations WHERE issuer = $1 ORDER BY id", {issuer});
    if (!rows) return rows.error();
    X509_CRL* crl = X509_CRL_new();
    if (crl == nullptr) return errors::internal("X509_CRL_new");
    const std::int64_t now_s = p.clock.now_ms() / 1000;
    bool ok = X509_CRL_set_version(crl, 1) == 1 &&
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert.get())) == 1;
    ASN1_TIME* last = ASN1_TIME_set(nullptr, static_cast<time_t>(now_s));
    ASN1_TIME* next = ASN1_TIME_set(nullptr, static_cast<time_t>(now_s + 7 * 24 * 3600));
    ok = ok && last && next && X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1;
    for (const auto& r : *rows) {
        if (!ok) break;
        X509_REVOKED* rev = X509_REVOKED_new();
        BIGNUM* bn = nullptr;
        ASN1_INTEGER* serial = nullptr;
        ASN1_TIME* when = ASN1_TIME_set(nullptr, static_cast<time_t>(r.as_int(2) / 1000));
        const std::string hex = r.as_text(0);
        ok = rev && when && BN_hex2bn(&bn, hex.c_str()) > 0 && (serial = BN_to_ASN1_INTEGER(bn, nullptr)) != nullptr &&
             X509_REVOKED_set_serialNumber(rev, serial) == 1 && X509_REVOKED_set_revocationDate(rev, when) == 1;
        if (ok && r.as_int(1) != 0) {
            ASN1_ENUMERATED* e = ASN1_ENUMERATED_new();
            ok = e && ASN1_ENUMERATED_set(e, static_cast<long>(r.as_int(1))) == 1 &&
                 X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, e, 0, 0) == 1;
            ASN1_ENUMERATED_free(e);
        }
        if (ok) ok = X509_CRL_add0_revoked(crl, rev) == 1;
        else X509_REVOKED_free(rev);
        ASN1_INTEGER_free(serial);
        BN_free(bn);
        ASN1_TIME_free(when);
    }
    if (ok) {
        ASN1_INTEGER* number = ASN1_INTEGER_new();
        ok = number && ASN1_INTEGER_set_int64(number, now_s) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) == 1;
        ASN1_INTEGER_free(number);
    }
    ok = ok && X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, ca->key.get(), EVP_sha256()) > 0;
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    std::string out;
    if (ok) {
        unsigned char* der = nullptr;
        const int n = i2d_X509_CRL(crl, &der);
        if (n > 0) out.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
        OPENSSL_free(der);
    }
    X509_CRL_free(crl);
    ERR_clear_error();
    if (out.empty()) return errors::internal("CRL signing failed");
    return out;
}

Result<std::vector<CertInfo>> list(Impl& p, storage::Tx& tx) {
    std::vector<CertInfo> out;
    auto revoked = tx.query("SELECT cert_sha256 FROM pki_revocations");
    if (!revoked) return revoked.error();
    auto status_of = [&](const std::string& sha, std::string dflt) {
        for (const auto& r : *revoked)
            if (r.as_text(0) == sha) return std::string("revoked");
        return dflt;
    };
    auto roots = tx.query("SELECT cert_pem FROM trust_roots ORDER BY generation");
    if (!roots) return roots.error();
    for (const auto& r : *roots)
        if (auto c = cert_from_pem(r.as_text(0))) out.push_back(info_of(c.get(), "root_ca", "", "dev", "active"));
    for (const auto& pem : p.options.extra_anchors_pem)
        for (auto& c : certs_from_pem(pem)) out.push_back(info_of(c.get(), "root_ca", "", "anchors_file", "active"));
    auto cas = tx.query("SELECT cert_pem FROM pki_issuing_cas ORDER BY generation");
    if (!cas) return cas.error();
    for (const auto& r : *cas)
        if (auto c = cert_from_pem(r.as_text(0))) {
            auto i = info_of(c.get(), "issuing_ca", "", "dev", "active");
            i.status = status_of(i.sha256, i.status);
            out.push_back(std::move(i));
        }
    auto seals = tx.query("SELECT administration_code, cert_pem, active FROM seal_keys ORDER BY id");
    if (!seals) return seals.error();
    for (const auto& r : *seals)
        if (auto c = cert_from_pem(r.as_text(1))) {
            auto i = info_of(c.get(), "seal", r.as_text(0), "dev", r.as_int(2) != 0 ? "active" : "superseded");
            i.status = status_of(i.sha256, i.status);
            out.push_back(std::move(i));
        }
    auto certs = tx.query(
        "SELECT c.purpose, CASE c.owner_kind WHEN 'account' THEN (SELECT login FROM accounts WHERE id = c.owner_id) "
        "WHEN 'administration' THEN (SELECT code FROM administrations WHERE id = c.owner_id) ELSE '' END, "
        "c.source, c.status, c.cert_pem FROM pki_certs c ORDER BY c.id");
    if (!certs) return certs.error();
    for (const auto& r : *certs)
        if (auto c = cert_from_pem(r.as_text(4)))
            out.push_back(info_of(c.get(), r.as_text(0), r.is_null(1) ? "" : r.as_text(1), r.as_text(2), r.as_text(3)));
    return out;
}

}  // namespace idara::trust::pki_detail
