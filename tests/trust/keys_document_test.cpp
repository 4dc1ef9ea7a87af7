// The published keys document and the master key's text form, without a database.
#include "trust/codec.hpp"
#include "trust/key_store.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace idara;
using namespace idara::trust;

namespace {

std::vector<PublicKey> sample_keys() {
    PublicKey a;
    a.kid = "IDARA-1";
    a.administration_code = "";
    for (std::size_t i = 0; i < 32; ++i) a.ed25519_pk[i] = static_cast<unsigned char>(i * 7 + 1);
    a.created_at_ms = 1778755320123;
    PublicKey b;
    b.kid = "MEF-1";
    b.administration_code = "MEF";
    for (std::size_t i = 0; i < 32; ++i) b.ed25519_pk[i] = static_cast<unsigned char>(255 - i);
    b.created_at_ms = 1700000000000;
    b.active = false;
    return {a, b};
}

std::string anchor() {
    auto pki = make_dev_pki("idara", "unused");
    return to_pem(pki.value().root_cert.get());
}

TEST(KeysDocument, RoundTrips) {
    const auto keys = sample_keys();
    const std::string pem = anchor();
    const std::string doc = keys_document(keys, {pem});
    auto parsed = parse_keys_document(doc);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    ASSERT_EQ(parsed->keys.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(parsed->keys[i].kid, keys[i].kid);
        EXPECT_EQ(parsed->keys[i].administration_code, keys[i].administration_code);
        EXPECT_EQ(parsed->keys[i].ed25519_pk, keys[i].ed25519_pk);
        EXPECT_EQ(parsed->keys[i].created_at_ms, keys[i].created_at_ms);
        EXPECT_EQ(parsed->keys[i].active, keys[i].active);
    }
    EXPECT_EQ(parsed->anchors_pem, std::vector<std::string>{pem});
}

TEST(KeysDocument, HasTheDocumentedShape) {
    const auto v = boost::json::parse(keys_document(sample_keys(), {}));
    EXPECT_EQ(v.at("version").as_int64(), 1);
    const auto& k = v.at("keys").as_array().at(1).as_object();
    EXPECT_EQ(k.at("kid").as_string(), "MEF-1");
    EXPECT_EQ(k.at("alg").as_string(), "Ed25519");
    EXPECT_EQ(k.at("administration").as_string(), "MEF");
    EXPECT_EQ(k.at("created_at").as_string(), "2023-11-14T22:13:20.000Z");
    EXPECT_EQ(k.at("status").as_string(), "retired");
    EXPECT_EQ(v.at("keys").as_array().at(0).at("status").as_string(), "active");
    const std::string pk(k.at("public_key").as_string());
    EXPECT_EQ(pk.size(), 43u);  // 32 bytes, base64url without padding
    EXPECT_EQ(pk.find('='), std::string::npos);
    EXPECT_TRUE(v.at("trust_anchors").as_array().empty());
}

TEST(KeysDocument, WholeSecondTimesAreAccepted) {
    std::string doc = keys_document(sample_keys(), {});
    const auto at = doc.find("2023-11-14T22:13:20.000Z");
    ASSERT_NE(at, std::string::npos);
    doc.replace(at, 24, "2023-11-14T22:13:20Z");
    auto parsed = parse_keys_document(doc);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(parsed->keys[1].created_at_ms, 1700000000000);
}

TEST(KeysDocument, MalformedDocumentsAreRefused) {
    const std::string good = keys_document(sample_keys(), {anchor()});
    ASSERT_TRUE(parse_keys_document(good));
    auto with = [&](const std::string& from, const std::string& to) {
        std::string d = good;
        const auto at = d.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) d.replace(at, from.size(), to);
        return d;
    };
    const auto v = boost::json::parse(good);
    const std::string key0(v.at("keys").as_array().at(0).at("public_key").as_string());
    for (const std::string& bad : {
             std::string(""),
             std::string("not json"),
             std::string("[]"),
             std::string("{\"version\":1}"),
             std::string("{\"version\":1,\"keys\":{},\"trust_anchors\":[]}"),
             with("\"version\":1", "\"version\":2"),
             with("\"version\":1", "\"version\":\"1\""),
             with("\"alg\":\"Ed25519\"", "\"alg\":\"ES256\""),
             with("\"status\":\"retired\"", "\"status\":\"revoked\""),
             with("\"kid\":\"MEF-1\"", "\"kid\":\"\""),
             with("\"kid\":\"MEF-1\"", "\"kid\":1"),
             with("\"kid\":\"MEF-1\",", ""),
             with(key0, key0.substr(1)),
             with(key0, key0 + "A"),
             with(key0, key0.substr(0, 42) + "+"),
             with("2023-11-14T22:13:20.000Z", "2023-11-14 22:13:20"),
             with("2023-11-14T22:13:20.000Z", "2023-02-31T22:13:20.000Z"),
             with("2023-11-14T22:13:20.000Z", "2023-11-14T25:13:20.000Z"),
             with("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATX-----"),
             with("\"trust_anchors\":[", "\"trust_anchors\":[1,"),
         }) {
        auto r = parse_keys_document(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "trust.keys_document");
        EXPECT_EQ(r.error().status, 400);
    }
}

TEST(MasterKey, TextRoundTrip) {
    const MasterKey k = random_master_key();
    EXPECT_NE(k, random_master_key());
    const std::string text = master_key_to_text(k);
    EXPECT_EQ(text.size(), 44u);
    EXPECT_EQ(master_key_from_text(text).value(), k);
    EXPECT_EQ(master_key_from_text("  " + text + "\r\n").value(), k);
}

TEST(MasterKey, MalformedTextIsRefused) {
    const std::string text = master_key_to_text(random_master_key());
    std::string noncanonical = text;  // 32 bytes leave 4 unused bits in the last character before '='
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    noncanonical[42] = alphabet[alphabet.find(noncanonical[42]) ^ 1];
    for (const std::string& bad : {
             std::string(""),
             std::string("\n"),
             std::string("abc"),
             text.substr(0, 43),
             text.substr(0, 40),
             codec::b64_encode(std::string(31, 'k')),
             codec::b64_encode(std::string(33, 'k')),
             codec::b64url_encode(std::string(32, '\xff')),
             text.substr(0, 20) + " " + text.substr(20),
             text + text,
             noncanonical,
         }) {
        auto r = master_key_from_text(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "trust.master_key");
    }
}

}  // namespace
