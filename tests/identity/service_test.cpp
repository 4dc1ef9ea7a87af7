// identity::Service on both backends: accounts, sessions, tokens, demo data (tenancy: tenant_test.cpp).
#include "identity/demo.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace idara;
using namespace idara::identity;
using namespace std::chrono_literals;
using storage::Backend;

namespace {

using idara::testing::ServiceTest;

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

TEST_P(ServiceTest, LogoutAllEndsEverySessionOfTheAccountOnly) {
    auto s1 = svc_->login("citizen@example.ma", kPassword, "");
    auto s2 = svc_->login("citizen@example.ma", kPassword, "");
    auto other = svc_->login("admin@a.ma", kPassword, "");
    ASSERT_TRUE(s1 && s2 && other);
    ASSERT_TRUE(svc_->logout_all(citizen_));
    EXPECT_EQ(svc_->resolve_session(s1->id).error().code, "auth.required");
    EXPECT_FALSE(svc_->resolve_session(s2->id));
    EXPECT_TRUE(svc_->resolve_session(other->id)) << "other accounts keep their sessions";
}

TEST_P(ServiceTest, PasswordChangeByPrincipalIsThrottled) {
    const auto p = svc_->principal_of(citizen_).value();
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(svc_->change_password(p, "wrong-current-pw", "another-long-passphrase").error().code,
                  "auth.invalid_credentials");
    EXPECT_EQ(svc_->change_password(p, kPassword, "another-long-passphrase").error().code, "auth.rate_limited")
        << "guessing the current password through this form is limited like sign-in";
    clock_.advance(16min);
    EXPECT_TRUE(svc_->change_password(p, kPassword, "another-long-passphrase"));
}

TEST_P(ServiceTest, WeakHashesAreUpgradedAtSignIn) {
    auto stored = [&] {
        return db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
            auto r = tx.query_one("SELECT password_hash FROM accounts WHERE id = $1", {citizen_});
            if (!r) return r.error();
            return (*r)->as_text(0);
        }).value();
    };
    const std::string before = stored();
    ServiceOptions stronger;
    stronger.hash_limits = HashLimits::minimum();
    stronger.hash_limits.ops += 1;
    ASSERT_TRUE(needs_rehash(before, stronger.hash_limits));
    Service s(*db_, stronger, clock_);
    ASSERT_TRUE(s.login("citizen@example.ma", kPassword, ""));
    const std::string after = stored();
    EXPECT_NE(after, before);
    EXPECT_FALSE(needs_rehash(after, stronger.hash_limits));
    EXPECT_TRUE(s.login("citizen@example.ma", kPassword, "")) << "the new hash verifies";
    EXPECT_TRUE(svc_->login("citizen@example.ma", kPassword, ""));
}

TEST_P(ServiceTest, MalformedTextIsRefusedNotAServerError) {
    // Invalid UTF-8 would make PostgreSQL fail the query: it must never get that far.
    const std::string bad = "caf\xC3(\xFF@example.ma";
    auto login = svc_->login(bad, kPassword, "10.0.0.9");
    ASSERT_FALSE(login);
    EXPECT_EQ(login.error().code, "auth.invalid_credentials");
    auto agent = svc_->login("citizen@example.ma", kPassword, "10.0.0.9", "Mozilla/5.0 \xFF\xFE\x01");
    ASSERT_TRUE(agent) << agent.error().code << " " << agent.error().detail;
    NewAccount n;
    n.login = "newcomer@example.ma";
    n.display_name = "Na\xC3me";
    n.password = kPassword;
    EXPECT_EQ(svc_->create_account(n).error().code, "request.invalid");
    n.login = bad;
    n.display_name = "أمينة";
    EXPECT_EQ(svc_->create_account(n).error().code, "account.invalid_login");
    EXPECT_EQ(svc_->create_unit(TenantScope::trusted(a_), {"U2", "\xD8", "Unité", {}}).error().code, "request.invalid");
    EXPECT_EQ(svc_->create_token(citizen_, "\xC0\x80", std::nullopt).error().code, "request.invalid");
}

TEST_P(ServiceTest, TokensOfDisabledAccountsStopWorking) {
    auto t = svc_->create_token(citizen_, "script", std::nullopt);
    ASSERT_TRUE(t);
    ASSERT_TRUE(svc_->resolve_token(*t));
    ASSERT_TRUE(svc_->set_disabled(citizen_, true));
    EXPECT_EQ(svc_->resolve_token(*t).error().code, "auth.required");
    EXPECT_FALSE(svc_->create_token(citizen_, "another", std::nullopt));
    ASSERT_TRUE(svc_->set_disabled(citizen_, false));
    EXPECT_TRUE(svc_->resolve_token(*t));
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
    ASSERT_EQ(roles.size(), 5u);
    for (const auto& [code, r] : roles) EXPECT_EQ(r.size(), 5u) << code;
    auto again = seed_demo(s);
    ASSERT_FALSE(again) << "seeding twice is refused";
    EXPECT_EQ(again.error().code, "demo.not_empty");
    EXPECT_EQ(s.list_administrations().value().size(), 5u) << "and changes nothing";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
