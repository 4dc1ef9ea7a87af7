// The central registry in-process: init, registration requests, approval, the signed configuration.
#include "central_fixture.hpp"

#include "exchange/conf.hpp"
#include "trust/keys.hpp"

#include <openssl/x509v3.h>

#include <filesystem>

namespace idara::testing {
namespace {

using exchange::ClientId;

class CentralStore : public CentralTest {};

void expect_error(const Error& e, const char* code, int status) {
    EXPECT_EQ(e.code, code) << e.detail;
    EXPECT_EQ(e.status, status) << e.detail;
}

TEST_F(CentralStore, InitIsIdempotentAndKeepsKeys) {
    const auto ca = read_text(dir_ + "/ca/ca.crt");
    const auto tsa = read_text(dir_ + "/tsa/tsa.crt");
    const auto pk = central_->public_key();
    ASSERT_TRUE(approved("member", member_json("MEN")));
    central_.reset();
    exchange::CentralOptions other;
    other.instance = "XX";  // an existing central.toml is kept
    ASSERT_TRUE(exchange::init_central(dir_, other));
    EXPECT_EQ(read_text(dir_ + "/ca/ca.crt"), ca);
    EXPECT_EQ(read_text(dir_ + "/tsa/tsa.crt"), tsa);
    auto c = exchange::open_central(dir_, clock_);
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)->public_key(), pk);
    auto conf = (*c)->current(clock_.now_ms());
    ASSERT_TRUE(conf);
    EXPECT_EQ(conf->instance, "MA");
    EXPECT_EQ(conf->serial, 1);
    ASSERT_EQ(conf->members.size(), 1u);
    EXPECT_EQ(std::filesystem::status(dir_ + "/ca/ca.key").permissions() & std::filesystem::perms::others_read,
              std::filesystem::perms::none);
}

TEST_F(CentralStore, CaAndTsaCertificates) {
    auto ca = trust::cert_from_pem(read_text(dir_ + "/ca/ca.crt"));
    auto tsa = trust::cert_from_pem(read_text(dir_ + "/tsa/tsa.crt"));
    ASSERT_TRUE(ca && tsa);
    EXPECT_EQ(trust::name_entry(X509_get_subject_name(ca.get()), NID_commonName), "idara exchange development CA");
    EXPECT_EQ(X509_check_issued(ca.get(), tsa.get()), X509_V_OK);
    EXPECT_EQ(X509_get_extended_key_usage(tsa.get()) & XKU_TIMESTAMP, static_cast<uint32_t>(XKU_TIMESTAMP));
    int crit = -1;
    auto* eku = X509_get_ext_d2i(tsa.get(), NID_ext_key_usage, &crit, nullptr);
    ASSERT_NE(eku, nullptr);
    EXPECT_EQ(crit, 1);
    EXTENDED_KEY_USAGE_free(static_cast<EXTENDED_KEY_USAGE*>(eku));
}

TEST_F(CentralStore, OptionsAreValidatedAndUnknownKeysRefused) {
    exchange::CentralOptions bad;
    bad.instance = "M/A";
    expect_error(exchange::init_central(dir_ + "/other", bad).error(), "exchange.central_config", 500);
    bad = {};
    bad.listen = "nowhere";
    expect_error(exchange::init_central(dir_ + "/other", bad).error(), "exchange.central_config", 500);
    bad = {};
    bad.conf_validity_seconds = 0;
    expect_error(exchange::init_central(dir_ + "/other", bad).error(), "exchange.central_config", 500);

    auto o = exchange::load_central_options(dir_);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->listen, "127.0.0.1:8090");
    EXPECT_EQ(o->conf_validity_seconds, 600);
    std::ofstream(dir_ + "/central.toml", std::ios::app) << "colour = \"blue\"\n";
    expect_error(exchange::load_central_options(dir_).error(), "exchange.central_config", 500);
    expect_error(exchange::open_central(dir_, clock_).error(), "exchange.central_config", 500);
    expect_error(exchange::open_central(dir_ + "/missing", clock_).error(), "exchange.central_config", 500);
}

