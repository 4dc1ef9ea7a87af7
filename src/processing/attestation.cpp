// The silence attestation: who may have it, when, and issuing it once (attestation.hpp).
#include "processing/attestation.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "journal/journal.hpp"
#include "processing/attestation_pdf.hpp"
#include "processing/workflow.hpp"
#include "registry/numbering.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"
#include "trust/pades.hpp"

#include <boost/json.hpp>

#include <optional>

namespace idara::processing {

namespace {

using i18n::Lang;
using storage::Tx;

// What the attestation states and what decides whether it may be issued.
struct Facts {
    std::int64_t entry_id = 0, administration_id = 0;
    std::string register_number, channel, depositor_name, type_code;
    std::optional<std::int64_t> depositor_account_id;
    std::int64_t registered_at = 0, due_at = 0, version = 0;
    int deadline_days = 0;
    bool working_days = false, silence_is_approval = false, cancelled = false;
    State state = State::registered;
    std::optional<std::int64_t> paused_at, completed_at, answered_at;
    std::string administration_code, administration_ar, administration_fr;
    std::string type_ar, type_fr;
};

Result<std::optional<Facts>> load(Tx& tx, const std::string& number) {
    auto row = tx.query_one(
        "SELECT e.id, e.administration_id, e.register_number, e.channel, e.depositor_account_id, e.depositor_name, "
        "e.type_code, e.registered_at, e.deadline_days, e.working_days, e.silence_is_approval, e.status, "
        "f.state, f.version, f.due_at, f.paused_at, f.completed_at, f.answered_at, a.code, a.name_ar, a.name_fr "
        "FROM entries e JOIN entry_flow f ON f.entry_id = e.id JOIN administrations a ON a.id = e.administration_id "
        "WHERE e.register_number = $1",
        {number});
    if (!row) return row.error();
    if (!*row) return std::optional<Facts>();
    const auto& r = **row;
    Facts f;
    f.entry_id = r.as_int(0);
    f.administration_id = r.as_int(1);
    f.register_number = r.as_text(2);
    f.channel = r.as_text(3);
    f.depositor_account_id = r.opt_int(4);
    f.depositor_name = r.as_text(5);
    f.type_code = r.as_text(6);
    f.registered_at = r.as_int(7);
    f.deadline_days = static_cast<int>(r.as_int(8));
    f.working_days = r.as_int(9) != 0;
    f.silence_is_approval = r.as_int(10) != 0;
    f.cancelled = r.as_text(11) == "cancelled";
    f.state = parse_state(r.as_text(12)).value_or(State::registered);
    f.version = r.as_int(13);
    f.due_at = r.as_int(14);
    f.paused_at = r.opt_int(15);
    f.completed_at = r.opt_int(16);
    f.answered_at = r.opt_int(17);
    f.administration_code = r.as_text(18);
    f.administration_ar = r.as_text(19);
    f.administration_fr = r.as_text(20);
    // The type's names: the administration's own definition over the platform default.
    auto type = tx.query_one(
        "SELECT name_ar, name_fr FROM deposit_types WHERE code = $1 AND administration_id IN (0, $2) "
        "ORDER BY administration_id DESC LIMIT 1",
        {f.type_code, f.administration_id});
    if (!type) return type.error();
    f.type_ar = *type ? (*type)->as_text(0) : f.type_code;
    f.type_fr = *type ? (*type)->as_text(1) : f.type_code;
    return std::optional<Facts>(std::move(f));
}

// The depositor's account; for counter deposits, the receiving administration's registry office.
bool may_have(const identity::Principal& who, const Facts& f) {
    if (f.depositor_account_id && *f.depositor_account_id == who.account_id) return true;
    if (f.channel != "counter" || !who.is_staff() || who.administration_id != f.administration_id) return false;
    return who.has_role(identity::Role::registry_clerk) || who.has_role(identity::Role::admin);
}

Status issuable(const Facts& f, std::int64_t now) {
    if (!f.silence_is_approval) return Error{"attestation.not_applicable", 409, f.type_code};
    const bool decided = f.state == State::answered || f.state == State::rejected || f.state == State::transferred ||
                         f.state == State::closed || f.state == State::cancelled;
    if (decided || f.cancelled || f.answered_at) return Error{"attestation.answered", 409, std::string(state_name(f.state))};
    if (f.paused_at) return Error{"attestation.not_due", 409, "clock paused"};
    if (now <= f.due_at) return Error{"attestation.not_due", 409, "due " + i18n::iso_utc(f.due_at)};
    return {};
}

// The attestation issued earlier for this entry, if any.
Result<std::optional<std::string>> issued(Tx& tx, storage::BlobStore& blobs, std::int64_t entry_id) {
    auto row = tx.query_one(
        "SELECT detail FROM entry_events WHERE entry_id = $1 AND kind = 'silence_attested' ORDER BY id LIMIT 1",
        {entry_id});
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>();
    boost::system::error_code ec;
    const auto detail = boost::json::parse((*row)->as_text(0), ec);
    const auto* blob = !ec && detail.is_object() ? detail.as_object().if_contains("blob") : nullptr;
    if (!blob || !blob->is_string()) return errors::internal("silence_attested event without its blob");
    auto pdf = blobs.get(tx, std::string(blob->as_string()));
    if (!pdf) return pdf.error();
    if (!*pdf) return errors::internal("silence attestation blob missing");
    return std::optional<std::string>(std::move(**pdf));
}

std::chrono::sys_seconds seconds(std::int64_t ms) {
    return std::chrono::sys_seconds(std::chrono::seconds(ms / 1000));
}

receipt::Bilingual both(const std::string& key, const std::vector<std::pair<std::string, std::string>>& args) {
    const auto& c = i18n::catalogue();
    return {c.format(Lang::ar, key, args), c.format(Lang::fr, key, args)};
}

receipt::Bilingual when(std::int64_t ms, bool with_time) {
    auto f = with_time ? i18n::format_date_time : i18n::format_date;
    return {f(seconds(ms), Lang::ar), f(seconds(ms), Lang::fr)};
}

detail::AttestationDocument document(const Facts& f, std::int64_t now) {
    detail::AttestationDocument d;
    d.title = f.register_number;
    const std::string days = std::to_string(f.deadline_days);
    const auto completed = when(f.completed_at.value_or(f.registered_at), true);
    const std::string complete_key =
        f.completed_at ? "attestation.complete_after_request" : "attestation.complete_on_deposit";
    d.lines = {
        {"attestation.administration", {f.administration_ar, f.administration_fr}},
        {"attestation.register_number", {receipt::isolate_ltr(f.register_number), f.register_number}},
        {"attestation.depositor", {f.depositor_name, f.depositor_name}},
        {"attestation.type", {f.type_ar, f.type_fr}},
        {"attestation.legal_basis", both("attestation.legal_basis_text", {})},
        {"attestation.deposited_at", when(f.registered_at, true)},
        {"attestation.completed_at",
         {i18n::catalogue().format(Lang::ar, complete_key, {{"date", completed.ar}}),
          i18n::catalogue().format(Lang::fr, complete_key, {{"date", completed.fr}})}},
        {"attestation.deadline",
         both(f.working_days ? "attestation.deadline_working" : "attestation.deadline_calendar", {{"days", days}})},
        {"attestation.due_date", when(f.due_at, false)},
        {"attestation.finding", both("attestation.finding_text", {})},
        {"attestation.issued_at", when(now, true)},
    };
    return d;
}

}  // namespace

AttestationService::AttestationService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                                       const Clock& clock)
    : db_(db), blobs_(blobs), keys_(keys), clock_(clock) {}

