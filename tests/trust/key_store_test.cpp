// KeyStore on both backends: idempotent creation, persistence, encryption at rest,
// rollback (nothing stored, nothing cached), concurrency.
#include "test_db.hpp"
#include "trust/codec.hpp"
#include "trust/key_store.hpp"
#include "trust/pades.hpp"
#include "trust/pdf_verify.hpp"
#include "trust_samples.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <thread>

using namespace idara;
using storage::Backend;

namespace {

std::string bytes(const unsigned char* p, std::size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

class KeyStoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        master_ = trust::random_master_key();
    }
    Status ensure(trust::KeyStore& ks, std::int64_t adm, const std::string& code = "MEF") {
        return db_->write_tx(
            [&](storage::Tx& tx) { return ks.ensure_keys(tx, adm, code, "Ministère de l'Économie et des Finances"); });
    }
    Result<std::shared_ptr<const trust::SealKeys>> keys(trust::KeyStore& ks, std::int64_t adm) {
        return db_->read<std::shared_ptr<const trust::SealKeys>>([&](storage::Tx& tx) { return ks.keys_for(tx, adm); });
    }
    std::int64_t count(const std::string& table) {
        return db_
            ->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                auto r = tx.query_one("SELECT COUNT(*) FROM " + table);
                if (!r) return r.error();
                return (*r)->as_int(0);
            })
            .value();
    }
    std::vector<trust::PublicKey> public_keys(trust::KeyStore& ks) {
        return db_->read<std::vector<trust::PublicKey>>([&](storage::Tx& tx) { return ks.public_keys(tx); }).value();
    }
    std::vector<std::string> anchors(trust::KeyStore& ks) {
        return db_->read<std::vector<std::string>>([&](storage::Tx& tx) { return ks.trust_anchors_pem(tx); }).value();
    }

    std::unique_ptr<storage::Database> db_;
    trust::MasterKey master_{};
};

TEST_P(KeyStoreTest, EnsureKeysIsIdempotent) {
    trust::KeyStore ks(*db_, master_);
    ASSERT_TRUE(ensure(ks, 7));
    auto first = keys(ks, 7);
    ASSERT_TRUE(first) << first.error().detail;
    ASSERT_TRUE(ensure(ks, 7));
    ASSERT_TRUE(ensure(ks, 7));
    EXPECT_EQ(count("seal_keys"), 1);
    EXPECT_EQ(count("trust_roots"), 1);
    EXPECT_EQ((*first)->kid, "MEF-1");
    // A second store (no cache) reads the same keys.
    trust::KeyStore other(*db_, master_);
    auto second = keys(other, 7);
    ASSERT_TRUE(second);
    EXPECT_EQ((*second)->ed25519_pk, (*first)->ed25519_pk);
    EXPECT_EQ(X509_cmp((*second)->identity.cert.get(), (*first)->identity.cert.get()), 0);
}

TEST_P(KeyStoreTest, EachAdministrationAndThePlatformHaveTheirOwnKeys) {
    trust::KeyStore ks(*db_, master_);
    ASSERT_TRUE(ensure(ks, 0, ""));
    ASSERT_TRUE(ensure(ks, 7, "MEF"));
    ASSERT_TRUE(ensure(ks, 8, "MEN"));
    EXPECT_EQ(count("trust_roots"), 1);  // one root issues every seal certificate
    auto platform = keys(ks, 0), mef = keys(ks, 7), men = keys(ks, 8);
    ASSERT_TRUE(platform && mef && men);
    EXPECT_EQ((*platform)->kid, "IDARA-1");
    EXPECT_EQ((*men)->kid, "MEN-1");
    EXPECT_NE((*mef)->ed25519_pk, (*men)->ed25519_pk);
    const auto pub = public_keys(ks);
    ASSERT_EQ(pub.size(), 3u);
    EXPECT_EQ(pub[0].administration_code, "");
    EXPECT_EQ(pub[1].administration_code, "MEF");
    EXPECT_EQ(pub[1].ed25519_pk, (*mef)->ed25519_pk);
    EXPECT_TRUE(pub[1].active);
    EXPECT_GT(pub[1].created_at_ms, 1700000000000);
    // The seal certificate names the administration and chains to the stored root.
    auto cn = X509_NAME_oneline(X509_get_subject_name((*mef)->identity.cert.get()), nullptr, 0);
    EXPECT_NE(std::string(cn).find("CN=MEF electronic seal"), std::string::npos) << cn;
    OPENSSL_free(cn);
    const auto roots = anchors(ks);
    ASSERT_EQ(roots.size(), 1u);
    auto root = trust::cert_from_pem(roots[0]);
    ASSERT_TRUE(root);
    // root -> "idara Issuing CA" (the identity's chain) -> the seal certificate.
    ASSERT_EQ((*mef)->identity.chain.size(), 1u);
    X509* issuing = (*mef)->identity.chain[0].get();
    EXPECT_EQ(X509_check_issued(root.get(), issuing), X509_V_OK);
    EXPECT_EQ(X509_check_issued(issuing, (*mef)->identity.cert.get()), X509_V_OK);
    EXPECT_NE(X509_check_issued(root.get(), (*mef)->identity.cert.get()), X509_V_OK);
}

