// Reading letters back from the database, visibility and roles, shared by the service files.
#include "outgoing/letters_impl.hpp"

#include "core/dates.hpp"
#include "journal/journal.hpp"
#include "outgoing/template.hpp"

namespace idara::outgoing {

using identity::Principal;
using identity::Role;
using storage::Tx;

namespace {

template <class E, std::size_t N>
std::optional<E> parse_from(std::string_view s, const E (&all)[N], std::string_view (*name)(E)) {
    for (E e : all)
        if (name(e) == s) return e;
    return std::nullopt;
}

constexpr LetterState kStates[] = {LetterState::draft, LetterState::pending_approval, LetterState::approved,
                                   LetterState::dispatched};
constexpr Template kTemplates[] = {Template::acknowledgement, Template::answer, Template::refusal,
                                   Template::information_request};
constexpr RecipientKind kKinds[] = {RecipientKind::depositor, RecipientKind::account, RecipientKind::administration,
                                    RecipientKind::address};

constexpr const char* kColumns =
    "SELECT l.id, l.administration_id, a.code, l.state, l.version, l.lang, l.in_reply_to, e.register_number, "
    "l.recipient_kind, l.recipient_account_id, ra.code, l.recipient_name, l.recipient_address, l.recipient_email, "
    "l.subject, l.template, l.body, l.upload_blob, l.upload_name, l.author_id, l.return_reason, l.register_number, "
    "l.approved_by, l.approved_at, l.dispatched_at, l.pdf_blob, l.created_at, l.updated_at, "
    "e.depositor_account_id, l.recipient_administration_id, l.circuit_id "
    "FROM outgoing_letters l JOIN administrations a ON a.id = l.administration_id "
    "LEFT JOIN entries e ON e.id = l.in_reply_to "
    "LEFT JOIN administrations ra ON ra.id = l.recipient_administration_id ";

detail::Stored from_row(const storage::Row& r) {
    detail::Stored s;
    Letter& l = s.letter;
    l.id = r.as_int(0);
    l.administration_id = r.as_int(1);
    l.administration_code = r.as_text(2);
    l.state = parse_state(r.as_text(3)).value_or(LetterState::draft);
    l.version = r.as_int(4);
    l.lang = i18n::parse_lang(r.as_text(5)).value_or(i18n::Lang::ar);
    l.in_reply_to = r.opt_int(6);
    l.in_reply_to_number = r.opt_text(7);
    l.recipient.kind = parse_recipient_kind(r.as_text(8)).value_or(RecipientKind::address);
    l.recipient.account_id = r.opt_int(9);
    l.recipient.administration_code = r.opt_text(10);
    l.recipient.name = r.as_text(11);
    l.recipient.postal_address = r.as_text(12);
    l.recipient.email = r.as_text(13);
    l.subject = r.as_text(14);
    if (auto t = r.opt_text(15)) l.tmpl = parse_template(*t);
    l.body = r.as_text(16);
    l.upload_sha256 = r.opt_text(17);
    l.upload_name = r.opt_text(18);
    l.author_id = r.as_int(19);
    l.return_reason = r.opt_text(20);
    l.register_number = r.opt_text(21);
    l.approved_by = r.opt_int(22);
    l.approved_at_ms = r.opt_int(23);
    l.dispatched_at_ms = r.opt_int(24);
    l.pdf_sha256 = r.opt_text(25);
    l.created_at_ms = r.as_int(26);
    l.updated_at_ms = r.as_int(27);
    s.entry_depositor = r.opt_int(28);
    s.recipient_administration_id = r.opt_int(29);
    l.circuit_id = r.opt_int(30);
    return s;
}

Status role_in(const Principal& who, std::initializer_list<Role> roles, const char* what) {
    for (Role r : roles)
        if (who.has_role(r)) return {};
    return Error{"outgoing.forbidden", 403, what};
}

}  // namespace

std::string_view state_name(LetterState s) {
    switch (s) {
        case LetterState::draft: return "draft";
        case LetterState::pending_approval: return "pending_approval";
        case LetterState::approved: return "approved";
        case LetterState::dispatched: return "dispatched";
    }
    return "draft";
}
std::optional<LetterState> parse_state(std::string_view s) { return parse_from(s, kStates, state_name); }

std::string_view template_name(Template t) {
    switch (t) {
        case Template::acknowledgement: return "acknowledgement";
        case Template::answer: return "answer";
        case Template::refusal: return "refusal";
        case Template::information_request: return "information_request";
    }
    return "answer";
}
std::optional<Template> parse_template(std::string_view s) { return parse_from(s, kTemplates, template_name); }

std::string_view recipient_kind_name(RecipientKind k) {
    switch (k) {
        case RecipientKind::depositor: return "depositor";
        case RecipientKind::account: return "account";
        case RecipientKind::administration: return "administration";
        case RecipientKind::address: return "address";
    }
    return "address";
}
std::optional<RecipientKind> parse_recipient_kind(std::string_view s) {
    return parse_from(s, kKinds, recipient_kind_name);
}

namespace detail {

Result<std::optional<Stored>> load(Tx& tx, std::int64_t id, bool with_events) {
    auto row = tx.query_one(std::string(kColumns) + "WHERE l.id = $1", {id});
    if (!row) return row.error();
    if (!*row) return std::optional<Stored>{};
    Stored s = from_row(**row);
    if (with_events) {
        auto ev = tx.query("SELECT at, kind, actor_id, detail, version FROM outgoing_events WHERE letter_id = $1 "
                           "ORDER BY id",
                           {id});
        if (!ev) return ev.error();
        for (const auto& r : *ev)
            s.letter.events.push_back({r.as_int(0), r.as_text(1), r.opt_int(2).value_or(0), r.as_text(3), r.as_int(4)});
    }
    return std::optional<Stored>(std::move(s));
}

Result<std::vector<Letter>> load_where(Tx& tx, const std::string& where_order, const storage::Params& p) {
    auto rows = tx.query(std::string(kColumns) + where_order, p);
    if (!rows) return rows.error();
    std::vector<Letter> out;
    for (const auto& r : *rows) out.push_back(from_row(r).letter);
    return out;
}

bool is_staff_of(const Principal& who, std::int64_t administration_id) {
    return who.is_staff() && who.administration_id == administration_id;
}

bool can_see(const Principal& who, const Stored& s) {
    if (is_staff_of(who, s.letter.administration_id)) return true;
    if (s.letter.state != LetterState::dispatched) return false;
    return (s.entry_depositor && *s.entry_depositor == who.account_id) ||
           (s.letter.recipient.account_id && *s.letter.recipient.account_id == who.account_id);
}

Status may_draft(const Principal& who) {
    return role_in(who, {Role::agent, Role::unit_head, Role::registry_clerk, Role::admin},
                   "drafting needs agent, unit_head, registry_clerk or admin");
}
Status may_approve(const Principal& who) {
    return role_in(who, {Role::signer, Role::admin}, "approval needs signer or admin");
}
Status may_dispatch(const Principal& who) {
    return role_in(who, {Role::registry_clerk, Role::signer, Role::admin},
                   "dispatch needs registry_clerk, signer or admin");
}

Error version_conflict(std::int64_t id) {
    return Error{"outgoing.version_conflict", 409, "letter " + std::to_string(id) + " changed"};
}
Error invalid_state(const Letter& l) {
    return Error{"outgoing.invalid_state", 409, "letter " + std::to_string(l.id) + " is " + std::string(state_name(l.state))};
}

Result<Stored> for_change(Tx& tx, const Principal& who, std::int64_t id, std::int64_t expected, LetterState from) {
    auto s = load(tx, id, false);
    if (!s) return s.error();
    if (!*s || !is_staff_of(who, (*s)->letter.administration_id)) return errors::not_found("letter");
    if ((*s)->letter.version != expected) return version_conflict(id);
    if ((*s)->letter.state != from) return invalid_state((*s)->letter);
    return std::move(**s);
}

Status add_event(Tx& tx, std::int64_t letter_id, std::int64_t at_ms, std::string_view kind, std::int64_t actor,
                 const std::string& detail, std::int64_t version) {
    auto ins = tx.exec("INSERT INTO outgoing_events (letter_id, at, kind, actor_id, detail, version) VALUES ($1, $2, $3, "
                       "$4, $5, $6)",
                       {letter_id, at_ms, std::string(kind), actor, detail, version});
    if (!ins) return ins.error();
    // The journal (journal/journal.hpp) in the same transaction: facts only (the state, the
    // outgoing number and the sealed PDF's digest once approved), never a return reason.
    auto row = tx.query_one("SELECT administration_id, state, register_number, pdf_blob FROM outgoing_letters "
                            "WHERE id = $1",
                            {letter_id});
    if (!row) return row.error();
    if (!*row) return errors::not_found("letter");
    std::vector<std::pair<std::string, journal::DetailValue>> facts{
        {"letter_id", letter_id}, {"state", (*row)->as_text(1)}, {"version", version}};
    if (auto number = (*row)->opt_text(2)) facts.emplace_back("register_number", *number);
    if (auto pdf = (*row)->opt_text(3)) facts.emplace_back("pdf_digest", *pdf);
    if (kind == "dispatched") facts.emplace_back("mode", detail);
    auto leaf = journal::append(tx, {(*row)->as_int(0), "letter." + std::string(kind), "letter:" + std::to_string(letter_id),
                                     actor, at_ms, journal::detail_json(std::move(facts))});
    if (!leaf) return leaf.error();
    return {};
}

Result<std::string> letter_text(Tx& tx, const Letter& l, const std::string& number, std::int64_t date_ms) {
    if (!l.tmpl) return Error{"outgoing.content", 400, "an uploaded letter has no template text"};
    const auto secs = [](std::int64_t ms) { return std::chrono::sys_seconds(std::chrono::seconds(ms / 1000)); };
    auto adm = tx.query_one("SELECT name_ar, name_fr FROM administrations WHERE id = $1", {l.administration_id});
    if (!adm) return adm.error();
    if (!*adm) return errors::internal("administration missing");
    TemplateVars v;
    v.recipient = l.recipient.name;
    v.administration = (*adm)->as_text(l.lang == i18n::Lang::ar ? 0 : 1);
    v.subject = l.subject;
    v.date = i18n::format_date(secs(date_ms), l.lang);
    // Register numbers read left to right inside Arabic text.
    const auto token = [&](const std::string& t) { return l.lang == i18n::Lang::ar ? "\u2066" + t + "\u2069" : t; };
    v.number = token(number);
    v.body = l.body;
    if (l.in_reply_to) {
        auto e = tx.query_one("SELECT register_number, registered_at, subject FROM entries WHERE id = $1", {*l.in_reply_to});
        if (!e) return e.error();
        if (*e) {
            v.reply = true;
            v.entry_number = token((*e)->as_text(0));
            v.entry_date = i18n::format_date(secs((*e)->as_int(1)), l.lang);
            v.entry_subject = (*e)->as_text(2);
        }
    }
    return render_template(l.lang, *l.tmpl, v);
}

}  // namespace detail
}  // namespace idara::outgoing
