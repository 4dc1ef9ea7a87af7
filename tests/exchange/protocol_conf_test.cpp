// The signed global configuration (exchange/conf.hpp).
#include "exchange/conf.hpp"
#include "trust/keys.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace idara::exchange;
namespace json = boost::json;

const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');

GlobalConf sample(const SigningKey& men, const SigningKey& univ) {
    GlobalConf c;
    c.instance = "MA";
    c.serial = 7;
    c.issued_at_ms = 1'000'000;
    c.expires_at_ms = 1'600'000;
    c.members.push_back(MemberInfo{{"MA", "GOV", "MEN"}, "وزارة التربية الوطنية", "Ministère de l'Éducation nationale",
                                   {"bac-results"}, men.public_key()});
    c.members.push_back(MemberInfo{{"MA", "GOV", "UNIV"}, "الجامعة", "Université", {"registration", "library"},
                                   univ.public_key()});
    c.gateways.push_back(GatewayInfo{"MA/GOV/MEN/gw1", {"MA", "GOV", "MEN"}, "127.0.0.1:8101", kDigestA});
    c.gateways.push_back(GatewayInfo{"MA/GOV/UNIV/gw1", {"MA", "GOV", "UNIV"}, "localhost:8103", kDigestB});
    c.groups.push_back(GroupInfo{"universities", {ClientId{"MA", "GOV", "UNIV", "registration"}}});
    c.groups.push_back(GroupInfo{"ministries", {ClientId{"MA", "GOV", "MEN", ""}}});
    c.trust_anchors_pem = {"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"};
    c.tsa_url = "http://127.0.0.1:8090/tsa";
    return c;
}

class Conf : public ::testing::Test {
protected:
    SigningKey central = SigningKey::generate();
    SigningKey men = SigningKey::generate();
    SigningKey univ = SigningKey::generate();
    GlobalConf conf = sample(men, univ);

    // The configuration JSON with one change applied.
    std::string mutated(const std::function<void(json::object&)>& f) const {
        json::value v = json::parse(to_json(conf));
        f(v.as_object());
        return json::serialize(v);
    }
    void expect_refused(const std::function<void(json::object&)>& f, const std::string& why) const {
        auto r = conf_from_json(mutated(f));
        ASSERT_FALSE(r) << why;
        EXPECT_EQ(r.error().code, "exchange.bad_configuration") << why;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_FALSE(r.error().detail.empty());
    }
};

TEST_F(Conf, JsonRoundTrip) {
    auto back = conf_from_json(to_json(conf));
    ASSERT_TRUE(back) << back.error().detail;
    EXPECT_EQ(to_json(*back), to_json(conf));
    EXPECT_EQ(back->instance, "MA");
    EXPECT_EQ(back->serial, 7);
    ASSERT_EQ(back->members.size(), 2u);
    EXPECT_EQ(back->members[0].name_ar, "وزارة التربية الوطنية");
    EXPECT_EQ(back->members[0].sign_key, men.public_key());
    EXPECT_EQ(back->members[1].subsystems, (std::vector<std::string>{"registration", "library"}));
    EXPECT_EQ(back->gateways[1].owner.str(), "MA/GOV/UNIV");
    EXPECT_EQ(back->groups[0].members[0].str(), "MA/GOV/UNIV/registration");
    EXPECT_EQ(back->tsa_url, conf.tsa_url);
}

