// identity::Service on both backends: accounts, sessions, tokens, tenant isolation, demo data.
#include "fake_clock.hpp"
#include "identity/demo.hpp"
#include "identity/service.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace idara;
using namespace idara::identity;
using namespace std::chrono_literals;
using storage::Backend;

namespace {

class ServiceTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        ServiceOptions o;
        o.hash_limits = HashLimits::minimum();
        o.session_idle = 30min;
        o.session_absolute = 12h;
        o.throttle = {.max_failures_per_login = 3, .max_failures_per_ip = 50, .window = 15min};
        svc_ = std::make_unique<Service>(*db_, o, clock_);
        a_ = svc_->create_administration({"AAA", "إدارة أ", "Administration A", "a@a.ma"}).value();
        b_ = svc_->create_administration({"BBB", "إدارة ب", "Administration B", "b@b.ma"}).value();
        ua_ = svc_->create_unit(TenantScope::trusted(a_), {"ROOT", "وحدة", "Unité A", {}}).value().id;
        ub_ = svc_->create_unit(TenantScope::trusted(b_), {"ROOT", "وحدة", "Unité B", {}}).value().id;
        staff_a_ = add("admin@a.ma", AccountKind::staff, "AAA", Role::admin);
        staff_b_ = add("admin@b.ma", AccountKind::staff, "BBB", Role::admin);
        citizen_ = add("citizen@example.ma", AccountKind::citizen);
    }

    std::int64_t add(const std::string& login, AccountKind kind, std::optional<std::string> adm = {},
                     std::optional<Role> role = {}) {
        NewAccount n;
        n.kind = kind;
        n.login = login;
        n.display_name = "Test " + login;
        n.password = kPassword;
        n.administration_code = adm;
        n.role = role;
        return svc_->create_account(n).value();
    }

    static constexpr const char* kPassword = "a-long-enough-passphrase";
    idara::testing::FakeClock clock_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<Service> svc_;
    std::int64_t a_ = 0, b_ = 0, ua_ = 0, ub_ = 0, staff_a_ = 0, staff_b_ = 0, citizen_ = 0;
};

TEST_P(ServiceTest, LoginResolveLogout) {
    auto s = svc_->login("Admin@A.ma ", kPassword, "10.0.0.1", "test");
    ASSERT_TRUE(s) << s.error().code;
    EXPECT_EQ(s->principal.login, "admin@a.ma");
    EXPECT_EQ(s->principal.administration_id, a_);
    EXPECT_TRUE(s->principal.has_role(Role::admin));
    EXPECT_FALSE(s->principal.has_role(Role::signer));
    EXPECT_GE(s->id.size(), 40u);
    EXPECT_GE(s->csrf_token.size(), 40u);
    auto r = svc_->resolve_session(s->id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->csrf_token, s->csrf_token);
    EXPECT_EQ(r->principal.account_id, staff_a_);
    ASSERT_TRUE(svc_->logout(s->id));
    EXPECT_EQ(svc_->resolve_session(s->id).error().code, "auth.required");
}

TEST_P(ServiceTest, UnknownLoginAndWrongPasswordAreTheSameError) {
    auto wrong = svc_->login("admin@a.ma", "not-the-password", "10.0.0.2");
    auto unknown = svc_->login("nobody@a.ma", "not-the-password", "10.0.0.2");
    ASSERT_FALSE(wrong);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(wrong.error().code, "auth.invalid_credentials");
    EXPECT_EQ(unknown.error().code, wrong.error().code);
    EXPECT_EQ(unknown.error().status, 401);
}

TEST_P(ServiceTest, ThrottlingStopsEvenTheRightPassword) {
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(svc_->login("citizen@example.ma", "wrong-password-x", "10.0.0.3"));
    auto r = svc_->login("citizen@example.ma", kPassword, "10.0.0.3");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "auth.rate_limited");
    clock_.advance(16min);
    EXPECT_TRUE(svc_->login("citizen@example.ma", kPassword, "10.0.0.3"));
}

