// Tenant isolation on both backends: through every function that takes a TenantScope,
// administration A can neither read nor change B's units, staff or roles, and what it
// cannot reach is "not found", exactly like what does not exist.
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace idara;
using namespace idara::identity;

namespace {

class TenantTest : public idara::testing::ServiceTest {
protected:
    void SetUp() override {
        ServiceTest::SetUp();
        sa_.emplace(TenantScope::trusted(a_));
        sb_.emplace(TenantScope::trusted(b_));
        agent_b_ = add("agent@b.ma", AccountKind::staff, "BBB", Role::agent);
    }
    const TenantScope& sa() const { return *sa_; }
    const TenantScope& sb() const { return *sb_; }
    // A default Error (empty code) stands for an unexpected success, so this fails then too.
    static void expect_not_found(const Error& e) {
        EXPECT_EQ(e.code, "resource.not_found");
        EXPECT_EQ(e.status, 404);
    }
    std::optional<TenantScope> sa_, sb_;
    std::int64_t agent_b_ = 0;
};

TEST_P(TenantTest, UnitsAreReadOnlyThroughTheirOwnAdministration) {
    EXPECT_EQ(svc_->get_unit(sa(), ua_).value().administration_id, a_);
    expect_not_found(svc_->get_unit(sa(), ub_).error());
    expect_not_found(svc_->get_unit(sb(), ua_).error());
    EXPECT_EQ(svc_->find_unit(sa(), "ROOT").value().id, ua_);
    EXPECT_EQ(svc_->find_unit(sb(), "ROOT").value().id, ub_);
    auto units = svc_->list_units(sa()).value();
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].id, ua_);
    auto tree = svc_->unit_tree(sb()).value();
    ASSERT_EQ(tree.size(), 1u);
    EXPECT_EQ(tree[0].unit.id, ub_);
}

TEST_P(TenantTest, NoUnitIsCreatedUnderAnotherAdministration) {
    expect_not_found(svc_->create_unit(sa(), {"CHILD", "فرع", "Enfant", ub_}).error());
    EXPECT_EQ(svc_->list_units(sb()).value().size(), 1u) << "nothing was added to B";
    EXPECT_EQ(svc_->list_units(sa()).value().size(), 1u) << "nor to A";
    ASSERT_TRUE(svc_->create_unit(sa(), {"CHILD", "فرع", "Enfant", ua_}));
    EXPECT_EQ(svc_->create_unit(sa(), {"CHILD", "فرع", "Enfant", ua_}).error().code, "unit.code_taken");
    EXPECT_TRUE(svc_->create_unit(sb(), {"CHILD", "فرع", "Enfant", ub_})) << "codes are per administration";
}

TEST_P(TenantTest, NoUnitOfAnotherAdministrationIsUpdatedOrMoved) {
    expect_not_found(svc_->update_unit(sa(), ub_, {"اسم", "Renommée", std::nullopt}).error());
    EXPECT_EQ(svc_->get_unit(sb(), ub_).value().name_fr, "Unité B") << "B's unit is unchanged";
    auto child_a = svc_->create_unit(sa(), {"CHILD", "فرع", "Enfant", ua_}).value();
    // Moving A's unit under B's, or B's under A's, is impossible.
    expect_not_found(svc_->update_unit(sa(), child_a.id, {"فرع", "Enfant", ub_}).error());
    expect_not_found(svc_->update_unit(sa(), ub_, {"فرع", "Enfant", ua_}).error());
    EXPECT_FALSE(svc_->get_unit(sb(), ub_).value().parent_id);
    EXPECT_EQ(svc_->get_unit(sa(), child_a.id).value().parent_id, ua_);
    auto renamed = svc_->update_unit(sa(), child_a.id, {"فرع جديد", "Nouvel enfant", std::nullopt});
    ASSERT_TRUE(renamed) << renamed.error().code;
    EXPECT_EQ(renamed->name_fr, "Nouvel enfant");
    EXPECT_FALSE(renamed->parent_id) << "became a root";
    EXPECT_EQ(renamed->code, "CHILD") << "the code does not change";
}

TEST_P(TenantTest, UnitsNeverMoveUnderThemselves) {
    auto mid = svc_->create_unit(sa(), {"MID", "وسط", "Milieu", ua_}).value();
    auto leaf = svc_->create_unit(sa(), {"LEAF", "فرع", "Feuille", mid.id}).value();
    EXPECT_EQ(svc_->update_unit(sa(), ua_, {"وحدة", "Unité A", leaf.id}).error().code, "unit.invalid_parent");
    EXPECT_EQ(svc_->update_unit(sa(), mid.id, {"وسط", "Milieu", mid.id}).error().code, "unit.invalid_parent");
    EXPECT_FALSE(svc_->get_unit(sa(), ua_).value().parent_id);
    ASSERT_TRUE(svc_->update_unit(sa(), leaf.id, {"فرع", "Feuille", ua_})) << "moving up is fine";
    EXPECT_EQ(svc_->get_unit(sa(), leaf.id).value().parent_id, ua_);
}

