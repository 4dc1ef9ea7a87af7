// Assisted filing: an agent of a proximity centre starts an application for a citizen whose
// identity document they checked at the desk (applications.hpp, "Assisted filing").
#include "procedures/applications_impl.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "core/random.hpp"
#include "core/utf8.hpp"
#include "outgoing/mailer.hpp"

#include <algorithm>
#include <cctype>

namespace idara::procedures {

namespace {

Error bad(const char* code, std::string detail) { return Error{code, 400, std::move(detail)}; }

// Trimmed of ASCII spaces.
std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

// The person as stored, or the first field to fix.
Result<AssistedPerson> checked_person(const AssistedPerson& in) {
    AssistedPerson p;
    p.full_name = trimmed(in.full_name);
    const auto n = utf8::length(p.full_name).value_or(0);
    if (n < 1 || n > 200 || has_control(p.full_name))
        return bad("assisted.name", "the citizen's full name: 1..200 characters");
    p.id_document = trimmed(in.id_document);
    if (p.id_document != "cin" && p.id_document != "passport") return bad("assisted.id_type", "cin or passport");
    for (char c : in.id_number)
        if (c != ' ' && c != '-') p.id_number += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (p.id_number.size() < 4 || p.id_number.size() > 32 ||
        !std::all_of(p.id_number.begin(), p.id_number.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }))
        return bad("assisted.id_number", "4..32 letters or digits");
    if (in.email) {
        std::string e = trimmed(*in.email);
        if (!e.empty()) {
            if (!outgoing::email_ok(e)) return bad("assisted.email", "not an e-mail address");
            p.email = std::move(e);
        }
    }
    if (!in.identity_checked) return bad("assisted.identity_not_checked", "the identity document was not checked at the desk");
    p.identity_checked = true;
    return p;
}

}  // namespace

bool ApplicationService::may_assist(const identity::Principal& who) {
    return who.is_staff() && who.administration_id.has_value() && who.has_role(identity::Role::agent);
}

Result<Application> ApplicationService::start_assisted(const identity::Principal& agent, std::string_view procedure_code,
                                                       const AssistedPerson& person) {
    if (!may_assist(agent)) return Error{"application.forbidden", 403, "only agents of an administration file for a citizen"};
    auto p_ok = checked_person(person);
    if (!p_ok) return p_ok.error();
    const AssistedPerson& who = *p_ok;
    auto id = impl_->new_draft(procedure_code, agent.account_id, &who);
    if (!id) return id.error();
    return impl_->load_own(agent, *id);
}

Result<std::string> ApplicationService::email_receipt(const identity::Principal& agent, std::string_view id) {
    std::string to;
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto a = Impl::load(tx, id);
        if (!a) return a.error();
        if (a->applicant_account_id != agent.account_id) return errors::not_found("application");
        if (!a->assisted) return Error{"assisted.not_assisted", 409, "application " + a->id + " was not filed for a citizen"};
        if (!a->assisted->person.email) return Error{"assisted.no_email", 409, "no e-mail address was given"};
        if (a->state != State::submitted || !a->register_number)
            return Error{"application.invalid_state", 409, "application " + a->id + " is not registered"};
        auto blob = tx.query_one("SELECT receipt_blob FROM entries WHERE register_number = $1", {*a->register_number});
        if (!blob) return blob.error();
        if (!*blob) return Error{"storage.corrupt", 500, "entry " + *a->register_number + " is missing"};
        const auto& cat = i18n::catalogue();
        auto text = [&](i18n::Lang l) {
            return cat.format(l, "procedures.assisted.mail.text",
                              {{"name", a->assisted->person.full_name}, {"number", *a->register_number}});
        };
        outgoing::QueuedMail m;
        m.to = *a->assisted->person.email;
        m.subject = cat.format(i18n::Lang::ar, "procedures.assisted.mail.subject", {{"number", *a->register_number}}) +
                    " / " + cat.format(i18n::Lang::fr, "procedures.assisted.mail.subject", {{"number", *a->register_number}});
        m.text = text(i18n::Lang::ar) + "\n\n" + text(i18n::Lang::fr) + "\n";
        m.attachment_name = *a->register_number + ".pdf";
        m.attachment_blob = (*blob)->as_text(0);
        const std::int64_t now = impl_->clock.now_ms();
        auto q = outgoing::queue_mail(tx, m, now);
        if (!q) return q.error();
        auto u = tx.exec("UPDATE applications SET assisted_receipt_mailed_at = $1 WHERE id = $2", {now, a->id});
        if (!u) return u.error();
        to = m.to;
        return {};
    });
    if (!s) return s.error();
    return to;
}

}  // namespace idara::procedures
