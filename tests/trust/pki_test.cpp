// Pki on both backends: the development hierarchy, signer certificates issued once and reused,
// PKCS#12 import (good, wrong password, expired, untrusted anchor), precedence of imports,
// revocation and the CRL, the listing (no private material).
#include "pki_samples.hpp"
#include "test_db.hpp"
#include "trust/cert_check.hpp"
#include "trust/pki.hpp"
#include "trust/revocation.hpp"

#include <gtest/gtest.h>
#include <openssl/pkcs12.h>

#include <set>

using namespace idara;
using namespace idara::trust;
using namespace idara::trust::samples;
using storage::Backend;

namespace {

std::int64_t insert_id(storage::Tx& tx, const std::string& sql, const storage::Params& p) {
    auto r = tx.query_one(sql + " RETURNING id", p);
    EXPECT_TRUE(r && *r);
    return (r && *r) ? (*r)->as_int(0) : 0;
}

std::string p12(const SigningIdentity& id, const std::string& password, const std::vector<X509*>& extra = {}) {
    STACK_OF(X509)* ca = sk_X509_new_null();
    for (const auto& c : id.chain) sk_X509_push(ca, c.get());
    for (X509* c : extra) sk_X509_push(ca, c);
    PKCS12* p = PKCS12_create(password.c_str(), "test", id.key.get(), id.cert.get(), ca, 0, 0, 0, 0, 0);
    sk_X509_free(ca);
    unsigned char* der = nullptr;
    const int n = i2d_PKCS12(p, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    PKCS12_free(p);
    return out;
}

class PkiTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        keys_ = std::make_unique<KeyStore>(*db_, random_master_key());
        external_root_ = make_ca("External Root");
        external_ca_ = make_ca("External Qualified CA", &external_root_);
        PkiOptions o;
        o.extra_anchors_pem = {to_pem(external_root_.cert.get())};
        pki_ = std::make_unique<Pki>(*db_, *keys_, o);
        auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
            mef_ = insert_id(tx, "INSERT INTO administrations (code, name_ar, name_fr, created_at) VALUES ($1, $2, $3, 0)",
                             {std::string("MEF"), std::string("وزارة الاقتصاد والمالية"), std::string("Ministère des Finances")});
            amina_ = insert_id(tx,
                               "INSERT INTO accounts (kind, login, display_name, password_hash, created_at, "
                               "password_changed_at) VALUES ('staff', 'amina@mef.gov.ma', 'Amina El Mansouri', 'x', 0, 0)",
                               {});
            auto m = tx.exec("INSERT INTO memberships (account_id, administration_id, role) VALUES ($1, $2, 'signer')",
                             {amina_, mef_});
            if (!m) return m.error();
            return pki_->ensure_dev_hierarchy(tx);
        });
        ASSERT_TRUE(s) << s.error().code << " " << s.error().detail;
    }
    template <class T>
    Result<T> write(const std::function<Result<T>(storage::Tx&)>& f) {
        return db_->write<T>(f);
    }
    Result<std::shared_ptr<const SigningIdentity>> signer(std::int64_t account) {
        return db_->write<std::shared_ptr<const SigningIdentity>>(
            [&](storage::Tx& tx) { return pki_->signer_identity(tx, account); });
    }
    Result<std::shared_ptr<const SigningIdentity>> seal(std::int64_t adm) {
        return db_->write<std::shared_ptr<const SigningIdentity>>(
            [&](storage::Tx& tx) { return pki_->seal_identity(tx, adm); });
    }
    Status import(Owner o, const std::string& file, const std::string& password) {
        return db_->write_tx([&](storage::Tx& tx) { return pki_->import_pkcs12(tx, o, file, password); });
    }
    std::vector<CertInfo> list() {
        return db_->read<std::vector<CertInfo>>([&](storage::Tx& tx) { return pki_->list(tx); }).value();
    }

    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<KeyStore> keys_;
    std::unique_ptr<Pki> pki_;
    Ca external_root_, external_ca_;
    std::int64_t mef_ = 0, amina_ = 0;
};

