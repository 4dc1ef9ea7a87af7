// The approval transaction: number, render, seal, store, record, queue the e-mail, hook.
#include "outgoing/letters_impl.hpp"

#include "core/dates.hpp"
#include "outgoing/letter_pdf.hpp"
#include "outgoing/mailer.hpp"
#include "registry/numbering.hpp"
#include "trust/pades.hpp"

namespace idara::outgoing {

using identity::Principal;
using storage::Tx;

namespace {

struct Adm {
    std::string code, name_ar, name_fr, contact;
};

Result<Adm> administration(Tx& tx, std::int64_t id) {
    auto r = tx.query_one("SELECT code, name_ar, name_fr, contact_email FROM administrations WHERE id = $1", {id});
    if (!r) return r.error();
    if (!*r) return errors::internal("administration missing");
    return Adm{(*r)->as_text(0), (*r)->as_text(1), (*r)->as_text(2), (*r)->as_text(3)};
}

Result<std::shared_ptr<const trust::SealKeys>> seal_keys(trust::KeyStore& keys, Tx& tx, std::int64_t adm_id,
                                                         const Adm& adm) {
    auto k = keys.keys_for(tx, adm_id);
    if (k || k.error().code != "trust.no_keys") return k;
    if (auto s = keys.ensure_keys(tx, adm_id, adm.code, adm.name_fr); !s) return s.error();
    return keys.keys_for(tx, adm_id);
}

Result<std::string> display_name(Tx& tx, std::int64_t account_id) {
    auto r = tx.query_one("SELECT display_name, login FROM accounts WHERE id = $1", {account_id});
    if (!r) return r.error();
    if (!*r) return std::string();
    auto name = (*r)->as_text(0);
    return name.empty() ? (*r)->as_text(1) : name;
}

// The letter's PDF before sealing: the uploaded file, or the template rendered.
Result<std::string> unsealed_pdf(storage::BlobStore& blobs, Tx& tx, const Letter& l, const Adm& adm,
                                 const std::string& number, std::int64_t now, const std::string& signer) {
    if (l.upload_sha256) {
        auto bytes = blobs.get(tx, *l.upload_sha256);
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.corrupt", 500, "upload missing " + *l.upload_sha256};
        return std::move(**bytes);
    }
    auto text = detail::letter_text(tx, l, number, now);
    if (!text) return text.error();
    LetterDocument d;
    d.lang = l.lang;
    d.administration_ar = adm.name_ar;
    d.administration_fr = adm.name_fr;
    d.number = number;
    d.date = i18n::format_date(std::chrono::sys_seconds(std::chrono::seconds(now / 1000)), l.lang);
    d.recipient_name = l.recipient.name;
    d.recipient_address = l.recipient.postal_address;
    d.subject = l.subject;
    d.text = std::move(*text);
    d.signer = signer;
    d.title = number;
    return render_letter_pdf(d);
}

// Where the e-mail goes: the letter's address, else the recipient account's login when it
// is an e-mail, else the recipient administration's contact address; "" for none.
Result<std::string> mail_address(Tx& tx, const detail::Stored& s) {
    const Recipient& r = s.letter.recipient;
    if (!r.email.empty()) return r.email;
    if (r.account_id) {
        auto a = tx.query_one("SELECT login FROM accounts WHERE id = $1", {*r.account_id});
        if (!a) return a.error();
        if (*a && email_ok((*a)->as_text(0))) return (*a)->as_text(0);
    }
    if (s.recipient_administration_id) {
        auto a = tx.query_one("SELECT contact_email FROM administrations WHERE id = $1", {*s.recipient_administration_id});
        if (!a) return a.error();
        if (*a && email_ok((*a)->as_text(0))) return (*a)->as_text(0);
    }
    return std::string();
}

Status queue(Tx& tx, const Letter& l, const std::string& to, const std::string& number, const std::string& pdf,
             std::int64_t now) {
    const auto& c = i18n::catalogue();
    QueuedMail m;
    m.letter_id = l.id;
    m.to = to;
    m.subject = c.format(l.lang, "outgoing.mail.subject", {{"number", number}, {"subject", l.subject}});
    m.text = c.format(l.lang, "outgoing.mail.body", {{"number", number}, {"recipient", l.recipient.name}});
    m.attachment_name = number + ".pdf";
    m.attachment_blob = pdf;
    auto id = queue_mail(tx, m, now);
    if (!id) return id.error();
    return {};
}

}  // namespace

Result<Letter> OutgoingService::approve(const Principal& who, std::int64_t id, std::int64_t expected_version) {
    Impl& im = *impl_;
    if (!detail::is_staff_of(who, who.administration_id.value_or(-1))) return errors::not_found("letter");
    if (auto s = detail::may_approve(who); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(now));
    return im.db.write<Letter>([&](Tx& tx) -> Result<Letter> {
        auto cur = detail::for_change(tx, who, id, expected_version, LetterState::pending_approval);
        if (!cur) return cur.error();
        if (cur->letter.author_id == who.account_id)
            return Error{"outgoing.self_approval", 403, "the author cannot approve"};
        // Claim the letter first: a concurrent approval of the same letter waits here, then conflicts.
        auto claim = tx.exec("UPDATE outgoing_letters SET version = version + 1 WHERE id = $1 AND version = $2 AND "
                             "state = 'pending_approval'",
                             {id, expected_version});
        if (!claim) return claim.error();
        if (*claim != 1) return detail::version_conflict(id);
        const std::int64_t version = expected_version + 1;
        auto adm = administration(tx, cur->letter.administration_id);
        if (!adm) return adm.error();
        auto keys = seal_keys(im.keys, tx, cur->letter.administration_id, *adm);
        if (!keys) return keys.error();

        auto number = registry::allocate(tx, identity::TenantScope::trusted(cur->letter.administration_id),
                                         registry::Register::outgoing, at);
        if (!number) return number.error();
        const std::string num = number->text();
        if (auto s = im.step(ApprovalStep::numbered); !s) return s.error();
        auto signer = display_name(tx, who.account_id);
        if (!signer) return signer.error();
        auto pdf = unsealed_pdf(im.blobs, tx, cur->letter, *adm, num, now, *signer);
        if (!pdf) return pdf.error();
        if (auto s = im.step(ApprovalStep::rendered); !s) return s.error();
        trust::SealOptions so;
        so.field_name = "Seal";
        so.reason = "Outgoing letter " + num;
        so.location = "Morocco";
        auto sealed = trust::seal_pdf(*pdf, (*keys)->identity, so);
        if (!sealed) return sealed.error();
        if (auto s = im.step(ApprovalStep::sealed); !s) return s.error();
        auto digest = im.blobs.put(tx, *sealed);
        if (!digest) return digest.error();
        if (auto s = im.step(ApprovalStep::stored); !s) return s.error();

        auto to = mail_address(tx, *cur);
        if (!to) return to.error();
        const bool electronic = cur->letter.recipient.account_id.has_value() || !to->empty();
        auto up = tx.exec(
            "UPDATE outgoing_letters SET state = $1, register_number = $2, year = $3, sequence = $4, approved_by = $5, "
            "approved_at = $6, pdf_blob = $7, seal_kid = $8, dispatched_at = $9, return_reason = NULL, updated_at = $6 "
            "WHERE id = $10 AND version = $11",
            {std::string(electronic ? "dispatched" : "approved"), num, std::int64_t{number->year}, number->sequence,
             who.account_id, now, *digest, (*keys)->kid,
             electronic ? storage::Value(now) : storage::Value(nullptr), id, version});
        if (!up) return up.error();
        if (*up != 1) return detail::version_conflict(id);
        if (auto s = detail::add_event(tx, id, now, "approved", who.account_id, num, version); !s) return s.error();
        if (electronic)
            if (auto s = detail::add_event(tx, id, now, "dispatched", who.account_id, "electronic", version); !s)
                return s.error();
        if (auto s = im.step(ApprovalStep::recorded); !s) return s.error();
        auto reloaded = detail::load(tx, id);
        if (!reloaded) return reloaded.error();
        const Letter& l = (*reloaded)->letter;
        if (!to->empty())
            if (auto s = queue(tx, l, *to, num, *digest, now); !s) return s.error();
        if (auto s = im.step(ApprovalStep::mail_queued); !s) return s.error();
        if (auto s = im.registered(tx, l); !s) return s.error();
        return l;
    });
}

}  // namespace idara::outgoing