TEST_P(KeyStoreTest, UnknownAdministrationHasNoKeys) {
    trust::KeyStore ks(*db_, master_);
    auto r = keys(ks, 42);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.no_keys");
    ASSERT_TRUE(ensure(ks, 7));
    EXPECT_EQ(keys(ks, 42).error().code, "trust.no_keys");
}

TEST_P(KeyStoreTest, BadAdministrationCodesAreRefused) {
    trust::KeyStore ks(*db_, master_);
    for (const char* bad : {"", "ME F", "MEF|1", "MEF.1", "M\u00c9F", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"}) {
        auto s = ensure(ks, 7, bad);
        ASSERT_FALSE(s) << bad;
        EXPECT_EQ(s.error().code, "trust.keygen");
    }
    EXPECT_FALSE(db_->write_tx([&](storage::Tx& tx) { return ks.ensure_keys(tx, -1, "MEF", "x"); }));
    EXPECT_EQ(count("seal_keys"), 0);
}

TEST_P(KeyStoreTest, KeysSurviveAReopenAndSealVerifiably) {
    std::array<unsigned char, 32> pk{};
    std::string cert_der;
    {
        trust::KeyStore ks(*db_, master_);
        ASSERT_TRUE(ensure(ks, 7));
        auto k = keys(ks, 7);
        ASSERT_TRUE(k);
        pk = (*k)->ed25519_pk;
    }
    auto reopened = idara::testing::open_same(*db_);
    // The master key as it would come back from its key file.
    auto master = trust::master_key_from_text(trust::master_key_to_text(master_) + "\n");
    ASSERT_TRUE(master);
    trust::KeyStore ks(*reopened, *master);
    auto k = reopened->read<std::shared_ptr<const trust::SealKeys>>([&](storage::Tx& tx) { return ks.keys_for(tx, 7); });
    ASSERT_TRUE(k) << k.error().detail;
    EXPECT_EQ((*k)->ed25519_pk, pk);
    // The reopened seal identity signs a PDF that verifies against the stored anchor.
    auto sealed = trust::seal_pdf(trust::samples::minimal_pdf(), (*k)->identity);
    ASSERT_TRUE(sealed) << sealed.error().detail;
    auto roots = reopened->read<std::vector<std::string>>([&](storage::Tx& tx) { return ks.trust_anchors_pem(tx); });
    ASSERT_TRUE(roots);
    auto report = trust::verify_pdf(*sealed, *roots);
    ASSERT_TRUE(report);
    ASSERT_EQ(report->signatures.size(), 1u);
    EXPECT_TRUE(report->signatures[0].valid()) << report->signatures[0].chain_error;
    EXPECT_EQ(report->signatures[0].signer_common_name, "MEF electronic seal");
    EXPECT_EQ(report->signatures[0].signer_organisation, "Ministère de l'Économie et des Finances");
    reopened.reset();
}

TEST_P(KeyStoreTest, AWrongMasterKeyIsReported) {
    {
        trust::KeyStore ks(*db_, master_);
        ASSERT_TRUE(ensure(ks, 7));
    }
    trust::KeyStore wrong(*db_, trust::random_master_key());
    auto r = keys(wrong, 7);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.master_key");
    // Making keys for another administration needs the root's key: refused as well, nothing written.
    auto s = ensure(wrong, 8, "MEN");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.master_key");
    EXPECT_EQ(count("seal_keys"), 1);
}

TEST_P(KeyStoreTest, ARolledBackEnsureKeysLeavesNothingStoredOrCached) {
    trust::KeyStore ks(*db_, master_);
    std::array<unsigned char, 32> rolled_back_pk{};
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        if (auto e = ks.ensure_keys(tx, 7, "MEF", "Ministère"); !e) return e;
        auto k = ks.keys_for(tx, 7);  // visible inside the transaction
        if (!k) return k.error();
        rolled_back_pk = (*k)->ed25519_pk;
        return Error{"test.abort", 500, "roll back"};
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "test.abort");
    EXPECT_EQ(count("seal_keys"), 0);
    EXPECT_EQ(count("trust_roots"), 0);
    auto r = keys(ks, 7);
    ASSERT_FALSE(r) << "a rolled-back key was served from the cache";
    EXPECT_EQ(r.error().code, "trust.no_keys");
    // Made again, the keys are new ones.
    ASSERT_TRUE(ensure(ks, 7));
    auto k = keys(ks, 7);
    ASSERT_TRUE(k);
    EXPECT_EQ((*k)->kid, "MEF-1");
    EXPECT_NE((*k)->ed25519_pk, rolled_back_pk);
}