TEST_P(TenantTest, UnitTreeListsParentsFirstWithDepths) {
    // ROOT → { A-BO, B-DIR → B-SVC }, and a second root Z-ROOT; created out of order.
    auto dir = svc_->create_unit(sa(), {"B-DIR", "مديرية", "Direction", ua_}).value();
    auto zroot = svc_->create_unit(sa(), {"Z-ROOT", "جذر", "Racine", std::nullopt}).value();
    auto service = svc_->create_unit(sa(), {"B-SVC", "مصلحة", "Service", dir.id}).value();
    auto bo = svc_->create_unit(sa(), {"A-BO", "مكتب الضبط", "Bureau d'ordre", ua_}).value();
    std::vector<std::pair<std::int64_t, int>> got;
    for (const auto& n : svc_->unit_tree(sa()).value()) got.emplace_back(n.unit.id, n.depth);
    const std::vector<std::pair<std::int64_t, int>> want = {
        {ua_, 0}, {bo.id, 1}, {dir.id, 1}, {service.id, 2}, {zroot.id, 0}};
    EXPECT_EQ(got, want);
    auto flat = svc_->list_units(sa()).value();
    ASSERT_EQ(flat.size(), want.size());
    for (std::size_t i = 0; i < flat.size(); ++i) EXPECT_EQ(flat[i].id, want[i].first) << i;
}

TEST_P(TenantTest, StaffListsAndLookUpsStayInTheirAdministration) {
    auto staff = svc_->list_staff(sa()).value();
    ASSERT_EQ(staff.size(), 1u);
    EXPECT_EQ(staff[0].login, "admin@a.ma");
    auto staff_b = svc_->list_staff(sb()).value();
    ASSERT_EQ(staff_b.size(), 2u);
    for (const auto& m : staff_b) EXPECT_NE(m.account_id, staff_a_);
    EXPECT_EQ(svc_->get_staff(sa(), staff_a_).value().memberships.size(), 1u);
    expect_not_found(svc_->get_staff(sa(), staff_b_).error());
    expect_not_found(svc_->get_staff(sa(), agent_b_).error());
    expect_not_found(svc_->get_staff(sa(), citizen_).error());
    expect_not_found(svc_->get_staff(sa(), 987654).error());
}

TEST_P(TenantTest, RolesOfAnotherAdministrationCannotBeGivenOrTaken) {
    expect_not_found(svc_->add_membership(sb(), staff_a_, Role::signer, {}).error());
    expect_not_found(svc_->add_membership(sb(), staff_b_, Role::signer, ua_).error());  // A's unit
    expect_not_found(svc_->add_membership(sa(), citizen_, Role::agent, {}).error());    // not staff
    EXPECT_FALSE(svc_->principal_of(staff_a_).value().has_role(Role::signer));
    ASSERT_TRUE(svc_->add_membership(sb(), agent_b_, Role::signer, ub_));
    ASSERT_TRUE(svc_->add_membership(sa(), staff_a_, Role::signer, ua_));
    expect_not_found(svc_->remove_membership(sa(), agent_b_, Role::signer, ub_).error());
    expect_not_found(svc_->remove_membership(sb(), staff_a_, Role::signer, ua_).error());
    EXPECT_TRUE(svc_->principal_of(agent_b_).value().has_role(Role::signer)) << "B's role survived";
    EXPECT_TRUE(svc_->principal_of(staff_a_).value().has_role(Role::signer));
    ASSERT_TRUE(svc_->remove_membership(sa(), staff_a_, Role::signer, ua_));
    EXPECT_FALSE(svc_->principal_of(staff_a_).value().has_role(Role::signer));
}

TEST_P(TenantTest, MembershipsAreUniqueAndNeverAllRemoved) {
    ASSERT_TRUE(svc_->add_membership(sa(), staff_a_, Role::signer, {}));
    EXPECT_EQ(svc_->add_membership(sa(), staff_a_, Role::signer, {}).error().code, "membership.exists")
        << "without a unit too";
    EXPECT_TRUE(svc_->add_membership(sa(), staff_a_, Role::signer, ua_)) << "another unit is another role";
    expect_not_found(svc_->remove_membership(sa(), staff_a_, Role::agent, {}).error());
    ASSERT_TRUE(svc_->remove_membership(sa(), staff_a_, Role::signer, {}));
    ASSERT_TRUE(svc_->remove_membership(sa(), staff_a_, Role::signer, ua_));
    auto last = svc_->remove_membership(sa(), staff_a_, Role::admin, {});
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().code, "membership.last_role");
    EXPECT_TRUE(svc_->principal_of(staff_a_).value().has_role(Role::admin));
}

TEST_P(TenantTest, StaffOfAnotherAdministrationCannotBeDisabled) {
    auto session_b = svc_->login("agent@b.ma", kPassword, "");
    ASSERT_TRUE(session_b);
    expect_not_found(svc_->set_staff_disabled(sa(), agent_b_, true).error());
    expect_not_found(svc_->set_staff_disabled(sa(), citizen_, true).error());
    EXPECT_TRUE(svc_->resolve_session(session_b->id)) << "B's agent is still signed in";
    ASSERT_TRUE(svc_->set_staff_disabled(sb(), agent_b_, true));
    EXPECT_FALSE(svc_->resolve_session(session_b->id));
    EXPECT_TRUE(svc_->get_staff(sb(), agent_b_).value().disabled);
    EXPECT_EQ(svc_->login("agent@b.ma", kPassword, "").error().code, "auth.invalid_credentials");
    ASSERT_TRUE(svc_->set_staff_disabled(sb(), agent_b_, false));
    EXPECT_TRUE(svc_->login("agent@b.ma", kPassword, ""));
}

TEST_P(TenantTest, APrincipalsScopeIsItsOwnAdministration) {
    auto pa = svc_->principal_of(staff_a_).value();
    EXPECT_EQ(pa.administration_id, a_);
    EXPECT_EQ(TenantScope::of(pa)->administration_id(), a_);
    EXPECT_EQ(TenantScope::of(svc_->principal_of(agent_b_).value())->administration_id(), b_);
    EXPECT_FALSE(TenantScope::of(svc_->principal_of(citizen_).value()));
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, TenantTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