TEST_F(Conf, Lookups) {
    EXPECT_NE(conf.member({"MA", "GOV", "MEN"}), nullptr);
    EXPECT_EQ(conf.member({"MA", "GOV", "NOPE"}), nullptr);
    EXPECT_TRUE(conf.has_client({"MA", "GOV", "UNIV", "registration"}));
    EXPECT_TRUE(conf.has_client({"MA", "GOV", "UNIV", ""}));
    EXPECT_FALSE(conf.has_client({"MA", "GOV", "UNIV", "bac-results"}));
    EXPECT_FALSE(conf.has_client({"MA", "GOV", "NOPE", ""}));
    ASSERT_EQ(conf.gateways_of({"MA", "GOV", "MEN"}).size(), 1u);
    EXPECT_EQ(conf.gateways_of({"MA", "GOV", "MEN"})[0]->id, "MA/GOV/MEN/gw1");
    EXPECT_TRUE(conf.gateways_of({"MA", "GOV", "NOPE"}).empty());
    ASSERT_NE(conf.gateway_by_digest(kDigestB), nullptr);
    EXPECT_EQ(conf.gateway_by_digest(kDigestB)->id, "MA/GOV/UNIV/gw1");
    EXPECT_EQ(conf.gateway_by_digest(std::string(64, 'c')), nullptr);
    EXPECT_TRUE(conf.in_group({"MA", "GOV", "UNIV", "registration"}, "universities"));
    EXPECT_FALSE(conf.in_group({"MA", "GOV", "UNIV", "library"}, "universities"));
    EXPECT_FALSE(conf.in_group({"MA", "GOV", "UNIV", "registration"}, "ministries"));
    // A member-level entry covers the member and all its subsystems.
    EXPECT_TRUE(conf.in_group({"MA", "GOV", "MEN", "bac-results"}, "ministries"));
    EXPECT_TRUE(conf.in_group({"MA", "GOV", "MEN", ""}, "ministries"));
    EXPECT_FALSE(conf.in_group({"MA", "GOV", "MEN", ""}, "nope"));
}

TEST_F(Conf, Expiry) {
    EXPECT_FALSE(conf.expired(1'599'999));
    EXPECT_TRUE(conf.expired(1'600'000));
    EXPECT_TRUE(conf.expired(2'000'000));
}

TEST_F(Conf, SignAndVerify) {
    const auto env = sign_conf(conf, central);
    auto v = verify_conf(env, central.public_key());
    ASSERT_TRUE(v) << v.error().detail;
    EXPECT_EQ(to_json(*v), to_json(conf));
    const auto o = json::parse(env).as_object();
    EXPECT_EQ(o.at("key_id").as_string(), central.key_id());
    EXPECT_EQ(o.at("configuration").as_string(), to_json(conf));
}

TEST_F(Conf, WrongKeyRefused) {
    const auto env = sign_conf(conf, central);
    auto other = SigningKey::generate();
    auto r = verify_conf(env, other.public_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "exchange.configuration_signature");
    // Signed by another key that claims the pinned key's id.
    json::value forged = json::parse(sign_conf(conf, other));
    forged.as_object()["key_id"] = central.key_id();
    auto f = verify_conf(json::serialize(forged), central.public_key());
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, "exchange.configuration_signature");
}

TEST_F(Conf, TamperedRefused) {
    json::value env = json::parse(sign_conf(conf, central));
    std::string text(env.as_object()["configuration"].as_string());
    const auto at = text.find("\"serial\":7");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 10, "\"serial\":8");
    env.as_object()["configuration"] = text;
    auto r = verify_conf(json::serialize(env), central.public_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "exchange.configuration_signature");

    json::value bad_sig = json::parse(sign_conf(conf, central));
    bad_sig.as_object()["signature"] = "not base64";
    auto s = verify_conf(json::serialize(bad_sig), central.public_key());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "exchange.configuration_signature");
}

TEST_F(Conf, MalformedEnvelope) {
    for (const std::string& bad : std::vector<std::string>{std::string(""), std::string("[]"), std::string("{"), std::string("{}"),
                                  std::string(R"({"configuration": 1, "key_id": "x", "signature": "y"})"),
                                  std::string(R"({"configuration": "{}", "key_id": "x", "signature": "y", "z": 1})")}) {
        auto r = verify_conf(bad, central.public_key());
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_configuration") << bad;
    }
    // A valid signature over an invalid document is still refused, as a bad configuration.
    const std::string text = R"({"instance": "MA"})";
    json::object env{{"configuration", text}, {"key_id", central.key_id()}, {"signature", b64(central.sign(text))}};
    auto r = verify_conf(json::serialize(env), central.public_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "exchange.bad_configuration");
}

