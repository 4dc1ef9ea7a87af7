// Nobody acts out of turn, for someone else, twice, with a stale version, with the wrong action,
// or on another administration's circuit (404).
#include "parapheur_fixture.hpp"

#include <thread>

namespace idara::testing {
namespace {

using parapheur::CircuitState;
using parapheur::StepKind;
using parapheur::StepMode;

class CircuitPermissions : public ParapheurTest {
protected:
    void SetUp() override {
        ParapheurTest::SetUp();
        put_template("two", {step(StepKind::visa, StepMode::all, {mef_head_, mef_head2_}),
                             step(StepKind::signature, StepMode::any, {mef_signer_})});
        c_ = start("two");
        events_ = count("circuit_events");
    }
    void expect_error(const Result<parapheur::Circuit>& r, const std::string& code, int status) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, code);
        EXPECT_EQ(r.error().status, status);
    }
    parapheur::Circuit c_;
    std::int64_t events_ = 0;
};

TEST_P(CircuitPermissions, OutOfTurn) {
    expect_error(circuits_->sign(actor(mef_signer_), c_.id, c_.version, good()), "parapheur.not_your_turn", 409);
    expect_error(circuits_->reject(actor(mef_signer_), c_.id, c_.version, "non"), "parapheur.not_your_turn", 409);
    EXPECT_EQ(count("circuit_events"), events_);
    EXPECT_EQ(reauth_calls_.load(), 0);  // refused before the one-time code is checked (and used)
}

TEST_P(CircuitPermissions, NotAnAssignee) {
    expect_error(circuits_->approve(actor(mef_agent_), c_.id, c_.version), "parapheur.not_assignee", 403);
    expect_error(circuits_->approve(actor(mef_admin_), c_.id, c_.version), "parapheur.not_assignee", 403);
    expect_error(circuits_->reject(actor(mef_signer2_), c_.id, c_.version, "non"), "parapheur.not_assignee", 403);
    EXPECT_EQ(count("circuit_events"), events_);
}

TEST_P(CircuitPermissions, Twice) {
    auto a = circuits_->approve(actor(mef_head_), c_.id, c_.version);
    ASSERT_TRUE(a) << a.error().code;
    expect_error(circuits_->approve(actor(mef_head_), c_.id, a->version), "parapheur.already_acted", 409);
    expect_error(circuits_->reject(actor(mef_head_), c_.id, a->version, "finalement non"), "parapheur.already_acted",
                 409);
}

TEST_P(CircuitPermissions, StaleVersion) {
    auto a = circuits_->approve(actor(mef_head_), c_.id, c_.version);
    ASSERT_TRUE(a);
    expect_error(circuits_->approve(actor(mef_head2_), c_.id, c_.version), "parapheur.version_conflict", 409);
    auto b = circuits_->approve(actor(mef_head2_), c_.id, a->version);
    ASSERT_TRUE(b) << b.error().code;
    EXPECT_EQ(b->current_step, 1);
}

TEST_P(CircuitPermissions, WrongActionForTheStep) {
    expect_error(circuits_->sign(actor(mef_head_), c_.id, c_.version, good()), "parapheur.wrong_action", 409);
    auto a = circuits_->approve(actor(mef_head_), c_.id, c_.version).value();
    auto b = circuits_->approve(actor(mef_head2_), c_.id, a.version).value();
    expect_error(circuits_->approve(actor(mef_signer_), c_.id, b.version), "parapheur.wrong_action", 409);
    EXPECT_FALSE(circuits_->get(principal(mef_signer_), c_.id).value().allowed.approve);
    EXPECT_TRUE(circuits_->get(principal(mef_signer_), c_.id).value().allowed.sign);
}

TEST_P(CircuitPermissions, AnotherAdministrationSeesNothing) {
    expect_error(circuits_->approve(actor(men_signer_), c_.id, c_.version), "resource.not_found", 404);
    expect_error(circuits_->sign(actor(men_signer_), c_.id, c_.version, good()), "resource.not_found", 404);
    expect_error(circuits_->get(principal(men_signer_), c_.id), "resource.not_found", 404);
    auto doc = circuits_->document(principal(men_signer_), c_.id);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().code, "resource.not_found");
    expect_error(circuits_->get(principal(citizen_), c_.id), "resource.not_found", 404);
    // A delegation in another administration does not open this one.
    delegate(mef_head_, men_signer_, men_);
    expect_error(circuits_->approve(actor(men_signer_), c_.id, c_.version), "resource.not_found", 404);
    EXPECT_EQ(count("circuit_events"), events_);
}

TEST_P(CircuitPermissions, AnExpiredOrRevokedDelegationDoesNotCount) {
    delegate(mef_head_, mef_agent_);
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
        auto r = tx.exec("UPDATE delegations SET revoked_at = $1", {clock_.now_ms()});
        if (!r) return r.error();
        return {};
    }));
    expect_error(circuits_->approve(actor(mef_agent_), c_.id, c_.version), "parapheur.not_assignee", 403);
    delegate(mef_head_, mef_agent_);
    clock_.advance(std::chrono::hours(24 * 12));  // past the delegation's last day
    expect_error(circuits_->approve(actor(mef_agent_), c_.id, c_.version), "parapheur.not_assignee", 403);
}

TEST_P(CircuitPermissions, ConcurrentApprovalsOfOneStepConflictCleanly) {
    // Both heads approve at once against the same version: one wins, the other conflicts.
    std::atomic<int> ok{0}, conflict{0};
    auto a1 = actor(mef_head_);
    auto a2 = actor(mef_head2_);
    std::thread t1([&] {
        auto r = circuits_->approve(a1, c_.id, c_.version);
        if (r) ++ok;
        else if (r.error().code == "parapheur.version_conflict" || r.error().code == "storage.busy") ++conflict;
    });
    std::thread t2([&] {
        auto r = circuits_->approve(a2, c_.id, c_.version);
        if (r) ++ok;
        else if (r.error().code == "parapheur.version_conflict" || r.error().code == "storage.busy") ++conflict;
    });
    t1.join();
    t2.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(conflict.load(), 1);
    auto now = circuits_->get(principal(mef_head_), c_.id).value();
    EXPECT_EQ(now.version, c_.version + 1);
    EXPECT_EQ(now.current_step, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CircuitPermissions, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
