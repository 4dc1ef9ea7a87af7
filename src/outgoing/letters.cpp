// OutgoingService: construction, drafting (create, update) and the simple transitions
// (submit, return, dispatch).
#include "outgoing/letters_impl.hpp"

#include "core/text_normalize.hpp"
#include "core/utf8.hpp"
#include "outgoing/mailer.hpp"

namespace idara::outgoing {

using identity::Principal;
using storage::Tx;
using storage::Value;

Status OutgoingService::Impl::step(ApprovalStep s) {
    std::function<Status(ApprovalStep)> h;
    {
        std::lock_guard lock(hook_mu);
        h = fault_hook;
    }
    return h ? h(s) : Status{};
}

Status OutgoingService::Impl::registered(Tx& tx, const Letter& l) {
    std::function<Status(Tx&, const Letter&)> h;
    {
        std::lock_guard lock(hook_mu);
        h = registered_hook;
    }
    return h ? h(tx, l) : Status{};
}

OutgoingService::OutgoingService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                                 identity::Service& ids, OutgoingOptions o, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, blobs, keys, ids, std::move(o), clock)) {}
OutgoingService::~OutgoingService() = default;

void OutgoingService::set_registered_hook(std::function<Status(Tx&, const Letter&)> hook) {
    std::lock_guard lock(impl_->hook_mu);
    impl_->registered_hook = std::move(hook);
}

void OutgoingService::set_fault_hook(std::function<Status(ApprovalStep)> hook) {
    std::lock_guard lock(impl_->hook_mu);
    impl_->fault_hook = std::move(hook);
}

