// System tests of outages of the central: the configuration expires (Server.ClientProxy.OutdatedGlobalConf),
// and the time-stamping authority (the central's /tsa) is gone beyond the grace period
// (Server.*.TimestampingFailed). Each builds its own environment: they stop the central.
#include "system_fixture.hpp"

#include <sstream>

namespace idara::systest {
namespace {

using namespace std::chrono_literals;

// Polls an exchange until it answers something else than 200 (or `bound` passes); returns that answer.
HttpResult first_failure(const std::function<HttpResult()>& call, std::chrono::milliseconds bound,
                         const std::string& until_type = "") {
    HttpResult last;
    eventually(
        [&] {
            last = call();
            if (until_type.empty()) return !(last.curl_code == 0 && last.status == 200);
            return last.xroad_error() == until_type;
        },
        bound, 200ms);
    return last;
}

std::string metric(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0) return line.substr(line.rfind(' ') + 1);
    return "";
}

// 7. The central stops; once the configuration's validity (10 s, the central's minimum) is over,
// exchanges fail; the central comes back and the refresher picks the configuration up again.
TEST(SystemOutage, ExpiredConfigurationStopsExchanges) {
    EnvOptions o;
    o.conf_validity_seconds = 10;
    o.edit = [](exchange::GatewayConfig& c, Gw) { c.conf_refresh_seconds = 1; };
    std::unique_ptr<SystemEnv> env;
    ASSERT_NO_THROW(env = std::make_unique<SystemEnv>(o));
    const std::string student = demo_student();
    ASSERT_TRUE(is_ok(env->bac(student))) << env->logs();
    // While the central runs the refresher keeps the configuration fresh: exchanges go on past the
    // validity of the copy downloaded at start.
    EXPECT_FALSE(eventually([&] { return !static_cast<bool>(is_ok(env->bac(student))); }, 11s, 500ms)) << env->logs();

    env->stop_central();
    // MEN's copy may expire an instant before UNIV's (its error is then relayed); UNIV's own check
    // must come within the validity plus a refresh period.
    auto r = first_failure([&] { return env->bac(student); }, 30s, "Server.ClientProxy.OutdatedGlobalConf");
    EXPECT_TRUE(is_xroad_error(r, 500, "Server.ClientProxy.OutdatedGlobalConf")) << env->logs();
    EXPECT_TRUE(is_xroad_error(env->birth(demo_national_id()), 500, "Server.ClientProxy.OutdatedGlobalConf"));

    ASSERT_NO_THROW(env->start_central());
    EXPECT_TRUE(eventually([&] { return static_cast<bool>(is_ok(env->bac(student))); }, 20s, 200ms)) << env->logs();
}

// 8. The TSA is gone: exchanges continue within the grace period, then the gateway whose oldest
// un-stamped record is past its grace refuses them; when the TSA is back they are accepted again.
// ETATCIVIL's grace (3 s) is shorter than UNIV's (10 s): first the provider side refuses, then the client side.
TEST(SystemOutage, TimestampingOutageBeyondGrace) {
    EnvOptions o;
    o.edit = [](exchange::GatewayConfig& c, Gw g) {
        c.log.timestamp_interval_seconds = 1;
        if (g == Gw::etatcivil) c.log.timestamp_grace_seconds = 3;
        if (g == Gw::univ) c.log.timestamp_grace_seconds = 10;
    };
    std::unique_ptr<SystemEnv> env;
    ASSERT_NO_THROW(env = std::make_unique<SystemEnv>(o));
    const std::string student = demo_student(), nid = demo_national_id();
    ASSERT_TRUE(is_ok(env->bac(student))) << env->logs();
    ASSERT_TRUE(is_ok(env->birth(nid))) << env->logs();
    ASSERT_TRUE(env->wait_all_stamped(Gw::univ, 20s)) << env->admin_get(Gw::univ, "/metrics").body << env->logs();
    ASSERT_TRUE(env->wait_all_stamped(Gw::etatcivil, 20s)) << env->admin_get(Gw::etatcivil, "/metrics").body;

    env->stop_central();
    // Within the grace period: accepted (their records wait for a stamp).
    EXPECT_TRUE(is_ok(env->birth(nid))) << env->logs();
    EXPECT_TRUE(is_ok(env->bac(student)));

    auto provider = first_failure([&] { return env->birth(nid); }, 30s);
    EXPECT_TRUE(is_xroad_error(provider, 500, "Server.ServerProxy.TimestampingFailed")) << env->logs();
    auto m = env->admin_get(Gw::etatcivil, "/metrics");
    EXPECT_EQ(metric(m.body, "idara_exchange_log_accepting"), "0") << m.body;

    auto client = first_failure([&] { return env->bac(student); }, 30s);
    EXPECT_TRUE(is_xroad_error(client, 500, "Server.ClientProxy.TimestampingFailed")) << env->logs();
    EXPECT_TRUE(is_xroad_error(env->birth(nid), 500, "Server.ClientProxy.TimestampingFailed"));
    m = env->admin_get(Gw::univ, "/metrics");
    EXPECT_EQ(metric(m.body, "idara_exchange_log_accepting"), "0") << m.body;

    ASSERT_NO_THROW(env->start_central());
    EXPECT_TRUE(eventually([&] { return static_cast<bool>(is_ok(env->bac(student))); }, 30s, 200ms)) << env->logs();
    EXPECT_TRUE(eventually([&] { return static_cast<bool>(is_ok(env->birth(nid))); }, 30s, 200ms)) << env->logs();
    m = env->admin_get(Gw::univ, "/metrics");
    EXPECT_EQ(metric(m.body, "idara_exchange_log_accepting"), "1") << m.body;
}

}  // namespace
}  // namespace idara::systest