TEST_F(CentralStore, MemberRequestIsStoredPending) {
    auto id = central_->request("member", member_json("MEN"));
    ASSERT_TRUE(id) << id.error().detail;
    auto list = central_->requests("pending");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].id, *id);
    EXPECT_EQ((*list)[0].kind, "member");
    EXPECT_EQ((*list)[0].subject, "MA/GOV/MEN");
    EXPECT_EQ((*list)[0].state, "pending");
    EXPECT_EQ((*list)[0].at_ms, clock_.now_ms());
    EXPECT_TRUE(central_->requests("approved")->empty());
    expect_error(central_->requests("maybe").error(), "request.invalid", 400);
    // Pending facts are not in the configuration.
    auto conf = central_->current(clock_.now_ms());
    ASSERT_TRUE(conf);
    EXPECT_TRUE(conf->members.empty());
    EXPECT_EQ(conf->serial, 0);
}

TEST_F(CentralStore, InvalidMemberRequestsAreRefused) {
    const std::string key = exchange::SigningKey::generate().public_key_b64();
    auto with = [&](const char* field, boost::json::value v) {
        auto o = boost::json::parse(member_json("MEN", key)).as_object();
        if (v.is_null()) o.erase(field);
        else o[field] = v;
        return boost::json::serialize(o);
    };
    const std::vector<std::string> bad = {
        "not json", "[1,2]", "{}", with("class", nullptr), with("class", "G/OV"), with("code", ".."),
        with("code", 7), with("name_ar", ""), with("name_fr", "a\nb"), with("sign_key", "AAAA"),
        with("sign_key", "not base64!"), with("instance", "XX"), with("extra", "x"),
        with("name_fr", boost::json::string(70 * 1024, 'a'))};
    for (const auto& json : bad) {
        auto r = central_->request("member", json);
        ASSERT_FALSE(r) << json.substr(0, 200);
        expect_error(r.error(), "exchange.bad_registration", 400);
    }
    expect_error(central_->request("planet", member_json("MEN")).error(), "exchange.bad_registration", 400);
    EXPECT_TRUE(central_->request("member", with("instance", "MA")));
    EXPECT_EQ(central_->requests("all")->size(), 1u);  // nothing partial from the refusals
}

TEST_F(CentralStore, DuplicatesAreRefusedUntilRejected) {
    auto first = central_->request("member", member_json("MEN"));
    ASSERT_TRUE(first);
    expect_error(central_->request("member", member_json("MEN")).error(), "exchange.duplicate", 409);
    ASSERT_TRUE(central_->reject(*first));
    auto second = central_->request("member", member_json("MEN"));
    ASSERT_TRUE(second);
    ASSERT_TRUE(central_->approve(*second));
    expect_error(central_->request("member", member_json("MEN")).error(), "exchange.duplicate", 409);
    EXPECT_TRUE(central_->request("member", member_json("UNIV")));
}

TEST_F(CentralStore, SubsystemNeedsAnApprovedMember) {
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "bac-results")).error(),
                 "exchange.bad_registration", 400);
    auto pending_member = central_->request("member", member_json("MEN"));
    ASSERT_TRUE(pending_member);
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "bac-results")).error(),
                 "exchange.bad_registration", 400);
    ASSERT_TRUE(central_->approve(*pending_member));
    expect_error(central_->request("subsystem", subsystem_json("XX/GOV/MEN", "bac-results")).error(),
                 "exchange.bad_registration", 400);
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "a/b")).error(),
                 "exchange.bad_registration", 400);
    expect_error(central_->request("subsystem", R"({"member":"MA/GOV/MEN"})").error(), "exchange.bad_registration", 400);
    auto id = central_->request("subsystem", subsystem_json("MA/GOV/MEN", "bac-results"));
    ASSERT_TRUE(id);
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "bac-results")).error(),
                 "exchange.duplicate", 409);
    ASSERT_TRUE(central_->approve(*id));
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "bac-results")).error(),
                 "exchange.duplicate", 409);
}

TEST_F(CentralStore, GatewayCertificateMustComeFromTheCentralCa) {
    approved("member", member_json("MEN"));
    auto foreign = trust::make_dev_pki("elsewhere", "gw");
    ASSERT_TRUE(foreign);
    auto r = central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", trust::to_pem(foreign->seal.cert.get())));
    ASSERT_FALSE(r);
    expect_error(r.error(), "exchange.bad_registration", 400);
    EXPECT_NE(r.error().detail.find("chain"), std::string::npos) << r.error().detail;
    // The CA itself is not a gateway certificate.
    expect_error(central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", read_text(dir_ + "/ca/ca.crt"))).error(),
                 "exchange.bad_registration", 400);
    expect_error(central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", "garbage")).error(),
                 "exchange.bad_registration", 400);
    const auto cert = gateway_cert();
    for (const char* address : {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":8201", "bad host:1", "[abc]:8201", "-gw.example.ma:8201"})
        expect_error(central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", cert, address)).error(),
                     "exchange.bad_registration", 400);
    expect_error(central_->request("gateway", gateway_json("MA/GOV/UNIV", "gw1", cert)).error(),
                 "exchange.bad_registration", 400);
    auto id = central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", cert));
    ASSERT_TRUE(id) << id.error().detail;
    // The same certificate under another code, and the same code again: duplicates.
    expect_error(central_->request("gateway", gateway_json("MA/GOV/MEN", "gw2", cert)).error(), "exchange.duplicate", 409);
    expect_error(central_->request("gateway", gateway_json("MA/GOV/MEN", "gw1", gateway_cert())).error(),
                 "exchange.duplicate", 409);
}