TEST_P(KeyStoreTest, KeysReadInTheirCreatingTransactionAreRightAfterCommit) {
    trust::KeyStore ks(*db_, master_);
    std::shared_ptr<const trust::SealKeys> inside;
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
        if (auto e = ks.ensure_keys(tx, 7, "MEF", "Ministère"); !e) return e;
        auto k = ks.keys_for(tx, 7);
        if (!k) return k.error();
        inside = *k;
        return {};
    }));
    ASSERT_TRUE(inside);
    auto after = keys(ks, 7);
    ASSERT_TRUE(after);
    EXPECT_EQ((*after)->ed25519_pk, inside->ed25519_pk);
    // Keys read while their transaction was open were not cached (other threads could have
    // taken them before a rollback); the first read after the commit is.
    EXPECT_NE(after->get(), inside.get());
    auto cached = keys(ks, 7);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->get(), after->get());  // served from the cache now
}

TEST_P(KeyStoreTest, PrivateKeysAreEncryptedAtRest) {
    trust::KeyStore ks(*db_, master_);
    ASSERT_TRUE(ensure(ks, 7));
    auto k = keys(ks, 7);
    ASSERT_TRUE(k);
    const std::string seed = bytes((*k)->ed25519_sk.data(), 32);
    const std::string p8 = trust::private_key_to_der((*k)->identity.key.get());
    ASSERT_FALSE(p8.empty());
    auto rows = db_->read<storage::Rows>([](storage::Tx& tx) {
        return tx.query("SELECT key_sealed, ed25519_sk_sealed, cert_pem, ed25519_pk FROM seal_keys");
    });
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    std::string all;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto& v = rows->front().at(i);
        all += std::holds_alternative<storage::Blob>(v) ? std::get<storage::Blob>(v).bytes : rows->front().as_text(i);
    }
    EXPECT_EQ(all.find(seed), std::string::npos);
    EXPECT_EQ(all.find(p8.substr(p8.size() - 40)), std::string::npos);
    EXPECT_EQ(rows->front().as_blob(0).bytes.size(), 24 + 16 + p8.size());  // nonce + MAC + PKCS#8
    EXPECT_EQ(rows->front().as_blob(1).bytes.size(), 24u + 16u + 64u);
}

TEST_P(KeyStoreTest, KeysDocumentPublishesNoPrivateBytes) {
    trust::KeyStore ks(*db_, master_);
    ASSERT_TRUE(ensure(ks, 0, ""));
    ASSERT_TRUE(ensure(ks, 7));
    auto k = keys(ks, 7);
    ASSERT_TRUE(k);
    const std::string doc = trust::keys_document(public_keys(ks), anchors(ks));
    const std::string seed = bytes((*k)->ed25519_sk.data(), 32);
    const std::string p8 = trust::private_key_to_der((*k)->identity.key.get());
    for (const auto& secret : {seed, bytes((*k)->ed25519_sk.data(), 64), p8}) {
        EXPECT_EQ(doc.find(trust::codec::b64url_encode(secret).substr(0, 40)), std::string::npos);
        EXPECT_EQ(doc.find(trust::codec::b64_encode(secret).substr(0, 40)), std::string::npos);
        EXPECT_EQ(doc.find(secret.substr(0, 16)), std::string::npos);
    }
    EXPECT_EQ(doc.find("PRIVATE"), std::string::npos);
    // The public half is there, and the document reads back.
    EXPECT_NE(doc.find(trust::codec::b64url_encode(bytes((*k)->ed25519_pk.data(), 32))), std::string::npos);
    auto parsed = trust::parse_keys_document(doc);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    ASSERT_EQ(parsed->keys.size(), 2u);
    EXPECT_EQ(parsed->keys[1].kid, "MEF-1");
    EXPECT_EQ(parsed->anchors_pem, anchors(ks));
}

TEST_P(KeyStoreTest, ConcurrentEnsureKeysMakesOneKeySet) {
    trust::KeyStore ks(*db_, master_);
    std::vector<std::thread> threads;
    std::vector<Status> results(4);
    for (std::size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] { results[i] = ensure(ks, 7); });
    for (auto& t : threads) t.join();
    for (const auto& r : results) EXPECT_TRUE(r) << r.error().code << " " << r.error().detail;
    EXPECT_EQ(count("seal_keys"), 1);
    EXPECT_EQ(count("trust_roots"), 1);
    auto k = keys(ks, 7);
    ASSERT_TRUE(k);
    EXPECT_EQ((*k)->kid, "MEF-1");
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyStoreTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
