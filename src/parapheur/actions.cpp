// The actions on a running circuit: approve, sign (signature or seal), reject, return, cancel,
// and the non-blocking opinions.
#include "parapheur/circuits_impl.hpp"

#include "core/text_normalize.hpp"
#include "parapheur/stamp_layout.hpp"
#include "trust/pdf_sign.hpp"
#include "trust/pki.hpp"

namespace idara::parapheur {

using storage::Tx;

namespace {

struct Claimed {
    detail::Row row;   // version already bumped
    detail::Turn turn;
};

// Loads, checks state and version, claims the circuit (version + 1, so a concurrent action on
// the same circuit waits and then conflicts) and finds whom the caller acts as.
Result<Claimed> claim(Tx& tx, const Actor& a, std::int64_t id, std::int64_t expected,
                      std::int64_t now) {
    auto row = detail::load_row(tx, id);
    if (!row) return row.error();
    if (!*row || !detail::is_staff_of(a.who, (*row)->c.administration_id)) return errors::not_found("circuit");
    if ((*row)->c.state != CircuitState::in_progress) return detail::invalid_state(id);
    if ((*row)->c.version != expected) return detail::version_conflict(id);
    auto up = tx.exec(
        "UPDATE circuits SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND state = "
        "'in_progress'",
        {now, id, expected});
    if (!up) return up.error();
    if (*up != 1) return detail::version_conflict(id);
    Claimed c{std::move(**row), {}};
    c.row.c.version = expected + 1;
    auto ids = detail::acting_ids(tx, a.who, c.row.c.administration_id, now);
    if (!ids) return ids.error();
    auto t = detail::turn(tx, c.row, *ids);
    if (!t) return t.error();
    c.turn = *t;
    return c;
}

Result<StepKind> current_kind(Tx& tx, const detail::Row& r) {
    auto s = tx.query_one("SELECT kind FROM circuit_steps WHERE circuit_id = $1 AND idx = $2",
                          {r.c.id, std::int64_t{r.c.current_step}});
    if (!s) return s.error();
    if (!*s) return errors::internal("step missing");
    return parse_step_kind((*s)->as_text(0)).value_or(StepKind::visa);
}

Result<std::string> current_digest(Tx& tx, std::int64_t id) {
    auto r = tx.query_one("SELECT blob FROM circuit_versions WHERE circuit_id = $1 ORDER BY number DESC LIMIT 1", {id});
    if (!r) return r.error();
    if (!*r) return errors::internal("no version");
    return (*r)->as_text(0);
}

Status finish(Tx& tx, CircuitService::Impl& im, const Circuit& c, CircuitState state, const std::string& reason,
              std::int64_t actor, std::int64_t now) {
    auto up = tx.exec("UPDATE circuits SET state = $1, finished_at = $2, updated_at = $2, reject_reason = $3 WHERE id = $4",
                      {std::string(circuit_state_name(state)), now,
                       reason.empty() ? storage::Value(nullptr) : storage::Value(reason), c.id});
    if (!up) return up.error();
    if (c.purpose.empty()) return {};
    auto digest = current_digest(tx, c.id);
    if (!digest) return digest.error();
    Outcome o;
    o.circuit_id = c.id;
    o.administration_id = c.administration_id;
    o.purpose = c.purpose;
    o.subject_ref = c.subject_ref;
    o.state = state;
    o.reason = reason;
    o.pdf_sha256 = *digest;
    o.actor_id = actor;
    o.at_ms = now;
    return im.outcome(tx, o);
}

// Marks the turn done and moves the circuit on when the step is complete.
Status advance(Tx& tx, CircuitService::Impl& im, const Claimed& c, const Actor& a, std::int64_t now) {
    const Circuit& ci = c.row.c;
    const std::int64_t step = ci.current_step;
    auto done = tx.exec(
        "UPDATE circuit_assignees SET status = 'done', acted_at = $1, acted_by = $2 WHERE circuit_id = $3 AND "
        "step_idx = $4 AND account_id = $5 AND status = 'pending'",
        {now, a.who.account_id, ci.id, step, c.turn.assignee});
    if (!done) return done.error();
    if (*done != 1) return detail::version_conflict(ci.id);
    auto mode = tx.query_one("SELECT mode FROM circuit_steps WHERE circuit_id = $1 AND idx = $2", {ci.id, step});
    if (!mode) return mode.error();
    bool step_done = true;
    if (*mode && (*mode)->as_text(0) == "any") {
        auto sk = tx.exec("UPDATE circuit_assignees SET status = 'skipped' WHERE circuit_id = $1 AND step_idx = $2 AND "
                          "status = 'pending'",
                          {ci.id, step});
        if (!sk) return sk.error();
    } else {
        auto left = tx.query_one(
            "SELECT COUNT(*) FROM circuit_assignees WHERE circuit_id = $1 AND step_idx = $2 AND status = 'pending'",
            {ci.id, step});
        if (!left) return left.error();
        step_done = (*left)->as_int(0) == 0;
    }
    if (!step_done) return {};
    auto sd = tx.exec("UPDATE circuit_steps SET done = 1 WHERE circuit_id = $1 AND idx = $2", {ci.id, step});
    if (!sd) return sd.error();
    if (step + 1 >= c.row.step_count) {
        if (auto s = detail::record(tx, ci, now, "completed", a.who.account_id, std::nullopt, -1, "", std::nullopt,
                                    ci.version, a.origin);
            !s)
            return s;
        return finish(tx, im, ci, CircuitState::completed, "", a.who.account_id, now);
    }
    auto nx = tx.exec("UPDATE circuits SET current_step = $1 WHERE id = $2", {step + 1, ci.id});
    if (!nx) return nx.error();
    auto pend = tx.exec(
        "UPDATE circuit_assignees SET status = 'pending', acted_at = NULL, acted_by = NULL WHERE circuit_id = $1 AND "
        "step_idx = $2",
        {ci.id, step + 1});
    if (!pend) return pend.error();
    return {};
}

Error reason_required() { return Error{"parapheur.reason_required", 400, ""}; }

std::string trimmed(std::string_view s) { return std::string(text::trim(s)); }

// The required free text of an action (reason, question, opinion): trimmed, 1..2000 characters.
Result<std::string> required_text(std::string_view s) {
    std::string text = trimmed(s);
    if (!detail::text_ok(text, 1, 2000, true)) return reason_required();
    return text;
}

}  // namespace

Result<Circuit> CircuitService::approve(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                        std::string_view comment) {
    Impl& im = *impl_;
    const std::string text = trimmed(comment);
    if (!text.empty() && !detail::text_ok(text, 1, 2000, true)) return reason_required();
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto c = claim(tx, a, id, expected_version, now);
        if (!c) return c.error();
        auto kind = current_kind(tx, c->row);
        if (!kind) return kind.error();
        if (*kind != StepKind::visa) return Error{"parapheur.wrong_action", 409, "approve on a signature step"};
        if (auto s = detail::record(tx, c->row.c, now, "approved", a.who.account_id, c->turn.on_behalf_of,
                                    c->row.c.current_step, text, std::nullopt, c->row.c.version, a.origin);
            !s)
            return s;
        return advance(tx, im, *c, a, now);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::sign(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                     const ReAuth& reauth) {
    Impl& im = *impl_;
    if (reauth.password.empty() || reauth.totp_code.empty())
        return Error{"parapheur.reauth_required", 401, "password and code"};
    if (!im.reauth) return Error{"parapheur.reauth_required", 401, "no re-authentication configured"};
    const std::int64_t now = im.clock.now_ms();
    // The same checks first without writing, so a refused action does not use up a one-time code.
    auto pre = im.db.read_tx([&](Tx& tx) -> Status {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(a.who, (*row)->c.administration_id)) return errors::not_found("circuit");
        if ((*row)->c.state != CircuitState::in_progress) return detail::invalid_state(id);
        if ((*row)->c.version != expected_version) return detail::version_conflict(id);
        auto ids = detail::acting_ids(tx, a.who, (*row)->c.administration_id, now);
        if (!ids) return ids.error();
        auto t = detail::turn(tx, **row, *ids);
        if (!t) return t.error();
        auto kind = current_kind(tx, **row);
        if (!kind) return kind.error();
        if (*kind == StepKind::visa) return Error{"parapheur.wrong_action", 409, "sign on a visa step"};
        return {};
    });
    if (!pre) return pre.error();
    if (auto s = im.reauth(a.who, reauth.password, reauth.totp_code, a.origin); !s) return s.error();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto c = claim(tx, a, id, expected_version, now);
        if (!c) return c.error();
        const Circuit& ci = c->row.c;
        auto kind = current_kind(tx, c->row);
        if (!kind) return kind.error();
        if (*kind == StepKind::visa) return Error{"parapheur.wrong_action", 409, "sign on a visa step"};
        const bool seal = *kind == StepKind::seal;

        auto digest = current_digest(tx, ci.id);
        if (!digest) return digest.error();
        auto pdf = im.blobs.get(tx, *digest);
        if (!pdf) return pdf.error();
        if (!*pdf) return Error{"storage.corrupt", 500, "circuit document " + *digest};
        auto box = last_page_box(**pdf);
        if (!box) return box.error();

        auto identity = seal ? im.pki.seal_identity(tx, ci.administration_id)
                             : im.pki.signer_identity(tx, a.who.account_id);
        if (!identity) return identity.error();

        auto adm = tx.query_one("SELECT name_ar, name_fr FROM administrations WHERE id = $1", {ci.administration_id});
        if (!adm) return adm.error();
        if (!*adm) return errors::internal("administration missing");
        auto step = tx.query_one("SELECT label_ar, label_fr FROM circuit_steps WHERE circuit_id = $1 AND idx = $2",
                                 {ci.id, std::int64_t{ci.current_step}});
        if (!step) return step.error();
        if (!*step) return errors::internal("step missing");
        auto me = detail::display_name(tx, a.who.account_id);
        if (!me) return me.error();
        StampFacts f;
        f.seal = seal;
        f.signer_name = *me;
        f.label_ar = (*step)->as_text(0);
        f.label_fr = (*step)->as_text(1);
        f.administration_ar = (*adm)->as_text(0);
        f.administration_fr = (*adm)->as_text(1);
        f.at_ms = now;
        if (c->turn.on_behalf_of) {
            auto n = detail::display_name(tx, *c->turn.on_behalf_of);
            if (!n) return n.error();
            f.on_behalf_of_name = *n;
        }
        trust::PdfSignRequest req;
        const int n = c->row.signatures + 1;
        req.field_name = "Sig" + std::to_string(n) + (seal ? "-seal" : "-signature");
        req.reason = (seal ? "Seal, circuit " : "Signature, circuit ") + std::to_string(ci.id) + " step " +
                     std::to_string(ci.current_step + 1);
        req.location = im.opts.location;
        trust::VisibleStamp stamp = stamp_slot(*box, c->row.signatures);
        stamp.lines = stamp_lines(f);
        req.stamp = std::move(stamp);
        auto signed_pdf = trust::sign_pdf(**pdf, **identity, im.tsa, req);
        if (!signed_pdf) return signed_pdf.error();
        auto nd = im.blobs.put(tx, *signed_pdf);
        if (!nd) return nd.error();
        auto vn = tx.query_one("SELECT COALESCE(MAX(number), 0) + 1 FROM circuit_versions WHERE circuit_id = $1",
                               {ci.id});
        if (!vn) return vn.error();
        const std::int64_t number = (*vn)->as_int(0);
        auto iv = tx.exec(
            "INSERT INTO circuit_versions (circuit_id, number, blob, size, kind, signer_id, created_at) VALUES ($1, $2, "
            "$3, $4, $5, $6, $7)",
            {ci.id, number, *nd, static_cast<std::int64_t>(signed_pdf->size()), std::string(seal ? "seal" : "signature"),
             a.who.account_id, now});
        if (!iv) return iv.error();
        auto sc = tx.exec("UPDATE circuits SET signatures = signatures + 1 WHERE id = $1", {ci.id});
        if (!sc) return sc.error();
        if (auto s = detail::record(tx, ci, now, seal ? "sealed" : "signed", a.who.account_id, c->turn.on_behalf_of,
                                    ci.current_step, "", static_cast<int>(number), ci.version, a.origin);
            !s)
            return s;
        return advance(tx, im, *c, a, now);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::reject(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                       std::string_view reason) {
    Impl& im = *impl_;
    auto checked = required_text(reason);
    if (!checked) return checked.error();
    const std::string& text = *checked;
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto c = claim(tx, a, id, expected_version, now);
        if (!c) return c.error();
        const Circuit& ci = c->row.c;
        auto up = tx.exec(
            "UPDATE circuit_assignees SET status = 'rejected', acted_at = $1, acted_by = $2 WHERE circuit_id = $3 AND "
            "step_idx = $4 AND account_id = $5",
            {now, a.who.account_id, ci.id, std::int64_t{ci.current_step}, c->turn.assignee});
        if (!up) return up.error();
        if (auto s = detail::record(tx, ci, now, "rejected", a.who.account_id, c->turn.on_behalf_of, ci.current_step,
                                    text, std::nullopt, ci.version, a.origin);
            !s)
            return s;
        return finish(tx, im, ci, CircuitState::rejected, text, a.who.account_id, now);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::return_to_previous(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                                   std::string_view reason) {
    Impl& im = *impl_;
    auto checked = required_text(reason);
    if (!checked) return checked.error();
    const std::string& text = *checked;
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto c = claim(tx, a, id, expected_version, now);
        if (!c) return c.error();
        const Circuit& ci = c->row.c;
        if (ci.current_step == 0) return Error{"parapheur.no_previous_step", 409, "circuit " + std::to_string(id)};
        const std::int64_t cur = ci.current_step, prev = cur - 1;
        auto w = tx.exec(
            "UPDATE circuit_assignees SET status = 'waiting', acted_at = NULL, acted_by = NULL WHERE circuit_id = $1 "
            "AND step_idx = $2",
            {ci.id, cur});
        if (!w) return w.error();
        auto p = tx.exec(
            "UPDATE circuit_assignees SET status = 'pending', acted_at = NULL, acted_by = NULL WHERE circuit_id = $1 "
            "AND step_idx = $2",
            {ci.id, prev});
        if (!p) return p.error();
        auto s1 = tx.exec("UPDATE circuit_steps SET done = 0 WHERE circuit_id = $1 AND idx IN ($2, $3)", {ci.id, cur, prev});
        if (!s1) return s1.error();
        auto s2 = tx.exec("UPDATE circuits SET current_step = $1 WHERE id = $2", {prev, ci.id});
        if (!s2) return s2.error();
        return detail::record(tx, ci, now, "returned", a.who.account_id, c->turn.on_behalf_of, ci.current_step, text,
                              std::nullopt, ci.version, a.origin);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::cancel(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                       std::string_view reason) {
    Impl& im = *impl_;
    auto checked = required_text(reason);
    if (!checked) return checked.error();
    const std::string& text = *checked;
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(a.who, (*row)->c.administration_id)) return errors::not_found("circuit");
        Circuit& ci = (*row)->c;
        if (ci.initiator_id != a.who.account_id && !a.who.has_role(identity::Role::admin))
            return Error{"parapheur.forbidden", 403, "initiator or admin"};
        if (ci.state != CircuitState::in_progress) return detail::invalid_state(id);
        if (ci.version != expected_version) return detail::version_conflict(id);
        auto up = tx.exec("UPDATE circuits SET version = version + 1 WHERE id = $1 AND version = $2",
                          {id, expected_version});
        if (!up) return up.error();
        if (*up != 1) return detail::version_conflict(id);
        ci.version = expected_version + 1;
        auto sk = tx.exec("UPDATE circuit_assignees SET status = 'skipped' WHERE circuit_id = $1 AND status IN "
                          "('pending', 'waiting')",
                          {id});
        if (!sk) return sk.error();
        if (auto s = detail::record(tx, ci, now, "cancelled", a.who.account_id, std::nullopt, -1, text, std::nullopt,
                                    ci.version, a.origin);
            !s)
            return s;
        return finish(tx, im, ci, CircuitState::cancelled, text, a.who.account_id, now);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::request_opinion(const Actor& a, std::int64_t id, std::int64_t colleague,
                                                std::string_view question) {
    Impl& im = *impl_;
    auto checked = required_text(question);
    if (!checked) return checked.error();
    const std::string& text = *checked;
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(a.who, (*row)->c.administration_id)) return errors::not_found("circuit");
        const Circuit& ci = (*row)->c;
        if (ci.state != CircuitState::in_progress) return detail::invalid_state(id);
        auto ids = detail::acting_ids(tx, a.who, ci.administration_id, now);
        if (!ids) return ids.error();
        auto t = detail::turn(tx, **row, *ids);
        if (!t) return t.error();
        if (colleague == a.who.account_id) return Error{"parapheur.opinion_colleague", 400, "oneself"};
        auto m = tx.query_one(
            "SELECT 1 FROM memberships m JOIN accounts x ON x.id = m.account_id WHERE m.account_id = $1 AND "
            "m.administration_id = $2 AND x.disabled = 0 AND x.kind = 'staff'",
            {colleague, ci.administration_id});
        if (!m) return m.error();
        if (!*m) return Error{"parapheur.opinion_colleague", 400, std::to_string(colleague)};
        auto ins = tx.exec(
            "INSERT INTO circuit_opinions (circuit_id, requested_by, colleague_id, question, requested_at) VALUES ($1, "
            "$2, $3, $4, $5)",
            {id, a.who.account_id, colleague, text, now});
        if (!ins) return ins.error();
        return detail::record(tx, ci, now, "opinion_requested", a.who.account_id, t->on_behalf_of, ci.current_step,
                              text, std::nullopt, ci.version, a.origin);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<Circuit> CircuitService::give_opinion(const Actor& a, std::int64_t id, std::string_view opinion) {
    Impl& im = *impl_;
    auto checked = required_text(opinion);
    if (!checked) return checked.error();
    const std::string& text = *checked;
    const std::int64_t now = im.clock.now_ms();
    auto st = im.db.write_tx([&](Tx& tx) -> Status {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(a.who, (*row)->c.administration_id)) return errors::not_found("circuit");
        const Circuit& ci = (*row)->c;
        if (ci.state != CircuitState::in_progress) return detail::invalid_state(id);
        auto open = tx.query_one(
            "SELECT id FROM circuit_opinions WHERE circuit_id = $1 AND colleague_id = $2 AND given_at IS NULL ORDER BY "
            "id LIMIT 1",
            {id, a.who.account_id});
        if (!open) return open.error();
        if (!*open) {
            auto any = tx.query_one("SELECT 1 FROM circuit_opinions WHERE circuit_id = $1 AND colleague_id = $2",
                                    {id, a.who.account_id});
            if (!any) return any.error();
            if (*any) return Error{"parapheur.already_acted", 409, "opinion given"};
            return Error{"parapheur.not_assignee", 403, "no opinion asked"};
        }
        auto up = tx.exec("UPDATE circuit_opinions SET opinion = $1, given_at = $2 WHERE id = $3 AND given_at IS NULL",
                          {text, now, (*open)->as_int(0)});
        if (!up) return up.error();
        return detail::record(tx, ci, now, "opinion_given", a.who.account_id, std::nullopt, ci.current_step, text,
                              std::nullopt, ci.version, a.origin);
    });
    if (!st) return st.error();
    return get(a.who, id);
}

Result<std::string> CircuitService::seal_in_tx(Tx& tx, std::int64_t administration_id, std::string_view pdf,
                                               const std::string& field_name, const std::string& reason) {
    Impl& im = *impl_;
    auto identity = im.pki.seal_identity(tx, administration_id);
    if (!identity) return identity.error();
    trust::PdfSignRequest req;
    req.field_name = field_name;
    req.reason = reason;
    req.location = im.opts.location;
    return trust::sign_pdf(pdf, **identity, im.tsa, req);
}

}  // namespace idara::parapheur