Result<bool> AttestationService::available(const identity::Principal& who, std::string_view register_number) {
    const auto parsed = registry::parse_register_number(register_number);
    if (!parsed) return false;
    const std::string number = parsed->text();
    const std::int64_t now = clock_.now_ms();
    return db_.read<bool>([&](Tx& tx) -> Result<bool> {
        auto f = load(tx, number);
        if (!f) return f.error();
        if (!*f || !may_have(who, **f)) return false;
        auto before = issued(tx, blobs_, (*f)->entry_id);
        if (!before) return before.error();
        return before->has_value() || issuable(**f, now).has_value();
    });
}

Result<std::string> AttestationService::silence_attestation(const identity::Principal& who,
                                                            std::string_view register_number,
                                                            std::string_view origin) {
    const auto parsed = registry::parse_register_number(register_number);
    if (!parsed) return errors::not_found("register number");
    const std::string number = parsed->text();
    const std::int64_t now = clock_.now_ms();

    // 1. Access, an attestation issued before, the conditions, the seal keys.
    struct Prepared {
        Facts facts;
        std::optional<std::string> pdf;  // issued before
        std::shared_ptr<const trust::SealKeys> keys;
    };
    auto prepared = db_.read<Prepared>([&](Tx& tx) -> Result<Prepared> {
        auto f = load(tx, number);
        if (!f) return f.error();
        if (!*f || !may_have(who, **f)) return errors::not_found("entry");
        Prepared p{std::move(**f), {}, {}};
        auto before = issued(tx, blobs_, p.facts.entry_id);
        if (!before) return before.error();
        if (*before) {
            p.pdf = std::move(*before);
            return p;
        }
        if (auto s = issuable(p.facts, now); !s) return s.error();
        auto k = keys_.keys_for(tx, p.facts.administration_id);
        if (k) p.keys = *k;
        else if (k.error().code != "trust.no_keys") return k.error();
        return p;
    });
    if (!prepared) return prepared.error();
    if (prepared->pdf) return std::move(*prepared->pdf);
    const Facts& f = prepared->facts;
    if (!prepared->keys) {
        auto k = db_.write<std::shared_ptr<const trust::SealKeys>>(
            [&](Tx& tx) -> Result<std::shared_ptr<const trust::SealKeys>> {
                if (auto s = keys_.ensure_keys(tx, f.administration_id, f.administration_code, f.administration_fr); !s)
                    return s.error();
                return keys_.keys_for(tx, f.administration_id);
            });
        if (!k) return k.error();
        prepared->keys = *k;
    }

    // 2. Render and seal outside any transaction.
    auto pdf = detail::render_attestation_pdf(document(f, now));
    if (!pdf) return pdf.error();
    trust::SealOptions o;
    o.field_name = "Seal";
    o.reason = "Silence attestation " + f.register_number;
    o.location = "Morocco";
    auto sealed = trust::seal_pdf(*pdf, prepared->keys->identity, o);
    if (!sealed) return sealed.error();

    // 3. Store it and record the event, unless the entry changed or someone issued one first.
    return db_.write<std::string>([&](Tx& tx) -> Result<std::string> {
        // Serialises concurrent first calls on this entry (a row lock on PostgreSQL).
        auto lock = tx.exec("UPDATE entry_flow SET version = version WHERE entry_id = $1", {f.entry_id});
        if (!lock) return lock.error();
        auto before = issued(tx, blobs_, f.entry_id);
        if (!before) return before.error();
        if (*before) return std::move(**before);
        auto now_facts = load(tx, number);
        if (!now_facts) return now_facts.error();
        if (!*now_facts) return errors::not_found("entry");
        if (auto s = issuable(**now_facts, now); !s) return s.error();
        // What was rendered must still be true (a recomputed due date, for one).
        if ((*now_facts)->version != f.version || (*now_facts)->due_at != f.due_at)
            return Error{"processing.version_conflict", 409, "the entry changed while the attestation was made"};
        auto digest = blobs_.put(tx, *sealed);
        if (!digest) return digest.error();
        const boost::json::object detail{{"blob", *digest}, {"due_at", (*now_facts)->due_at}, {"issued_at", now}};
        auto ins = tx.exec(
            "INSERT INTO entry_events (entry_id, at, kind, actor_id, detail, origin, version) "
            "VALUES ($1, $2, 'silence_attested', $3, $4, $5, $6)",
            {f.entry_id, now, who.account_id, boost::json::serialize(detail), std::string(origin),
             (*now_facts)->version});
        if (!ins) return ins.error();
        auto leaf = journal::append(
            tx, {f.administration_id, "processing.silence_attested", "entry:" + f.register_number, who.account_id, now,
                 journal::detail_json({{"blob", *digest},
                                       {"due_at", (*now_facts)->due_at},
                                       {"entry_id", f.entry_id},
                                       {"issued_at", now},
                                       {"register_number", f.register_number},
                                       {"version", (*now_facts)->version}})});
        if (!leaf) return leaf.error();
        return std::move(*sealed);
    });
}

}  // namespace idara::processing
