// CircuitService: construction and starting a circuit (snapshot of the template's steps).
#include "parapheur/circuits_impl.hpp"

#include "core/text_normalize.hpp"
#include "parapheur/stamp_layout.hpp"

namespace idara::parapheur {

using storage::Tx;

CircuitService::CircuitService(storage::Database& db, storage::BlobStore& blobs, trust::Pki& pki,
                               trust::TimeStamper* tsa, ReAuthenticator reauth, CircuitOptions o, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, blobs, pki, tsa, std::move(reauth), std::move(o), clock)) {}
CircuitService::~CircuitService() = default;

void CircuitService::set_outcome_hook(std::string purpose, OutcomeHook hook) {
    std::lock_guard lock(impl_->hook_mu);
    impl_->hooks[std::move(purpose)] = std::move(hook);
}

Result<std::int64_t> CircuitService::start_in_tx(Tx& tx, const Actor& a, const NewCircuit& n) {
    Impl& im = *impl_;
    auto scope = identity::TenantScope::of(a.who);
    if (!scope) return Error{"parapheur.forbidden", 403, "staff only"};
    const std::int64_t adm = scope->administration_id();
    const std::string title(text::trim(n.title));
    if (!detail::text_ok(title, 1, 300, false)) return Error{"parapheur.title", 400, ""};
    if (n.pdf.size() > im.opts.max_pdf_bytes || n.pdf.rfind("%PDF-", 0) != 0)
        return Error{"parapheur.not_pdf", 400, n.file_name};
    if (auto box = last_page_box(n.pdf); !box) return box.error();
    const std::int64_t now = im.clock.now_ms();

    auto t = tx.query_one(
        "SELECT name_ar, name_fr, steps FROM circuit_templates WHERE administration_id = $1 AND code = $2",
        {adm, n.template_code});
    if (!t) return t.error();
    if (!*t) return Error{"parapheur.unknown_template", 404, n.template_code};
    auto steps = detail::steps_from_json((*t)->as_text(2));
    if (!steps) return steps.error();
    std::vector<std::vector<std::int64_t>> people;
    for (const auto& s : *steps) {
        auto r = detail::resolve(tx, adm, s, a.who.account_id);
        if (!r) return r.error();
        if (r->empty()) return Error{"parapheur.template_invalid", 400, "a step has nobody: " + s.label_fr};
        people.push_back(std::move(*r));
    }
    auto digest = im.blobs.put(tx, n.pdf);
    if (!digest) return digest.error();
    auto id = tx.query_one(
        "INSERT INTO circuits (administration_id, template_code, template_name_ar, template_name_fr, title, purpose, "
        "subject_ref, state, current_step, step_count, version, initiator_id, file_name, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_progress', 0, $8, 1, $9, $10, $11, $11) RETURNING id",
        {adm, n.template_code, (*t)->as_text(0), (*t)->as_text(1), title, n.purpose, n.subject_ref,
         static_cast<std::int64_t>(steps->size()), a.who.account_id, n.file_name, now});
    if (!id) return id.error();
    const std::int64_t cid = (*id)->as_int(0);
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const auto& s = (*steps)[i];
        auto ins = tx.exec(
            "INSERT INTO circuit_steps (circuit_id, idx, kind, mode, label_ar, label_fr, done) VALUES ($1, $2, $3, $4, "
            "$5, $6, 0)",
            {cid, static_cast<std::int64_t>(i), std::string(step_kind_name(s.kind)), std::string(step_mode_name(s.mode)),
             s.label_ar, s.label_fr});
        if (!ins) return ins.error();
        for (auto acc : people[i]) {
            auto x = tx.exec(
                "INSERT INTO circuit_assignees (circuit_id, step_idx, account_id, status) VALUES ($1, $2, $3, $4)",
                {cid, static_cast<std::int64_t>(i), acc, std::string(i == 0 ? "pending" : "waiting")});
            if (!x) return x.error();
        }
    }
    auto v = tx.exec(
        "INSERT INTO circuit_versions (circuit_id, number, blob, size, kind, signer_id, created_at) VALUES ($1, 1, $2, "
        "$3, 'original', NULL, $4)",
        {cid, *digest, static_cast<std::int64_t>(n.pdf.size()), now});
    if (!v) return v.error();
    auto row = detail::load_row(tx, cid);
    if (!row) return row.error();
    if (!*row) return errors::internal("circuit vanished");
    if (auto s = detail::record(tx, (*row)->c, now, "started", a.who.account_id, std::nullopt, -1, "", 1, 1, a.origin);
        !s)
        return s.error();
    return cid;
}

Result<Circuit> CircuitService::start(const Actor& a, NewCircuit n) {
    auto id = impl_->db.write<std::int64_t>([&](Tx& tx) { return start_in_tx(tx, a, n); });
    if (!id) return id.error();
    return get(a.who, *id);
}

}  // namespace idara::parapheur