TEST_P(PkiTest, DevelopmentHierarchyHasTheDesignedShape) {
    auto tsa = db_->write<std::shared_ptr<const SigningIdentity>>([&](storage::Tx& tx) { return pki_->tsa_identity(tx); });
    ASSERT_TRUE(tsa) << tsa.error().code << tsa.error().detail;
    auto anchors = db_->read<std::vector<std::string>>([&](storage::Tx& tx) { return pki_->anchors_pem(tx); }).value();
    ASSERT_EQ(anchors.size(), 2u);  // the dev root and the configured external root
    auto root = cert_from_pem(anchors[0]);
    ASSERT_TRUE(root);
    EXPECT_NE(name_rfc2253(X509_get_subject_name(root.get())).find("CN=idara Development Root CA"), std::string::npos);
    // TSA: issued by the issuing CA, EKU timeStamping critical.
    ASSERT_EQ((*tsa)->chain.size(), 1u);
    X509* issuing = (*tsa)->chain[0].get();
    EXPECT_EQ(name_entry(X509_get_subject_name(issuing), NID_commonName), "idara Issuing CA");
    EXPECT_EQ(X509_check_issued(root.get(), issuing), X509_V_OK);
    EXPECT_EQ(X509_check_issued(issuing, (*tsa)->cert.get()), X509_V_OK);
    EXPECT_TRUE(check_key_usage((*tsa)->cert.get(), CertPurpose::tsa));
    // Seal: the KeyStore identity, under the same issuing CA.
    auto s = seal(mef_);
    ASSERT_TRUE(s) << s.error().code << s.error().detail;
    EXPECT_EQ(X509_check_issued(issuing, (*s)->cert.get()), X509_V_OK);
    EXPECT_EQ(name_entry(X509_get_subject_name((*s)->cert.get()), NID_commonName), "MEF electronic seal");
    auto again = db_->write<std::shared_ptr<const SigningIdentity>>([&](storage::Tx& tx) { return pki_->tsa_identity(tx); });
    EXPECT_EQ(X509_cmp((*again)->cert.get(), (*tsa)->cert.get()), 0);
}

TEST_P(PkiTest, SignerCertificateIsIssuedOnceAndReused) {
    auto first = signer(amina_);
    ASSERT_TRUE(first) << first.error().code << " " << first.error().detail;
    X509* c = (*first)->cert.get();
    EXPECT_EQ(name_entry(X509_get_subject_name(c), NID_commonName), "Amina El Mansouri");
    EXPECT_EQ(name_entry(X509_get_subject_name(c), NID_organizationName), "Ministère des Finances");
    const std::uint32_t ku = X509_get_key_usage(c);
    EXPECT_TRUE(ku & KU_DIGITAL_SIGNATURE);
    EXPECT_TRUE(ku & KU_NON_REPUDIATION);
    auto second = signer(amina_);
    ASSERT_TRUE(second);
    EXPECT_EQ(X509_cmp((*second)->cert.get(), c), 0);
    // A second Pki over the same database (no memory) sees the same certificate.
    Pki other(*db_, *keys_, {});
    auto third = db_->write<std::shared_ptr<const SigningIdentity>>(
        [&](storage::Tx& tx) { return other.signer_identity(tx, amina_); });
    ASSERT_TRUE(third);
    EXPECT_EQ(X509_cmp((*third)->cert.get(), c), 0);
    int signing = 0;
    for (const auto& i : list()) signing += i.purpose == "signing";
    EXPECT_EQ(signing, 1);
    auto none = signer(987654);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, "trust.no_owner");
}

TEST_P(PkiTest, RolledBackIssuanceLeavesNothing) {
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        auto id = pki_->signer_identity(tx, amina_);
        if (!id) return id.error();
        return Error{"test.rollback", 500};
    });
    ASSERT_FALSE(s);
    int signing = 0;
    for (const auto& i : list()) signing += i.purpose == "signing";
    EXPECT_EQ(signing, 0);
}

