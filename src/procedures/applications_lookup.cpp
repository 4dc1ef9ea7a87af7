// Once-only data: the applicant's decision on a lookup and the exchange call.
#include "procedures/applications_impl.hpp"

#include "core/random.hpp"
#include "http/message.hpp"

namespace idara::procedures {

namespace json = boost::json;

namespace {

// The lookup's path with its placeholders replaced by the answers (and {account.national_id} by
// `national_id`); nullopt when one is missing.
std::optional<std::string> fill_path(const Lookup& l, const json::object& answers,
                                     const std::optional<std::string>& national_id) {
    std::string out;
    std::string_view t = l.path;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{') {
            out += t[i];
            continue;
        }
        const auto j = t.find('}', i);
        const std::string name(t.substr(i + 1, j - i - 1));
        if (name == kAccountNationalId) {
            if (!national_id) return std::nullopt;
            out += http::url_encode(*national_id);
            i = j;
            continue;
        }
        const auto* v = answers.if_contains(name);
        if (!v) return std::nullopt;
        out += http::url_encode(v->is_string() ? std::string(v->as_string()) : json::serialize(*v));
        i = j;
    }
    return out;
}

// The text the applicant agrees to, as stored for the record: both languages.
std::string consent_text(const Lookup& l) {
    return l.provider.ar + "\n" + l.purpose.ar + "\n" + l.provider.fr + "\n" + l.purpose.fr;
}

}  // namespace

Result<std::optional<std::string>> ApplicationService::national_id_of(const Application& a) {
    // Assisted: the citizen's CIN checked at the desk (a passport is not a national id).
    if (a.assisted) {
        if (a.assisted->person.id_document == "cin") return std::optional<std::string>{a.assisted->person.id_number};
        return std::optional<std::string>{};
    }
    return impl_->db.read<std::optional<std::string>>([&](storage::Tx& tx) -> Result<std::optional<std::string>> {
        auto r = tx.query_one("SELECT national_id FROM accounts WHERE id = $1", {a.applicant_account_id});
        if (!r) return r.error();
        if (!*r || (*r)->is_null(0) || (*r)->as_text(0).empty()) return std::optional<std::string>{};
        return std::optional<std::string>{(*r)->as_text(0)};
    });
}

Result<Application> ApplicationService::decide_lookup(const identity::Principal& who, std::string_view id,
                                                      std::string_view lookup, bool agree) {
    auto current = impl_->load_own(who, id);
    if (!current) return current.error();
    if (current->state != State::draft)
        return Error{"application.invalid_state", 409, "application " + current->id + " is " + std::string(state_name(current->state))};
    auto pub = procedure_of(*current);
    if (!pub) return pub.error();
    const auto& p = *pub->procedure;
    const Lookup* l = p.lookup(lookup);
    if (!l) return Error{"application.unknown_lookup", 404, std::string(lookup)};

    // The exchange is called outside the transaction; only its result is stored.
    json::object fetched;
    std::string x_road_id;
    if (agree) {
        std::optional<std::string> national_id;
        if (l->path.find("{" + std::string(kAccountNationalId) + "}") != std::string::npos) {
            auto nid = national_id_of(*current);
            if (!nid) return nid.error();
            if (!*nid) return Error{"application.national_id_missing", 422, "lookup " + l->id + " needs the applicant's national id"};
            national_id = std::move(*nid);
        }
        auto path = fill_path(*l, current->answers, national_id);
        if (!path) return Error{"application.incomplete", 422, "lookup " + l->id + " needs answers not given yet"};
        if (!impl_->exchange) return Error{"application.exchange_failed", 502, "no exchange client is configured ([exchange] client_url)"};
        auto answer = impl_->exchange->get(l->service, *path, "idara-account-" + std::to_string(who.account_id));
        if (!answer) return answer.error();
        if (answer->status == 404) return Error{"application.lookup_not_found", 422, l->service + *path + ": no record"};
        if (answer->status < 200 || answer->status >= 300)
            return Error{"application.exchange_failed", 502, l->service + *path + ": status " + std::to_string(answer->status)};
        boost::system::error_code ec;
        auto body = json::parse(answer->body, ec);
        if (ec) return Error{"application.exchange_failed", 502, l->service + ": the answer is not JSON"};
        for (const auto& [field, pointer] : l->fills) {
            const auto* v = body.find_pointer(pointer, ec);
            if (ec || !v) return Error{"application.exchange_failed", 502, l->service + ": the answer has no " + pointer};
            fetched[field] = *v;
        }
        x_road_id = answer->x_road_id;
    }

    const std::int64_t now = impl_->clock.now_ms();
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto a = impl_->load_draft(tx, who, id);
        if (!a) return a.error();
        if (a->answers != current->answers)
            return Error{"application.invalid_state", 409, "the answers changed while the exchange was called"};
        for (const auto& [field, _] : l->fills) {
            a->answers.erase(field);
            a->sources.erase(field);
        }
        for (const auto& [field, v] : fetched) {
            a->answers[field] = v;
            a->sources[std::string(field)] = l->id;
        }
        auto del = tx.exec("DELETE FROM application_consents WHERE application_id = $1 AND lookup = $2", {a->id, l->id});
        if (!del) return del.error();
        auto ins = tx.exec(
            "INSERT INTO application_consents (application_id, lookup, agreed, account_id, procedure_version, text_sha256, "
            "x_road_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            {a->id, l->id, std::int64_t{agree ? 1 : 0}, who.account_id, std::int64_t{p.version},
             random::sha256_hex(consent_text(*l)), x_road_id, now});
        if (!ins) return ins.error();
        return impl_->save(tx, *a);
    });
    if (!s) return s.error();
    return impl_->load_own(who, id);
}

}  // namespace idara::procedures
