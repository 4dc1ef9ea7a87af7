// The portal's HTTP exchange client against the real demo exchange: the central, the MEN and
// civil-registry back-ends and the three gateways as separate `idara` processes on loopback
// (tests/exchange/system_fixture.*), called through UNIV's client port as the information system
// MA/GOV/UNIV/registration.
#include "../exchange/system_fixture.hpp"

#include "procedures/exchange_client.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace idara::systest {
namespace {

namespace json = boost::json;

class PortalExchange : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            env_ = std::make_unique<SystemEnv>();
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    }
    static void TearDownTestSuite() { env_.reset(); }
    void SetUp() override {
        if (!env_) GTEST_FAIL() << "environment did not start: " << error_;
    }
    std::unique_ptr<procedures::ExchangeClient> client(long timeout_ms = 10000) {
        return procedures::make_http_exchange_client("http://127.0.0.1:" + std::to_string(env_->client_port(Gw::univ)),
                                                     kUnivClient, timeout_ms);
    }

    static std::unique_ptr<SystemEnv> env_;
    static std::string error_;
};
std::unique_ptr<SystemEnv> PortalExchange::env_;
std::string PortalExchange::error_;

TEST_F(PortalExchange, FetchesTheBacResult) {
    const auto student = demo_student();
    auto r = client()->get(kBacService, "/results/" + student, "EE:amina.elmansouri@example.ma");
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail << "\n" << env_->logs();
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->x_road_id.empty());
    const auto body = json::parse(r->body).as_object();
    EXPECT_EQ(body.at("student_number").as_string(), student);
    EXPECT_EQ(body.at("first_name_fr").as_string(), "Yasmine");
    EXPECT_DOUBLE_EQ(body.at("average").to_number<double>(), 16.42);

    // Each exchange has its own id.
    auto again = client()->get(kBacService, "/results/" + student, "EE:amina.elmansouri@example.ma");
    ASSERT_TRUE(again.has_value());
    EXPECT_NE(again->x_road_id, r->x_road_id);

    // The civil registry too.
    auto birth = client()->get(kBirthService, "/births/" + demo_national_id(), "EE:amina.elmansouri@example.ma");
    ASSERT_TRUE(birth.has_value()) << birth.error().detail;
    EXPECT_EQ(birth->status, 200);
    EXPECT_EQ(json::parse(birth->body).at("national_id").as_string(), demo_national_id());
}

TEST_F(PortalExchange, UnknownStudentIsTheProvidersNotFound) {
    auto r = client()->get(kBacService, "/results/Z999999999", "EE:amina.elmansouri@example.ma");
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(json::parse(r->body).at("error").as_string(), "not_found");
}

TEST_F(PortalExchange, XRoadErrorsAreExchangeFailures) {
    // A service UNIV is not allowed to call: the gateway answers with X-Road-Error.
    auto r = client()->get("MA/GOV/MEN/bac-results/bac-stats", "/results/" + demo_student(), "EE:x");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.exchange_failed");
    EXPECT_EQ(r.error().status, 502);
    // The client as another information system that is not registered.
    auto rogue = procedures::make_http_exchange_client(
        "http://127.0.0.1:" + std::to_string(env_->client_port(Gw::univ)), "MA/GOV/UNIV/nobody");
    auto u = rogue->get(kBacService, "/results/" + demo_student(), "EE:x");
    ASSERT_FALSE(u.has_value());
    EXPECT_EQ(u.error().code, "application.exchange_failed");
}

// Last: it stops UNIV's gateway.
TEST_F(PortalExchange, ZStoppedGatewayIsAnExchangeFailure) {
    env_->stop_gateway(Gw::univ);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = client(3000)->get(kBacService, "/results/" + demo_student(), "EE:amina.elmansouri@example.ma");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.exchange_failed");
    EXPECT_EQ(r.error().status, 502);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    // Nobody listens at all.
    auto none = procedures::make_http_exchange_client("http://127.0.0.1:1", kUnivClient, 2000)
                    ->get(kBacService, "/results/" + demo_student(), "EE:x");
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, "application.exchange_failed");
}

}  // namespace
}  // namespace idara::systest