TEST_P(PkiTest, Pkcs12ImportIsCheckedAndTakesPrecedence) {
    auto p = profile("Amina El Mansouri (qualified)");
    auto id = make_leaf(external_ca_, p);
    const std::string file = p12(id, "s3cret");
    auto wrong = import(Owner{Owner::Kind::account, amina_}, file, "nope");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "trust.pkcs12");
    EXPECT_EQ(wrong.error().status, 422);
    auto garbage = import(Owner{Owner::Kind::account, amina_}, "not a p12", "s3cret");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, "trust.pkcs12");

    auto dev = signer(amina_);
    ASSERT_TRUE(dev);
    ASSERT_TRUE(import(Owner{Owner::Kind::account, amina_}, file, "s3cret"));
    auto now = signer(amina_);
    ASSERT_TRUE(now) << now.error().code;
    EXPECT_EQ(X509_cmp((*now)->cert.get(), id.cert.get()), 0);
    EXPECT_NE(X509_cmp((*now)->cert.get(), (*dev)->cert.get()), 0);
    // The same file twice is a conflict; a seal import for the administration works the same way.
    auto twice = import(Owner{Owner::Kind::account, amina_}, file, "s3cret");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, "storage.conflict");
    auto seal_id = make_leaf(external_ca_, profile("MEF qualified seal"));
    ASSERT_TRUE(import(Owner{Owner::Kind::administration, mef_}, p12(seal_id, "x"), "x"));
    auto s = seal(mef_);
    ASSERT_TRUE(s);
    EXPECT_EQ(X509_cmp((*s)->cert.get(), seal_id.cert.get()), 0);
    bool listed = false;
    for (const auto& i : list())
        if (i.sha256 == cert_sha256_hex(id.cert.get())) {
            listed = true;
            EXPECT_EQ(i.source, "pkcs12");
            EXPECT_EQ(i.owner, "amina@mef.gov.ma");
            EXPECT_EQ(i.status, "active");
        }
    EXPECT_TRUE(listed);
}

TEST_P(PkiTest, ExpiredOrUntrustedImportsAreRefused) {
    auto expired = make_leaf(external_ca_, profile("Old", -40 * kDay, 10 * kDay));
    auto s = import(Owner{Owner::Kind::account, amina_}, p12(expired, "pw"), "pw");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.cert_expired");
    Ca stranger_root = make_ca("Stranger Root");
    auto stranger = make_leaf(stranger_root, profile("Stranger"));
    // A root inside the file is not an anchor.
    auto u = import(Owner{Owner::Kind::account, amina_}, p12(stranger, "pw", {stranger_root.cert.get()}), "pw");
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().code, "trust.cert_untrusted");
    auto tls = profile("TLS");
    tls.ext_key_usage = "serverAuth";
    auto k = import(Owner{Owner::Kind::administration, mef_}, p12(make_leaf(external_ca_, tls), "pw"), "pw");
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error().code, "trust.cert_key_usage");
    auto nobody = import(Owner{Owner::Kind::administration, 99999}, p12(make_leaf(external_ca_, profile("X")), "pw"), "pw");
    ASSERT_FALSE(nobody);
    EXPECT_EQ(nobody.error().code, "trust.no_owner");
    for (const auto& i : list()) EXPECT_NE(i.source, "pkcs12");
}

TEST_P(PkiTest, RevocationReachesTheCrlAndBlocksUse) {
    auto id = signer(amina_);
    ASSERT_TRUE(id);
    const std::string sha = cert_sha256_hex((*id)->cert.get());
    auto bad = db_->write_tx([&](storage::Tx& tx) { return pki_->revoke(tx, std::string(64, 'a'), 1); });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "trust.no_such_cert");
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) { return pki_->revoke(tx, sha, 1); }));
    auto crl = db_->read<std::string>([&](storage::Tx& tx) { return pki_->crl_der(tx); });
    ASSERT_TRUE(crl) << crl.error().detail;
    auto r = check_crls((*id)->cert.get(), (*id)->chain[0].get(), {*crl}, static_cast<std::int64_t>(std::time(nullptr)) * 1000);
    EXPECT_EQ(r.state, RevocationState::revoked) << r.detail;
    // openssl reads the CRL and names the serial.
    bool revoked_listed = false;
    for (const auto& i : list())
        if (i.sha256 == sha) revoked_listed = i.status == "revoked";
    EXPECT_TRUE(revoked_listed);
    // The next signature gets a fresh certificate; the revoked one is never handed out again.
    auto next = signer(amina_);
    ASSERT_TRUE(next) << next.error().code;
    EXPECT_NE(cert_sha256_hex((*next)->cert.get()), sha);
    // A revoked dev seal (KeyStore) is refused on use.
    auto s = seal(mef_);
    ASSERT_TRUE(s);
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) { return pki_->revoke(tx, cert_sha256_hex((*s)->cert.get()), 4); }));
    auto s2 = seal(mef_);
    ASSERT_FALSE(s2);
    EXPECT_EQ(s2.error().code, "trust.cert_revoked");
}