TEST_P(ServiceTest, SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
    auto s = svc_->login("citizen@example.ma", kPassword, "");
    ASSERT_TRUE(s);
    clock_.advance(20min);
    ASSERT_TRUE(svc_->resolve_session(s->id)) << "activity slides the idle limit";
    clock_.advance(20min);
    ASSERT_TRUE(svc_->resolve_session(s->id));
    clock_.advance(31min);
    EXPECT_FALSE(svc_->resolve_session(s->id)) << "idle too long";
    auto t = svc_->login("citizen@example.ma", kPassword, "");
    ASSERT_TRUE(t);
    for (int i = 0; i < 26; ++i) {
        clock_.advance(29min);
        if (i < 24) {
            EXPECT_TRUE(svc_->resolve_session(t->id)) << i;
        }
    }
    EXPECT_FALSE(svc_->resolve_session(t->id)) << "absolute limit of 12 hours";
}

TEST_P(ServiceTest, DisabledAccountsCannotSignInAndLoseTheirSessions) {
    auto s = svc_->login("citizen@example.ma", kPassword, "");
    ASSERT_TRUE(s);
    ASSERT_TRUE(svc_->set_disabled(citizen_, true));
    EXPECT_FALSE(svc_->resolve_session(s->id));
    auto again = svc_->login("citizen@example.ma", kPassword, "");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "auth.invalid_credentials");
}

TEST_P(ServiceTest, PasswordChangeChecksTheOldOneAndEndsAllSessions) {
    auto s1 = svc_->login("citizen@example.ma", kPassword, "");
    auto s2 = svc_->login("citizen@example.ma", kPassword, "");
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(svc_->change_password(citizen_, "wrong-current-pw", "another-long-passphrase").error().code,
              "auth.invalid_credentials");
    EXPECT_EQ(svc_->change_password(citizen_, kPassword, "short").error().code, "password.too_short");
    ASSERT_TRUE(svc_->change_password(citizen_, kPassword, "another-long-passphrase"));
    EXPECT_FALSE(svc_->resolve_session(s1->id));
    EXPECT_FALSE(svc_->resolve_session(s2->id));
    EXPECT_FALSE(svc_->login("citizen@example.ma", kPassword, ""));
    EXPECT_TRUE(svc_->login("citizen@example.ma", "another-long-passphrase", ""));
}

TEST_P(ServiceTest, ApiTokens) {
    auto t = svc_->create_token(staff_a_, "scanner", 24h);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->rfind("idara_", 0), 0u);
    auto p = svc_->resolve_token(*t);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->account_id, staff_a_);
    EXPECT_TRUE(p->via_token);
    EXPECT_FALSE(svc_->resolve_token(*t + "x"));
    EXPECT_FALSE(svc_->resolve_token("Bearer nonsense"));
    auto list = svc_->list_tokens(staff_a_);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_NE(t->find(list->front().prefix), std::string::npos);
    EXPECT_FALSE(svc_->revoke_token(staff_b_, list->front().id)) << "nobody revokes another's token";
    ASSERT_TRUE(svc_->revoke_token(staff_a_, list->front().id));
    EXPECT_EQ(svc_->resolve_token(*t).error().code, "auth.required");
    auto short_lived = svc_->create_token(staff_a_, "short", 1h);
    ASSERT_TRUE(short_lived);
    clock_.advance(2h);
    EXPECT_FALSE(svc_->resolve_token(*short_lived)) << "expired";
}

TEST_P(ServiceTest, AccountValidation) {
    NewAccount n;
    n.login = "citizen@example.ma";
    n.display_name = "Dup";
    n.password = kPassword;
    EXPECT_EQ(svc_->create_account(n).error().code, "account.login_taken");
    n.login = "with space@x.ma";
    EXPECT_EQ(svc_->create_account(n).error().code, "account.invalid_login");
    n.login = "staffless@x.ma";
    n.kind = AccountKind::staff;
    EXPECT_EQ(svc_->create_account(n).error().code, "request.invalid") << "staff need an administration and role";
    n.administration_code = "ZZZ";
    n.role = Role::agent;
    EXPECT_EQ(svc_->create_account(n).error().code, "resource.not_found");
    EXPECT_FALSE(svc_->list_accounts("ZZZ").value().size());
}

