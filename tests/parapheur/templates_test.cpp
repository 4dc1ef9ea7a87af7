// Circuit templates: CRUD by the administration's admin, validation, the snapshot at start.
#include "parapheur_fixture.hpp"

namespace idara::testing {
namespace {

using parapheur::StepKind;
using parapheur::StepMode;
using identity::Role;

class CircuitTemplates : public ParapheurTest {
protected:
    parapheur::CircuitTemplate tmpl(const std::string& code, std::vector<parapheur::StepSpec> steps) {
        parapheur::CircuitTemplate t;
        t.code = code;
        t.name_ar = "نموذج";
        t.name_fr = "Modèle";
        t.steps = std::move(steps);
        return t;
    }
};

TEST_P(CircuitTemplates, AdminCreatesReplacesListsAndDeletes) {
    auto t = tmpl("hr_decision", {step(StepKind::visa, StepMode::any, {}, Role::unit_head, "DB"),
                                  step(StepKind::signature, StepMode::all, {mef_signer_, mef_signer2_})});
    auto no = circuits_->put_template(principal(mef_signer_), t);
    ASSERT_FALSE(no);
    EXPECT_EQ(no.error().code, "parapheur.forbidden");
    auto made = circuits_->put_template(principal(mef_admin_), t);
    ASSERT_TRUE(made) << made.error().code << " " << made.error().detail;
    EXPECT_GT(made->id, 0);
    ASSERT_EQ(made->steps.size(), 2u);
    EXPECT_EQ(made->steps[0].role, Role::unit_head);
    EXPECT_EQ(made->steps[0].unit_code, "DB");
    EXPECT_EQ(made->steps[1].mode, StepMode::all);
    EXPECT_EQ(made->steps[1].account_ids.size(), 2u);

    t.name_fr = "Décision RH";
    auto again = circuits_->put_template(principal(mef_admin_), t).value();
    EXPECT_EQ(again.id, made->id);
    EXPECT_EQ(again.name_fr, "Décision RH");
    // Any staff member of MEF reads them; MEN sees none of them.
    EXPECT_EQ(circuits_->templates(principal(mef_agent_)).value().size(), 1u);
    EXPECT_EQ(circuits_->templates(principal(men_agent_)).value().size(), 0u);
    auto other = circuits_->template_by_code(principal(men_agent_), "hr_decision");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, "parapheur.unknown_template");
    EXPECT_FALSE(circuits_->templates(principal(citizen_)));

    EXPECT_FALSE(circuits_->delete_template(principal(mef_agent_), "hr_decision"));
    EXPECT_TRUE(circuits_->delete_template(principal(mef_admin_), "hr_decision"));
    EXPECT_EQ(circuits_->delete_template(principal(mef_admin_), "hr_decision").error().code,
              "parapheur.unknown_template");
}

TEST_P(CircuitTemplates, InvalidTemplatesAreRefused) {
    auto admin = principal(mef_admin_);
    auto bad = [&](parapheur::CircuitTemplate t) {
        auto r = circuits_->put_template(admin, std::move(t));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, "parapheur.template_invalid");
            EXPECT_EQ(r.error().status, 400);
        }
    };
    bad(tmpl("Bad Code", {step(StepKind::visa, StepMode::any, {mef_head_})}));
    bad(tmpl("", {step(StepKind::visa, StepMode::any, {mef_head_})}));
    bad(tmpl("empty", {}));
    bad(tmpl("nobody", {step(StepKind::visa, StepMode::any, {})}));
    bad(tmpl("foreign", {step(StepKind::visa, StepMode::any, {men_signer_})}));
    bad(tmpl("citizen", {step(StepKind::visa, StepMode::any, {citizen_})}));
    bad(tmpl("nounit", {step(StepKind::visa, StepMode::any, {}, Role::unit_head, "XX")}));
    bad(tmpl("unitrole", {step(StepKind::visa, StepMode::any, {}, Role::signer, "DB")}));
    auto nolabel = step(StepKind::visa, StepMode::any, {mef_head_});
    nolabel.label_ar = " ";
    bad(tmpl("nolabel", {nolabel}));
    std::vector<parapheur::StepSpec> many(21, step(StepKind::visa, StepMode::any, {mef_head_}));
    bad(tmpl("many", many));
    auto noname = tmpl("noname", {step(StepKind::visa, StepMode::any, {mef_head_})});
    noname.name_fr.clear();
    bad(noname);
    EXPECT_EQ(count("circuit_templates"), 0);
}

TEST_P(CircuitTemplates, RunningCircuitsKeepTheirSnapshot) {
    put_template("snap", {step(StepKind::visa, StepMode::any, {mef_head_}),
                          step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c = start("snap");
    // The template now has a single step for someone else.
    put_template("snap", {step(StepKind::visa, StepMode::any, {mef_head2_})});
    auto got = circuits_->get(principal(mef_agent_), c.id).value();
    ASSERT_EQ(got.steps.size(), 2u);
    EXPECT_EQ(got.steps[0].assignees.at(0).account_id, mef_head_);
    auto a = circuits_->approve(actor(mef_head2_), c.id, c.version);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, "parapheur.not_assignee");
    EXPECT_TRUE(circuits_->approve(actor(mef_head_), c.id, c.version));
}

TEST_P(CircuitTemplates, StartChecksTemplateTitleAndDocument) {
    put_template("ok", {step(StepKind::visa, StepMode::any, {mef_head_})});
    parapheur::NewCircuit n{"missing", "Titre", "a.pdf", sample_pdf(), "", ""};
    auto r = circuits_->start(actor(mef_agent_), n);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "parapheur.unknown_template");
    n.template_code = "ok";
    n.pdf = "not a pdf";
    EXPECT_EQ(circuits_->start(actor(mef_agent_), n).error().code, "parapheur.not_pdf");
    n.pdf = "%PDF-1.4 truncated garbage";
    EXPECT_EQ(circuits_->start(actor(mef_agent_), n).error().code, "parapheur.not_pdf");
    n.pdf = sample_pdf();
    n.title = "  ";
    EXPECT_EQ(circuits_->start(actor(mef_agent_), n).error().code, "parapheur.title");
    n.title = "Titre";
    EXPECT_EQ(circuits_->start(actor(citizen_), n).error().code, "parapheur.forbidden");
    EXPECT_EQ(count("circuits"), 0);
    // A role that resolves to nobody makes start fail (nothing stored).
    put_template("noone", {step(StepKind::visa, StepMode::any, {}, Role::unit_head, "BO")});
    n.template_code = "noone";
    EXPECT_EQ(circuits_->start(actor(mef_agent_), n).error().code, "parapheur.template_invalid");
    EXPECT_EQ(count("circuits"), 0);
    EXPECT_EQ(journal_count(), 0);
}

TEST_P(CircuitTemplates, UnitHeadOfTheInitiatorsUnitAndNotTheInitiator) {
    put_template("head", {step(StepKind::visa, StepMode::any, {}, Role::unit_head)});
    // The agent of DB: both heads of DB.
    auto c = start("head");
    EXPECT_EQ(c.steps[0].assignees.size(), 2u);
    // A head of DB starting: the other head only.
    auto d = start("head", mef_head_);
    ASSERT_EQ(d.steps[0].assignees.size(), 1u);
    EXPECT_EQ(d.steps[0].assignees[0].account_id, mef_head2_);
}

INSTANTIATE_TEST_SUITE_P(Backends, CircuitTemplates, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