TEST_F(CentralStore, ApproveAndRejectOnlyPendingRequests) {
    auto a = central_->request("member", member_json("MEN"));
    auto b = central_->request("member", member_json("UNIV"));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(central_->approve(*a));
    expect_error(central_->approve(*a).error(), "exchange.not_pending", 409);
    expect_error(central_->reject(*a).error(), "exchange.not_pending", 409);
    ASSERT_TRUE(central_->reject(*b));
    expect_error(central_->approve(*b).error(), "exchange.not_pending", 409);
    expect_error(central_->approve(999).error(), "resource.not_found", 404);
    EXPECT_EQ(central_->requests("approved")->size(), 1u);
    EXPECT_EQ(central_->requests("rejected")->size(), 1u);
    EXPECT_EQ(central_->requests("all")->size(), 2u);
    auto conf = central_->current(clock_.now_ms());
    ASSERT_TRUE(conf);
    EXPECT_EQ(conf->serial, 1);  // a rejection changes nothing
    ASSERT_EQ(conf->members.size(), 1u);
    EXPECT_EQ(conf->members[0].id.str(), "MA/GOV/MEN");
}

TEST_F(CentralStore, ConfigurationHoldsApprovedFactsAndSerialBumps) {
    const auto men_key = exchange::SigningKey::generate();
    approved("member", member_json("MEN", men_key.public_key_b64()));
    approved("member", member_json("UNIV"));
    approved("subsystem", subsystem_json("MA/GOV/MEN", "bac-results"));
    approved("subsystem", subsystem_json("MA/GOV/UNIV", "registration"));
    const auto cert = gateway_cert();
    approved("gateway", gateway_json("MA/GOV/MEN", "gw1", cert, "127.0.0.1:8201"));
    auto c = central_->current(clock_.now_ms());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->serial, 5);
    ASSERT_EQ(c->members.size(), 2u);
    const auto* men = c->member(exchange::MemberId{"MA", "GOV", "MEN"});
    ASSERT_NE(men, nullptr);
    EXPECT_EQ(men->name_ar, "وزارة MEN");
    EXPECT_EQ(men->name_fr, "Ministère MEN");
    EXPECT_EQ(men->sign_key, men_key.public_key());
    EXPECT_EQ(men->subsystems, std::vector<std::string>{"bac-results"});
    ASSERT_EQ(c->gateways.size(), 1u);
    EXPECT_EQ(c->gateways[0].id, "MA/GOV/MEN/gw1");
    EXPECT_EQ(c->gateways[0].owner.str(), "MA/GOV/MEN");
    EXPECT_EQ(c->gateways[0].address, "127.0.0.1:8201");
    EXPECT_EQ(c->gateways[0].tls_cert_sha256, *exchange::cert_digest_from_pem(cert));
    EXPECT_EQ(c->trust_anchors_pem, std::vector<std::string>{read_text(dir_ + "/ca/ca.crt")});
    EXPECT_EQ(c->tsa_url, "http://127.0.0.1:8090/tsa");

    const ClientId reg{"MA", "GOV", "UNIV", "registration"};
    ASSERT_TRUE(central_->add_group_member("universities", reg));
    ASSERT_TRUE(central_->add_group_member("universities", reg));  // already there: no change
    expect_error(central_->add_group_member("universities", ClientId{"MA", "GOV", "UNIV", "nope"}).error(),
                 "exchange.bad_registration", 400);
    expect_error(central_->add_group_member("universities", ClientId{"MA", "GOV", "NOPE", ""}).error(),
                 "exchange.bad_registration", 400);
    expect_error(central_->add_group_member("a/b", reg).error(), "exchange.bad_registration", 400);
    c = central_->current(clock_.now_ms());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->serial, 6);
    EXPECT_TRUE(c->in_group(reg, "universities"));
    EXPECT_FALSE(c->in_group(ClientId{"MA", "GOV", "MEN", "bac-results"}, "universities"));
}