TEST_P(ServiceTest, TenantIsolationOfUnits) {
    const auto sa = TenantScope::trusted(a_), sb = TenantScope::trusted(b_);
    EXPECT_TRUE(svc_->get_unit(sa, ua_));
    EXPECT_EQ(svc_->get_unit(sa, ub_).error().code, "resource.not_found");
    EXPECT_EQ(svc_->get_unit(sb, ua_).error().code, "resource.not_found");
    EXPECT_EQ(svc_->find_unit(sa, "ROOT").value().id, ua_);
    EXPECT_EQ(svc_->find_unit(sb, "ROOT").value().id, ub_);
    for (const auto& u : svc_->list_units(sa).value()) EXPECT_EQ(u.administration_id, a_);
    // Building under another administration's unit is impossible and reveals nothing.
    auto child = svc_->create_unit(sa, {"CHILD", "فرع", "Enfant", ub_});
    ASSERT_FALSE(child);
    EXPECT_EQ(child.error().code, "resource.not_found");
    EXPECT_TRUE(svc_->create_unit(sa, {"CHILD", "فرع", "Enfant", ua_}));
    EXPECT_EQ(svc_->create_unit(sa, {"CHILD", "فرع", "Enfant", ua_}).error().code, "unit.code_taken");
    EXPECT_TRUE(svc_->create_unit(sb, {"CHILD", "فرع", "Enfant", ub_})) << "codes are per administration";
}

TEST_P(ServiceTest, TenantIsolationOfStaffAndMemberships) {
    const auto sa = TenantScope::trusted(a_), sb = TenantScope::trusted(b_);
    auto staff = svc_->list_staff(sa).value();
    ASSERT_EQ(staff.size(), 1u);
    EXPECT_EQ(staff[0].login, "admin@a.ma");
    for (const auto& m : svc_->list_staff(sb).value()) EXPECT_NE(m.account_id, staff_a_);
    // B cannot give roles to A's staff, nor attach anyone to A's units.
    EXPECT_EQ(svc_->add_membership(sb, staff_a_, Role::signer, {}).error().code, "resource.not_found");
    EXPECT_EQ(svc_->add_membership(sb, staff_b_, Role::signer, ua_).error().code, "resource.not_found");
    EXPECT_EQ(svc_->add_membership(sa, citizen_, Role::agent, {}).error().code, "resource.not_found")
        << "citizens are not staff";
    ASSERT_TRUE(svc_->add_membership(sa, staff_a_, Role::signer, ua_));
    EXPECT_TRUE(svc_->principal_of(staff_a_).value().has_role(Role::signer));
    EXPECT_FALSE(svc_->principal_of(staff_b_).value().has_role(Role::signer));
    // A principal's scope is its own administration; citizens have none.
    auto pa = svc_->principal_of(staff_a_).value();
    EXPECT_EQ(TenantScope::of(pa)->administration_id(), a_);
    EXPECT_FALSE(TenantScope::of(svc_->principal_of(citizen_).value()));
}

TEST_P(ServiceTest, DemoDataGivesEveryPromisedLoginAndTheyWork) {
    auto db = idara::testing::fresh_database(GetParam());
    ServiceOptions o;
    o.hash_limits = HashLimits::minimum();
    Service s(*db, o, clock_);
    auto logins = seed_demo(s);
    ASSERT_TRUE(logins) << logins.error().code << " " << logins.error().detail;
    EXPECT_GE(s.list_administrations().value().size(), 3u);
    int citizens = 0, companies = 0, operators = 0;
    std::map<std::string, std::set<std::string>> roles;
    for (const auto& d : *logins) {
        citizens += d.kind == "citizen";
        companies += d.kind == "company";
        operators += d.kind == "operator";
        if (d.kind == "staff") roles[d.administration_code].insert(d.role);
        auto session = s.login(d.login, d.password, "");
        EXPECT_TRUE(session) << d.login;
    }
    EXPECT_EQ(citizens, 2);
    EXPECT_EQ(companies, 1);
    EXPECT_EQ(operators, 1);
    ASSERT_EQ(roles.size(), 3u);
    for (const auto& [code, r] : roles) EXPECT_EQ(r.size(), 5u) << code;
    EXPECT_FALSE(seed_demo(s)) << "seeding twice is refused";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