TEST_P(PkiTest, ListingShowsEveryCertificateAndNoPrivateKey) {
    ASSERT_TRUE(signer(amina_));
    ASSERT_TRUE(seal(mef_));
    auto all = list();
    std::set<std::string> purposes;
    for (const auto& i : all) {
        purposes.insert(i.purpose);
        EXPECT_EQ(i.sha256.size(), 64u);
        EXPECT_FALSE(i.serial.empty());
        EXPECT_LT(i.not_before_ms, i.not_after_ms);
        for (const std::string* f : {&i.subject, &i.issuer, &i.owner})
            EXPECT_EQ(f->find("PRIVATE"), std::string::npos);
    }
    EXPECT_EQ(purposes, (std::set<std::string>{"root_ca", "issuing_ca", "seal", "tsa", "signing"}));
}

TEST_P(PkiTest, SealsIssuedByTheRootMoveUnderTheIssuingCaKeepingKeyAndKid) {
    // A data directory from before the issuing CA: MEF's seal certificate issued by the root itself.
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) { return keys_->ensure_keys(tx, mef_, "MEF", "Ministère"); }));
    auto before = db_->read<std::shared_ptr<const SealKeys>>([&](storage::Tx& tx) { return keys_->keys_for(tx, mef_); });
    ASSERT_TRUE(before);
    auto root_row = db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto r = tx.query_one("SELECT cert_pem, key_sealed FROM trust_roots");
        if (!r) return r.error();
        auto der = keys_->open_secret((*r)->as_blob(1));
        if (!der) return der.error();
        return *der;
    });
    ASSERT_TRUE(root_row);
    auto root_key = private_key_from_der(*root_row);
    auto anchors = db_->read<std::vector<std::string>>([&](storage::Tx& tx) { return keys_->trust_anchors_pem(tx); }).value();
    auto root = cert_from_pem(anchors[0]);
    CertProfile p;
    p.common_name = "MEF electronic seal";
    p.organisation = "Ministère";
    auto old = issue_certificate((*before)->identity.key.get(), root_key.get(), root.get(), p);
    ASSERT_TRUE(old);
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
        auto u = tx.exec("UPDATE seal_keys SET cert_pem = $1, chain_pem = '' WHERE administration_id = $2",
                         {to_pem(old.get()), mef_});
        if (!u) return u.error();
        return {};
    }));
    // ensure_keys (run by init, migrate, admin add) re-certifies it.
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) { return keys_->ensure_keys(tx, mef_, "MEF", "Ministère"); }));
    auto after = db_->read<std::shared_ptr<const SealKeys>>([&](storage::Tx& tx) { return keys_->keys_for(tx, mef_); });
    ASSERT_TRUE(after);
    EXPECT_EQ((*after)->kid, (*before)->kid);
    EXPECT_EQ((*after)->ed25519_pk, (*before)->ed25519_pk);
    EXPECT_EQ(EVP_PKEY_eq((*after)->identity.key.get(), (*before)->identity.key.get()), 1);
    ASSERT_EQ((*after)->identity.chain.size(), 1u);
    EXPECT_EQ(name_entry(X509_get_subject_name((*after)->identity.chain[0].get()), NID_commonName), "idara Issuing CA");
    EXPECT_EQ(X509_check_issued((*after)->identity.chain[0].get(), (*after)->identity.cert.get()), X509_V_OK);
    EXPECT_NE(X509_cmp((*after)->identity.cert.get(), old.get()), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, PkiTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
