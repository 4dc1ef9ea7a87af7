// Letters through the e-parapheur: submit() numbers, renders and starts the circuit; the
// circuit's outcome approves the letter (seal, store, record, queue the e-mail, hook) or
// returns it to draft.
#include "outgoing/letters_impl.hpp"

#include "core/dates.hpp"
#include "outgoing/letter_pdf.hpp"
#include "outgoing/mailer.hpp"
#include "registry/numbering.hpp"

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

Result<Letter> reload(Tx& tx, std::int64_t id) {
    auto s = detail::load(tx, id);
    if (!s) return s.error();
    if (!*s) return errors::internal("letter vanished");
    return std::move((*s)->letter);
}

std::optional<std::int64_t> letter_of(const std::string& subject_ref) {
    constexpr std::string_view prefix = "letter:";
    if (!subject_ref.starts_with(prefix)) return std::nullopt;
    try {
        return std::stoll(subject_ref.substr(prefix.size()));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

void OutgoingService::set_circuits(parapheur::CircuitService& circuits) {
    {
        std::lock_guard lock(impl_->hook_mu);
        impl_->circuits = &circuits;
    }
    Impl* im = impl_.get();
    circuits.set_outcome_hook("letter", [im](Tx& tx, const parapheur::Outcome& o) { return im->on_outcome(tx, o); });
}

Result<Letter> OutgoingService::submit(const Principal& who, std::int64_t id, std::int64_t expected_version) {
    Impl& im = *impl_;
    if (!who.is_staff() || !who.administration_id) return Error{"outgoing.forbidden", 403, "staff only"};
    if (auto s = detail::may_draft(who); !s) return s.error();
    parapheur::CircuitService* circuits = nullptr;
    {
        std::lock_guard lock(im.hook_mu);
        circuits = im.circuits;
    }
    if (circuits == nullptr) return errors::internal("letters are not connected to the e-parapheur");
    const std::int64_t now = im.clock.now_ms();
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(now));
    return im.db.write<Letter>([&](Tx& tx) -> Result<Letter> {
        auto cur = detail::for_change(tx, who, id, expected_version, LetterState::draft);
        if (!cur) return cur.error();
        // Claim the letter first: a concurrent change of the same letter waits here, then conflicts.
        auto claim = tx.exec("UPDATE outgoing_letters SET version = version + 1 WHERE id = $1 AND version = $2 AND "
                             "state = 'draft'",
                             {id, expected_version});
        if (!claim) return claim.error();
        if (*claim != 1) return detail::version_conflict(id);
        const std::int64_t version = expected_version + 1;
        const Letter& l = cur->letter;
        // The number: once per letter, for life.
        std::string num;
        if (l.register_number) {
            num = *l.register_number;
        } else {
            auto number = registry::allocate(tx, identity::TenantScope::trusted(l.administration_id),
                                             registry::Register::outgoing, at);
            if (!number) return number.error();
            num = number->text();
            auto up = tx.exec("UPDATE outgoing_letters SET register_number = $1, year = $2, sequence = $3 WHERE id = $4",
                              {num, std::int64_t{number->year}, number->sequence, id});
            if (!up) return up.error();
        }
        if (auto s = im.step(ApprovalStep::numbered); !s) return s.error();
        auto adm = administration(tx, l.administration_id);
        if (!adm) return adm.error();
        const std::string& signer = l.lang == i18n::Lang::ar ? adm->name_ar : adm->name_fr;
        auto pdf = unsealed_pdf(im.blobs, tx, l, *adm, num, now, signer);
        if (!pdf) return pdf.error();
        if (auto s = im.step(ApprovalStep::rendered); !s) return s.error();
        parapheur::NewCircuit n;
        n.template_code = "outgoing_letter";
        n.title = num + " — " + l.subject;
        n.file_name = num + ".pdf";
        n.pdf = std::move(*pdf);
        n.purpose = "letter";
        n.subject_ref = "letter:" + std::to_string(id);
        auto circuit = circuits->start_in_tx(tx, parapheur::Actor{who, "letters"}, n);
        if (!circuit) return circuit.error();
        if (auto s = im.step(ApprovalStep::circuit_started); !s) return s.error();
        auto up = tx.exec(
            "UPDATE outgoing_letters SET state = 'pending_approval', circuit_id = $1, return_reason = NULL, "
            "updated_at = $2 WHERE id = $3 AND version = $4",
            {*circuit, now, id, version});
        if (!up) return up.error();
        if (*up != 1) return detail::version_conflict(id);
        if (auto s = detail::add_event(tx, id, now, "submitted", who.account_id, num, version); !s) return s.error();
        return reload(tx, id);
    });
}

Status OutgoingService::Impl::on_outcome(Tx& tx, const parapheur::Outcome& o) {
    auto id = letter_of(o.subject_ref);
    if (!id) return errors::internal("circuit subject " + o.subject_ref);
    auto cur = detail::load(tx, *id);
    if (!cur) return cur.error();
    if (!*cur) return errors::internal("letter of circuit missing");
    const Letter& l = (*cur)->letter;
    if (l.state != LetterState::pending_approval || l.circuit_id != o.circuit_id)
        return detail::invalid_state(l);
    auto claim = tx.exec("UPDATE outgoing_letters SET version = version + 1 WHERE id = $1 AND version = $2 AND "
                         "state = 'pending_approval'",
                         {*id, l.version});
    if (!claim) return claim.error();
    if (*claim != 1) return detail::version_conflict(*id);
    const std::int64_t version = l.version + 1;
    const std::int64_t now = o.at_ms;

    if (o.state != parapheur::CircuitState::completed) {
        auto up = tx.exec("UPDATE outgoing_letters SET state = 'draft', return_reason = $1, updated_at = $2 WHERE id = $3",
                          {o.reason, now, *id});
        if (!up) return up.error();
        return detail::add_event(tx, *id, now, "returned", o.actor_id, o.reason, version);
    }

    const std::string num = l.register_number.value_or("");
    auto adm = administration(tx, l.administration_id);
    if (!adm) return adm.error();
    auto keys_for = seal_keys(keys, tx, l.administration_id, *adm);
    if (!keys_for) return keys_for.error();
    auto signed_pdf = blobs.get(tx, o.pdf_sha256);
    if (!signed_pdf) return signed_pdf.error();
    if (!*signed_pdf) return Error{"storage.corrupt", 500, "circuit document " + o.pdf_sha256};
    parapheur::CircuitService* c = nullptr;
    {
        std::lock_guard lock(hook_mu);
        c = circuits;
    }
    if (c == nullptr) return errors::internal("letters are not connected to the e-parapheur");
    auto sealed = c->seal_in_tx(tx, l.administration_id, **signed_pdf, "Seal", "Outgoing letter " + num);
    if (!sealed) return sealed.error();
    if (auto s = step(ApprovalStep::sealed); !s) return s;
    auto digest = blobs.put(tx, *sealed);
    if (!digest) return digest.error();
    if (auto s = step(ApprovalStep::stored); !s) return s;

    auto to = mail_address(tx, **cur);
    if (!to) return to.error();
    const bool electronic = l.recipient.account_id.has_value() || !to->empty();
    auto up = tx.exec(
        "UPDATE outgoing_letters SET state = $1, approved_by = $2, approved_at = $3, pdf_blob = $4, seal_kid = $5, "
        "dispatched_at = $6, return_reason = NULL, updated_at = $3 WHERE id = $7 AND version = $8",
        {std::string(electronic ? "dispatched" : "approved"), o.actor_id, now, *digest, (*keys_for)->kid,
         electronic ? storage::Value(now) : storage::Value(nullptr), *id, version});
    if (!up) return up.error();
    if (*up != 1) return detail::version_conflict(*id);
    if (auto s = detail::add_event(tx, *id, now, "approved", o.actor_id, num, version); !s) return s;
    if (electronic)
        if (auto s = detail::add_event(tx, *id, now, "dispatched", o.actor_id, "electronic", version); !s) return s;
    if (auto s = step(ApprovalStep::recorded); !s) return s;
    auto reloaded = reload(tx, *id);
    if (!reloaded) return reloaded.error();
    if (!to->empty())
        if (auto s = queue(tx, *reloaded, *to, num, *digest, now); !s) return s;
    if (auto s = step(ApprovalStep::mail_queued); !s) return s;
    return registered(tx, *reloaded);
}

}  // namespace idara::outgoing
