// What an application registers as: the registry office's deposit (subject, text, files, routing).
#include "procedures/applications_impl.hpp"

#include "core/i18n.hpp"

#include <algorithm>

namespace idara::procedures {

namespace json = boost::json;

namespace {

const std::string& msg(i18n::Lang l, std::string_view key) { return i18n::catalogue().get(l, key); }

// At most `n` code points of `s` (the deposit's limits on subject and body).
std::string clip(const std::string& s, std::size_t n) {
    std::size_t count = 0, i = 0;
    while (i < s.size() && count < n) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++count;
    }
    return s.substr(0, std::min(i, s.size()));
}

// The registered entry's text: the procedure, the application, each answer (fetched ones with
// their source), the consent decisions and the documents.
std::string entry_body(const Procedure& p, const Application& a, i18n::Lang l) {
    const auto& cat = i18n::catalogue();
    std::string out = cat.format(l, "procedures.receipt.procedure",
                                 {{"title", p.title.in(l)}, {"code", p.code}, {"version", std::to_string(p.version)}}) + "\n";
    out += cat.format(l, "procedures.receipt.application", {{"id", a.id}}) + "\n\n";
    for (const auto& s : p.steps)
        for (const auto& name : s.fields) {
            const Field* f = p.field(name);
            const auto* v = a.answers.if_contains(name);
            if (f && v && f->in_receipt) out += f->label.in(l) + " : " + answer_text(p, *f, *v, l) + "\n";
        }
    for (const auto& lk : p.lookups) {
        const auto* c = a.consent(lk.id);
        if (!c) continue;
        out += "\n";
        if (!c->agreed) {
            out += cat.format(l, "procedures.receipt.declined", {{"provider", lk.provider.in(l)}}) + "\n";
            continue;
        }
        out += cat.format(l, "procedures.receipt.fetched", {{"provider", lk.provider.in(l)}, {"x_road_id", c->x_road_id}}) + "\n";
        for (const auto& f : p.fields) {
            const auto* v = a.answers.if_contains(f.name);
            if (f.from == lk.id && v && f.in_receipt) out += f.label.in(l) + " : " + answer_text(p, f, *v, l) + "\n";
        }
    }
    if (!a.documents.empty()) {
        out += "\n" + msg(l, "procedures.receipt.documents") + "\n";
        for (const auto& d : a.documents) {
            std::string title = d.code;
            for (const auto& doc : p.documents)
                if (doc.code == d.code) title = doc.title.in(l);
            out += "- " + title + " : " + d.name + "\n";
        }
    }
    return clip(out, 20000);
}

}  // namespace

std::string fill_template(const Procedure& p, const Application& a, const std::string& t, i18n::Lang l) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto j = t[i] == '{' ? t.find('}', i) : std::string::npos;
        if (j == std::string::npos) {
            out += t[i];
            continue;
        }
        const std::string name = t.substr(i + 1, j - i - 1);
        const Field* f = p.field(name);
        const auto* v = a.answers.if_contains(name);
        out += (f && v) ? answer_text(p, *f, *v, l) : t.substr(i, j - i + 1);
        i = j;
    }
    return out;
}


Result<registry::NewDeposit> ApplicationService::deposit_for(const Procedure& p, const Application& a,
                                                             const identity::Principal& who) {
    registry::NewDeposit d;
    d.channel = registry::Channel::portal;
    d.administration_code = p.administration;
    if (p.administration_field) {  // a general letter: the administration the applicant chose
        const auto* v = a.answers.if_contains(*p.administration_field);
        d.administration_code = v && v->is_string() ? std::string(v->as_string()) : std::string();
    }
    d.unit_code = p.unit;
    d.type_code = p.deposit_type;
    d.subject = clip(fill_template(p, a, p.receipt_subject.in(who.lang), who.lang), 300);
    d.body = entry_body(p, a, who.lang);
    d.idempotency_key = "application:" + a.id;
    if (a.assisted) {  // filed by an agent for a citizen (applications_assisted.cpp)
        d.channel = registry::Channel::assisted;
        d.depositor_name = a.assisted->person.full_name;
        d.depositor_id_number = a.assisted->person.id_number;
    }
    for (const auto& doc : a.documents) {
        auto bytes = document_bytes(who, a.id, doc.code);
        if (!bytes) return bytes.error();
        d.files.push_back({doc.name, std::move(*bytes)});
    }
    return d;
}

}  // namespace idara::procedures
