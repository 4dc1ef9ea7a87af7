// The demo circuit templates of every administration (demo.hpp).
#include "parapheur/demo.hpp"

#include "core/i18n.hpp"
#include "parapheur/circuits.hpp"

namespace idara::parapheur {

namespace {

StepSpec step(StepKind kind, StepMode mode, identity::Role role, const char* label) {
    const auto& c = i18n::catalogue();
    StepSpec s;
    s.kind = kind;
    s.mode = mode;
    s.role = role;
    const std::string key = std::string("parapheur.demo.step.") + label;
    s.label_ar = c.get(i18n::Lang::ar, key);
    s.label_fr = c.get(i18n::Lang::fr, key);
    return s;
}

CircuitTemplate named(const char* code, std::vector<StepSpec> steps) {
    const auto& c = i18n::catalogue();
    CircuitTemplate t;
    t.code = code;
    t.name_ar = c.get(i18n::Lang::ar, std::string("parapheur.demo.") + code);
    t.name_fr = c.get(i18n::Lang::fr, std::string("parapheur.demo.") + code);
    t.steps = std::move(steps);
    return t;
}

using identity::Role;

}  // namespace

Status put_outgoing_letter_template(storage::Tx& tx, std::int64_t adm, std::int64_t now) {
    auto t = CircuitService::put_template_in_tx(
        tx, adm,
        named("outgoing_letter", {step(StepKind::visa, StepMode::any, Role::unit_head, "unit_head_visa"),
                                  step(StepKind::signature, StepMode::any, Role::signer, "signer_signature")}),
        now);
    if (!t) return t.error();
    return {};
}

Status seed_demo_templates(storage::Database& db, std::int64_t now) {
    return db.write_tx([&](storage::Tx& tx) -> Status {
        auto rows = tx.query("SELECT id FROM administrations ORDER BY id");
        if (!rows) return rows.error();
        for (const auto& r : *rows) {
            const std::int64_t adm = r.as_int(0);
            const std::vector<CircuitTemplate> all{
                named("hr_decision", {step(StepKind::visa, StepMode::any, Role::unit_head, "unit_head_visa"),
                                      step(StepKind::visa, StepMode::any, Role::admin, "admin_visa"),
                                      step(StepKind::signature, StepMode::any, Role::signer, "signer_signature"),
                                      step(StepKind::seal, StepMode::any, Role::signer, "seal")}),
                named("purchase_order", {step(StepKind::visa, StepMode::any, Role::unit_head, "unit_head_visa"),
                                         step(StepKind::signature, StepMode::all, Role::signer, "signer_signature")}),
                named("internal_note", {step(StepKind::visa, StepMode::any, Role::unit_head, "unit_head_visa")}),
                named("evaluation_decision", {step(StepKind::visa, StepMode::any, Role::unit_head, "unit_head_visa"),
                                              step(StepKind::signature, StepMode::any, Role::signer, "signer_signature"),
                                              step(StepKind::seal, StepMode::any, Role::signer, "seal")}),
            };
            for (const auto& t : all)
                if (auto x = CircuitService::put_template_in_tx(tx, adm, t, now); !x) return x.error();
            if (auto s = put_outgoing_letter_template(tx, adm, now); !s) return s;
        }
        return {};
    });
}

}  // namespace idara::parapheur