namespace {

Error field(const char* code, std::string detail = {}) { return Error{code, 400, std::move(detail)}; }

bool text_ok(std::string_view s, std::size_t min, std::size_t max, bool multiline) {
    auto n = utf8::length(s);
    return n && *n >= min && *n <= max && !utf8::has_controls(s, multiline);
}

Value opt_int(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_text(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }

// The content checked (outside the transaction): the upload becomes a checked PDF.
struct Checked {
    LetterContent c;
    std::optional<registry::CheckedFile> file;
};

Result<Checked> check_content(LetterContent c, const registry::AttachmentLimits& limits) {
    c.subject = std::string(text::trim(c.subject));
    if (!text_ok(c.subject, 1, 300, false)) return field("outgoing.subject");
    if (!text_ok(c.body, 0, 20000, true)) return field("outgoing.body");
    if (c.tmpl.has_value() == c.upload.has_value()) return field("outgoing.content", "one of template and upload");
    Checked out;
    if (c.upload) {
        auto f = registry::check_attachment(std::move(*c.upload), limits);
        if (!f) return f.error();
        if (f->type != registry::MediaType::pdf) return field("outgoing.upload_not_pdf", f->name);
        out.file = std::move(*f);
        c.upload.reset();
    }
    out.c = std::move(c);
    return out;
}

// The recipient as stored: resolved against the entry, account or administration.
struct Resolved {
    Recipient r;
    std::optional<std::int64_t> administration_id;
};

Result<Resolved> resolve_recipient(Tx& tx, const Principal& who, const std::optional<std::int64_t>& in_reply_to,
                                   Recipient r, i18n::Lang lang) {
    r.name = std::string(text::trim(r.name));
    r.email = std::string(text::trim(r.email));
    if (!text_ok(r.name, 0, 200, false) || !text_ok(r.postal_address, 0, 500, true)) return field("outgoing.recipient");
    if (!r.email.empty() && !email_ok(r.email)) return field("outgoing.recipient_email", r.email);
    Resolved out;
    switch (r.kind) {
        case RecipientKind::depositor: {
            if (!in_reply_to) return field("outgoing.recipient", "a depositor needs in_reply_to");
            auto e = tx.query_one("SELECT depositor_account_id, depositor_name FROM entries WHERE id = $1", {*in_reply_to});
            if (!e) return e.error();
            r.account_id = (*e)->opt_int(0);
            if (r.name.empty()) r.name = (*e)->as_text(1);
            r.administration_code.reset();
            break;
        }
        case RecipientKind::account: {
            if (!r.account_id) return field("outgoing.recipient", "no account");
            auto a = tx.query_one("SELECT display_name FROM accounts WHERE id = $1 AND disabled = 0", {*r.account_id});
            if (!a) return a.error();
            if (!*a) return field("outgoing.recipient", "unknown account");
            if (r.name.empty()) r.name = (*a)->as_text(0);
            r.administration_code.reset();
            break;
        }
        case RecipientKind::administration: {
            auto a = tx.query_one("SELECT id, name_ar, name_fr FROM administrations WHERE code = $1",
                                  {r.administration_code.value_or("")});
            if (!a) return a.error();
            if (!*a || (*a)->as_int(0) == who.administration_id) return field("outgoing.recipient", "administration");
            out.administration_id = (*a)->as_int(0);
            if (r.name.empty()) r.name = (*a)->as_text(lang == i18n::Lang::ar ? 1 : 2);
            r.account_id.reset();
            break;
        }
        case RecipientKind::address:
            if (r.name.empty() || (r.postal_address.empty() && r.email.empty()))
                return field("outgoing.recipient", "a name and a postal or e-mail address");
            r.account_id.reset();
            r.administration_code.reset();
            break;
    }
    out.r = std::move(r);
    return out;
}

Status check_entry(Tx& tx, const Principal& who, std::int64_t entry_id) {
    auto e = tx.query_one("SELECT administration_id FROM entries WHERE id = $1", {entry_id});
    if (!e) return e.error();
    if (!*e || (*e)->as_int(0) != who.administration_id) return field("outgoing.in_reply_to");
    return {};
}

Result<Letter> reload(Tx& tx, std::int64_t id) {
    auto s = detail::load(tx, id);
    if (!s) return s.error();
    if (!*s) return errors::internal("letter vanished");
    return std::move((*s)->letter);
}

// Who drafts: staff of an administration with a drafting role.
Status drafter(const Principal& who) {
    if (!who.is_staff() || !who.administration_id) return Error{"outgoing.forbidden", 403, "staff only"};
    return detail::may_draft(who);
}

Result<std::optional<std::string>> store_upload(storage::BlobStore& blobs, Tx& tx,
                                                 const std::optional<registry::CheckedFile>& f) {
    if (!f) return std::optional<std::string>{};
    auto put = blobs.put(tx, f->bytes);
    if (!put) return put.error();
    return std::optional<std::string>(*put);
}

}  // namespace

Result<Letter> OutgoingService::create(const Principal& who, NewLetter n) {
    Impl& im = *impl_;
    if (auto s = drafter(who); !s) return s.error();
    auto checked = check_content(std::move(n.content), im.opts.limits);
    if (!checked) return checked.error();
    const LetterContent& c = checked->c;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<Letter>([&](Tx& tx) -> Result<Letter> {
        if (n.in_reply_to)
            if (auto s = check_entry(tx, who, *n.in_reply_to); !s) return s.error();
        auto rc = resolve_recipient(tx, who, n.in_reply_to, n.recipient, c.lang);
        if (!rc) return rc.error();
        auto blob = store_upload(im.blobs, tx, checked->file);
        if (!blob) return blob.error();
        const Recipient& r = rc->r;
        auto id = tx.query_one(
            "INSERT INTO outgoing_letters (administration_id, state, version, lang, in_reply_to, recipient_kind, "
            "recipient_account_id, recipient_administration_id, recipient_name, recipient_address, recipient_email, "
            "subject, template, body, upload_blob, upload_name, author_id, created_at, updated_at) VALUES ($1, 'draft', "
            "1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
            {*who.administration_id, std::string(i18n::code(c.lang)), opt_int(n.in_reply_to),
             std::string(recipient_kind_name(r.kind)), opt_int(r.account_id), opt_int(rc->administration_id), r.name,
             r.postal_address, r.email, c.subject,
             c.tmpl ? Value(std::string(template_name(*c.tmpl))) : Value(nullptr), c.body, opt_text(*blob),
             checked->file ? Value(checked->file->name) : Value(nullptr), who.account_id, now});
        if (!id) return id.error();
        const std::int64_t letter_id = (*id)->as_int(0);
        if (auto s = detail::add_event(tx, letter_id, now, "created", who.account_id, "", 1); !s) return s.error();
        return reload(tx, letter_id);
    });
}

Result<Letter> OutgoingService::update(const Principal& who, std::int64_t id, std::int64_t expected_version,
                                       Recipient r, LetterContent content) {
    Impl& im = *impl_;
    if (auto s = drafter(who); !s) return s.error();
    auto checked = check_content(std::move(content), im.opts.limits);
    if (!checked) return checked.error();
    const LetterContent& c = checked->c;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<Letter>([&](Tx& tx) -> Result<Letter> {
        auto cur = detail::for_change(tx, who, id, expected_version, LetterState::draft);
        if (!cur) return cur.error();
        auto rc = resolve_recipient(tx, who, cur->letter.in_reply_to, r, c.lang);
        if (!rc) return rc.error();
        auto blob = store_upload(im.blobs, tx, checked->file);
        if (!blob) return blob.error();
        const Recipient& nr = rc->r;
        auto up = tx.exec(
            "UPDATE outgoing_letters SET version = version + 1, lang = $1, recipient_kind = $2, recipient_account_id = $3, "
            "recipient_administration_id = $4, recipient_name = $5, recipient_address = $6, recipient_email = $7, "
            "subject = $8, template = $9, body = $10, upload_blob = $11, upload_name = $12, updated_at = $13 "
            "WHERE id = $14 AND version = $15 AND state = 'draft'",
            {std::string(i18n::code(c.lang)), std::string(recipient_kind_name(nr.kind)), opt_int(nr.account_id),
             opt_int(rc->administration_id), nr.name, nr.postal_address, nr.email, c.subject,
             c.tmpl ? Value(std::string(template_name(*c.tmpl))) : Value(nullptr), c.body, opt_text(*blob),
             checked->file ? Value(checked->file->name) : Value(nullptr), now, id, expected_version});
        if (!up) return up.error();
        if (*up != 1) return detail::version_conflict(id);
        if (auto s = detail::add_event(tx, id, now, "edited", who.account_id, "", expected_version + 1); !s)
            return s.error();
        return reload(tx, id);
    });
}

namespace {

// A change of state only: from -> to, version + 1, an event; `extra` SET clauses use $6 on.
Result<Letter> transition(storage::Database& db, const Principal& who, std::int64_t id, std::int64_t expected,
                          LetterState from, LetterState to, std::string_view kind, const std::string& detail,
                          std::int64_t now, const std::string& extra, const storage::Params& extra_params) {
    return db.write<Letter>([&](Tx& tx) -> Result<Letter> {
        auto cur = detail::for_change(tx, who, id, expected, from);
        if (!cur) return cur.error();
        storage::Params p{std::string(state_name(to)), now, id, expected, std::string(state_name(from))};
        p.insert(p.end(), extra_params.begin(), extra_params.end());
        auto up = tx.exec("UPDATE outgoing_letters SET state = $1, version = version + 1, updated_at = $2" + extra +
                              " WHERE id = $3 AND version = $4 AND state = $5",
                          p);
        if (!up) return up.error();
        if (*up != 1) return detail::version_conflict(id);
        if (auto s = detail::add_event(tx, id, now, kind, who.account_id, detail, expected + 1); !s) return s.error();
        return reload(tx, id);
    });
}

}  // namespace

Result<Letter> OutgoingService::dispatch(const Principal& who, std::int64_t id, std::int64_t expected_version) {
    if (!detail::is_staff_of(who, who.administration_id.value_or(-1))) return errors::not_found("letter");
    if (auto s = detail::may_dispatch(who); !s) return s.error();
    const std::int64_t now = impl_->clock.now_ms();
    return transition(impl_->db, who, id, expected_version, LetterState::approved, LetterState::dispatched,
                      "dispatched", "post", now, ", dispatched_at = $6", {now});
}

}  // namespace idara::outgoing