TEST_F(Conf, InvalidDocuments) {
    expect_refused([](json::object& o) { o.erase("members"); }, "missing members");
    expect_refused([](json::object& o) { o["extra"] = 1; }, "unknown key");
    expect_refused([](json::object& o) { o["instance"] = "M A"; }, "bad instance");
    expect_refused([](json::object& o) { o["serial"] = -1; }, "negative serial");
    expect_refused([](json::object& o) { o["serial"] = 1.5; }, "fractional serial");
    expect_refused([](json::object& o) { o["expires_at"] = o["issued_at"]; }, "expires == issued");
    expect_refused([](json::object& o) { o["tsa_url"] = "ftp://x"; }, "tsa url");
    expect_refused([](json::object& o) { o["members"].as_array().push_back(o["members"].as_array()[0]); },
                   "duplicate member");
    expect_refused([](json::object& o) { o["members"].as_array()[0].as_object()["code"] = "../x"; }, "bad code");
    expect_refused([](json::object& o) { o["members"].as_array()[0].as_object()["sign_key"] = "AAAA"; }, "short key");
    expect_refused([](json::object& o) { o["members"].as_array()[0].as_object()["subsystems"] = json::array{"a", "a"}; },
                   "duplicate subsystem");
    expect_refused([](json::object& o) { o["gateways"].as_array().push_back(o["gateways"].as_array()[0]); },
                   "duplicate gateway");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["tls_cert_sha256"] = std::string(64, 'A'); },
                   "upper-case digest");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["tls_cert_sha256"] = "abc"; },
                   "short digest");
    expect_refused([&](json::object& o) { o["gateways"].as_array()[1].as_object()["tls_cert_sha256"] = kDigestA; },
                   "digest used twice");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["address"] = "127.0.0.1"; },
                   "address without port");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["address"] = "127.0.0.1:99999"; },
                   "port out of range");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["owner"] = "XX/GOV/MEN"; },
                   "owner of another instance");
    expect_refused([](json::object& o) { o["gateways"].as_array()[0].as_object()["id"] = "MA/GOV/UNIV/gw9"; },
                   "id not under owner");
    expect_refused([](json::object& o) {
        auto& g = o["gateways"].as_array()[0].as_object();
        g["owner"] = "MA/GOV/NOPE";
        g["id"] = "MA/GOV/NOPE/gw1";
    }, "owner not a member");
    expect_refused([](json::object& o) { o["groups"].as_array()[0].as_object()["members"] = json::array{"XX/GOV/UNIV"}; },
                   "group member of another instance");
    expect_refused([](json::object& o) { o["groups"].as_array().push_back(o["groups"].as_array()[0]); },
                   "duplicate group");
    expect_refused([](json::object& o) { o["trust_anchors"] = json::array{1}; }, "anchor not a string");
    auto big = conf_from_json(std::string(4 * 1024 * 1024 + 1, ' '));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, "exchange.bad_configuration");
    auto deep = conf_from_json(std::string(100, '[') + std::string(100, ']'));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, "exchange.bad_configuration");
}

TEST_F(Conf, CacheSaveLoad) {
    const auto dir = std::filesystem::temp_directory_path() / ("idara-protocol-conf-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "conf-cache.json").string();
    const auto env = sign_conf(conf, central);
    ASSERT_TRUE(save_conf_cache(path, env));
    auto loaded = load_conf_cache(path, central.public_key());
    ASSERT_TRUE(loaded) << loaded.error().detail;
    EXPECT_EQ(to_json(*loaded), to_json(conf));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temporary left

    auto wrong = load_conf_cache(path, men.public_key());
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "exchange.configuration_signature");

    std::ofstream(path, std::ios::trunc) << env.substr(0, env.size() / 2);
    auto cut = load_conf_cache(path, central.public_key());
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code, "exchange.bad_configuration");

    auto missing = load_conf_cache((dir / "none.json").string(), central.public_key());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "exchange.conf_cache");
    auto unwritable = save_conf_cache((dir / "no/such/dir.json").string(), env);
    ASSERT_FALSE(unwritable);
    EXPECT_EQ(unwritable.error().code, "exchange.conf_cache");
    std::filesystem::remove_all(dir);
}

TEST(ConfCert, DigestFromPem) {
    auto root = idara::trust::make_dev_root("Test");
    ASSERT_TRUE(root);
    const std::string pem = idara::trust::to_pem(root->cert.get());
    auto d = cert_digest_from_pem(pem);
    ASSERT_TRUE(d) << d.error().detail;
    EXPECT_EQ(*d, idara::trust::cert_sha256_hex(root->cert.get()));
    EXPECT_EQ(d->size(), 64u);
    for (const std::string& bad : std::vector<std::string>{std::string(""), std::string("hello"), pem.substr(0, pem.size() / 2)}) {
        auto r = cert_digest_from_pem(bad);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "exchange.bad_certificate");
    }
}

}  // namespace