TEST_F(CentralStore, SignatureVerifiesWithTheCentralKeyOnly) {
    approved("member", member_json("MEN"));
    auto env = central_->signed_conf(clock_.now_ms());
    ASSERT_TRUE(env);
    auto conf = exchange::verify_conf(*env, central_->public_key());
    ASSERT_TRUE(conf) << conf.error().detail;
    EXPECT_EQ(conf->serial, 1);
    EXPECT_EQ(conf->members.size(), 1u);
    auto other = exchange::verify_conf(*env, exchange::SigningKey::generate().public_key());
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, "exchange.configuration_signature");
}

TEST_F(CentralStore, ExpiryIsNowPlusValidity) {
    const auto t0 = clock_.now_ms();
    auto c = central_->current(t0);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->issued_at_ms, t0);
    EXPECT_EQ(c->expires_at_ms, t0 + 600'000);
    EXPECT_FALSE(c->expired(t0 + 599'999));
    EXPECT_TRUE(c->expired(t0 + 600'000));
    clock_.advance(std::chrono::minutes(30));
    auto env = central_->signed_conf(clock_.now_ms());
    ASSERT_TRUE(env);
    auto later = exchange::verify_conf(*env, central_->public_key());
    ASSERT_TRUE(later);
    EXPECT_EQ(later->issued_at_ms, t0 + 1'800'000);
    EXPECT_EQ(later->expires_at_ms, t0 + 1'800'000 + 600'000);
}

class CentralCustomOptions : public CentralTest {
    exchange::CentralOptions options() const override {
        exchange::CentralOptions o;
        o.instance = "TEST";
        o.listen = "127.0.0.1:9999";
        o.conf_validity_seconds = 60;
        o.tsa_url = "https://tsa.example.ma/tsr";
        return o;
    }
};

TEST_F(CentralCustomOptions, OptionsReachTheConfiguration) {
    auto c = central_->current(1000);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->instance, "TEST");
    EXPECT_EQ(c->expires_at_ms, 61'000);
    EXPECT_EQ(c->tsa_url, "https://tsa.example.ma/tsr");
    // Members are filed under the central's instance; another instance is refused.
    ASSERT_TRUE(approved("member", member_json("MEN")));
    EXPECT_TRUE(central_->request("subsystem", subsystem_json("TEST/GOV/MEN", "s")));
    expect_error(central_->request("subsystem", subsystem_json("MA/GOV/MEN", "t")).error(), "exchange.bad_registration",
                 400);
}

TEST_F(CentralStore, DevGatewayCertificates) {
    auto ip = trust::cert_from_pem(gateway_cert("127.0.0.1"));
    ASSERT_TRUE(ip);
    EXPECT_EQ(X509_check_ip_asc(ip.get(), "127.0.0.1", 0), 1);
    const uint32_t xku = X509_get_extended_key_usage(ip.get());
    EXPECT_TRUE((xku & XKU_SSL_SERVER) && (xku & XKU_SSL_CLIENT));
    auto ca = trust::cert_from_pem(read_text(dir_ + "/ca/ca.crt"));
    EXPECT_EQ(X509_check_issued(ca.get(), ip.get()), X509_V_OK);
    const auto days = (trust::asn1_time_ms(X509_get0_notAfter(ip.get())) - clock_.now_ms()) / 86'400'000;
    EXPECT_GE(days, 729);
    EXPECT_LE(days, 731);

    auto dns = trust::cert_from_pem(gateway_cert("gw.men.example"));
    ASSERT_TRUE(dns);
    EXPECT_EQ(X509_check_host(dns.get(), "gw.men.example", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(dns.get(), "127.0.0.1", 0), 0);

    expect_error(exchange::issue_dev_gateway_cert(dir_, "not a key", "gw", "127.0.0.1").error(),
                 "exchange.bad_registration", 400);
    expect_error(exchange::issue_dev_gateway_cert(dir_, new_key_pem(), "gw", "bad host").error(),
                 "exchange.bad_registration", 400);
    expect_error(exchange::issue_dev_gateway_cert(dir_ + "/none", new_key_pem(), "gw", "127.0.0.1").error(),
                 "exchange.central_config", 500);
}

}  // namespace
}  // namespace idara::testing
