// Applications: storage, drafts and answers, documents. (Lookups: applications_lookup.cpp;
// submission and staff views: applications_submit.cpp; answers vs schema: form_values.cpp.)
#include "procedures/applications_impl.hpp"

#include "core/random.hpp"
#include "core/dates.hpp"

#include <algorithm>

namespace idara::procedures {

namespace json = boost::json;

std::string_view state_name(State s) {
    switch (s) {
    case State::draft: return "draft";
    case State::awaiting_payment: return "awaiting_payment";
    case State::submitted: return "submitted";
    }
    return "draft";
}

const Consent* Application::consent(std::string_view lookup) const {
    for (const auto& c : consents)
        if (c.lookup == lookup) return &c;
    return nullptr;
}
const StoredDocument* Application::document(std::string_view code) const {
    for (const auto& d : documents)
        if (d.code == code) return &d;
    return nullptr;
}

namespace {

State parse_state(std::string_view s) {
    if (s == "submitted") return State::submitted;
    if (s == "awaiting_payment") return State::awaiting_payment;
    return State::draft;
}

// The `sources` column: {"fields": {field: lookup}, "visited": [step, ...]}.
std::string encode_sources(const Application& a) {
    json::object fields;
    for (const auto& [k, v] : a.sources) fields[k] = v;
    json::array visited;
    for (const auto& s : a.visited) visited.emplace_back(s);
    return json::serialize(json::object{{"fields", fields}, {"visited", visited}});
}

void decode_sources(std::string_view text, Application& a) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return;
    if (auto f = v.as_object().if_contains("fields"); f && f->is_object())
        for (const auto& [k, val] : f->as_object())
            if (val.is_string()) a.sources[std::string(k)] = std::string(val.as_string());
    if (auto s = v.as_object().if_contains("visited"); s && s->is_array())
        for (const auto& val : s->as_array())
            if (val.is_string()) a.visited.emplace_back(val.as_string());
}

bool may_apply(const identity::Principal& who) {
    return who.kind == identity::AccountKind::citizen || who.kind == identity::AccountKind::company;
}

}  // namespace

json::object decode_answers(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return !ec && v.is_object() ? std::move(v.as_object()) : json::object{};
}

Result<Application> ApplicationService::Impl::load(storage::Tx& tx, std::string_view id) {
    auto row = tx.query_one(
        "SELECT a.id, a.procedure_code, a.procedure_version, a.applicant_id, a.state, a.answers, a.sources, "
        "a.created_at, a.updated_at, a.submitted_at, e.register_number, a.assisted_by, a.assisted_name, "
        "a.assisted_id_type, a.assisted_id_number, a.assisted_email, a.assisted_checked_at, f.state, a.assisted_receipt_mailed_at "
        "FROM applications a LEFT JOIN entries e ON e.id = a.entry_id LEFT JOIN entry_flow f ON f.entry_id = a.entry_id "
        "WHERE a.id = $1",
        {std::string(id)});
    if (!row) return row.error();
    if (!*row) return errors::not_found("application");
    const auto& r = **row;
    Application a;
    a.id = r.as_text(0);
    a.procedure_code = r.as_text(1);
    a.procedure_version = static_cast<int>(r.as_int(2));
    a.applicant_account_id = r.as_int(3);
    a.state = parse_state(r.as_text(4));
    a.answers = decode_answers(r.as_text(5));
    decode_sources(r.as_text(6), a);
    a.created_at_ms = r.as_int(7);
    a.updated_at_ms = r.as_int(8);
    a.submitted_at_ms = r.opt_int(9);
    a.register_number = r.opt_text(10);
    if (auto agent = r.opt_int(11)) {
        Assisted as;
        as.agent_account_id = *agent;
        as.person.full_name = r.opt_text(12).value_or("");
        as.person.id_document = r.opt_text(13).value_or("");
        as.person.id_number = r.opt_text(14).value_or("");
        as.person.email = r.opt_text(15);
        as.checked_at_ms = r.opt_int(16).value_or(0);
        as.person.identity_checked = as.checked_at_ms != 0;
        as.receipt_mailed_at_ms = r.opt_int(18);
        a.assisted = std::move(as);
    }
    a.entry_state = r.opt_text(17);
    auto cs = tx.query("SELECT lookup, agreed, at, text_sha256, x_road_id FROM application_consents "
                       "WHERE application_id = $1 ORDER BY lookup", {a.id});
    if (!cs) return cs.error();
    for (const auto& c : *cs) a.consents.push_back({c.as_text(0), c.as_int(1) != 0, c.as_int(2), c.as_text(3), c.as_text(4)});
    auto ds = tx.query("SELECT code, name, media_type, size, sha256 FROM application_documents "
                       "WHERE application_id = $1 ORDER BY code", {a.id});
    if (!ds) return ds.error();
    for (const auto& d : *ds) a.documents.push_back({d.as_text(0), d.as_text(1), d.as_text(2), d.as_int(3), d.as_text(4)});
    return a;
}

Result<Application> ApplicationService::Impl::load_own(const identity::Principal& who, std::string_view id) {
    return db.read<Application>([&](storage::Tx& tx) -> Result<Application> {
        auto a = load(tx, id);
        if (!a) return a.error();
        if (a->applicant_account_id != who.account_id) return errors::not_found("application");
        return a;
    });
}

Result<Application> ApplicationService::Impl::load_draft(storage::Tx& tx, const identity::Principal& who, std::string_view id) {
    auto a = load(tx, id);
    if (!a) return a.error();
    if (a->applicant_account_id != who.account_id) return errors::not_found("application");
    if (a->state != State::draft) return Error{"application.invalid_state", 409, "application " + a->id + " is " + std::string(state_name(a->state))};
    return a;
}

Status ApplicationService::Impl::save(storage::Tx& tx, const Application& a) {
    auto n = tx.exec("UPDATE applications SET answers = $1, sources = $2, updated_at = $3 WHERE id = $4",
                     {json::serialize(a.answers), encode_sources(a), clock.now_ms(), a.id});
    if (!n) return n.error();
    return {};
}

ApplicationService::ApplicationService(storage::Database& db, storage::BlobStore& blobs, Catalogue& catalogue,
                                       registry::DepositService& deposits, ExchangeClient* exchange,
                                       registry::AttachmentLimits limits, const Clock& clock)
    : impl_(std::make_unique<Impl>(Impl{db, blobs, catalogue, deposits, exchange, limits, clock})) {}
ApplicationService::~ApplicationService() = default;

Result<ApplicationService::Impl::Draft> ApplicationService::Impl::open_draft(storage::Tx& tx, const identity::Principal& who,
                                                                            std::string_view id) {
    auto a = load_draft(tx, who, id);
    if (!a) return a.error();
    auto pub = catalogue.version(a->procedure_code, a->procedure_version);
    if (!pub) return pub.error();
    return Draft{std::move(*a), std::move(*pub)};
}

Result<Published> ApplicationService::procedure_of(const Application& a) {
    return impl_->catalogue.version(a.procedure_code, a.procedure_version);
}

Result<std::string> ApplicationService::Impl::new_draft(std::string_view code, std::int64_t account_id,
                                                       const AssistedPerson* assisted) {
    auto pub = catalogue.current(code);
    if (!pub) return pub.error();
    const auto& p = *pub->procedure;
    const std::int64_t now = clock.now_ms();
    if (p.window) {
        const std::string today = i18n::casablanca_date_iso(now);
        if (!p.window->contains(today))
            return Error{"application.closed", 409, p.code + " accepts applications from " + p.window->opens_on + " to " + p.window->closes_on};
    }
    const std::string id = random::hex_token(10);
    auto s = db.write_tx([&](storage::Tx& tx) -> Status {
        auto n = tx.exec(
            "INSERT INTO applications (id, procedure_code, procedure_version, applicant_id, state, answers, sources, "
            "created_at, updated_at, assisted_by, assisted_name, assisted_id_type, assisted_id_number, assisted_email, "
            "assisted_checked_at) VALUES ($1, $2, $3, $4, 'draft', '{}', '{}', $5, $5, $6, $7, $8, $9, $10, $11)",
            {id, p.code, std::int64_t{p.version}, account_id, now,
             assisted ? storage::Value(account_id) : storage::Value(nullptr),
             assisted ? storage::Value(assisted->full_name) : storage::Value(nullptr),
             assisted ? storage::Value(assisted->id_document) : storage::Value(nullptr),
             assisted ? storage::Value(assisted->id_number) : storage::Value(nullptr),
             assisted && assisted->email ? storage::Value(*assisted->email) : storage::Value(nullptr),
             assisted ? storage::Value(now) : storage::Value(nullptr)});
        if (!n) return n.error();
        return {};
    });
    if (!s) return s.error();
    return id;
}

Result<std::vector<ApplicationSummary>> ApplicationService::Impl::summaries(std::string_view where,
                                                                            const storage::Params& params) {
    auto rows = db.read<storage::Rows>([&](storage::Tx& tx) {
        return tx.query(
            "SELECT a.id, a.procedure_code, a.procedure_version, a.state, e.register_number, a.updated_at, a.assisted_name, "
            "f.state FROM applications a LEFT JOIN entries e ON e.id = a.entry_id "
            "LEFT JOIN entry_flow f ON f.entry_id = a.entry_id " + std::string(where),
            params);
    });
    if (!rows) return rows.error();
    std::vector<ApplicationSummary> out;
    std::map<std::pair<std::string, int>, Text> titles;  // one catalogue read per version listed
    for (const auto& r : *rows) {
        ApplicationSummary s;
        s.id = r.as_text(0);
        s.procedure_code = r.as_text(1);
        s.procedure_version = static_cast<int>(r.as_int(2));
        s.state = parse_state(r.as_text(3));
        s.register_number = r.opt_text(4);
        s.updated_at_ms = r.as_int(5);
        s.assisted_name = r.opt_text(6);
        s.entry_state = r.opt_text(7);
        const auto key = std::pair{s.procedure_code, s.procedure_version};
        if (auto t = titles.find(key); t != titles.end()) s.title = t->second;
        else if (auto pub = catalogue.version(s.procedure_code, s.procedure_version)) s.title = titles[key] = pub->procedure->title;
        out.push_back(std::move(s));
    }
    return out;
}

Result<Application> ApplicationService::start(const identity::Principal& who, std::string_view procedure_code) {
    if (!may_apply(who)) return Error{"application.forbidden", 403, "only citizens and companies apply"};
    auto id = impl_->new_draft(procedure_code, who.account_id, nullptr);
    if (!id) return id.error();
    return impl_->load_own(who, *id);
}

Result<Application> ApplicationService::get(const identity::Principal& who, std::string_view id) {
    return impl_->load_own(who, id);
}

Result<std::vector<ApplicationSummary>> ApplicationService::list_mine(const identity::Principal& who, int limit) {
    return impl_->summaries("WHERE a.applicant_id = $1 ORDER BY a.updated_at DESC, a.id LIMIT $2",
                            {who.account_id, std::int64_t{std::clamp(limit, 1, 500)}});
}

Result<std::vector<FieldProblem>> ApplicationService::answer(const identity::Principal& who, std::string_view id,
                                                             std::string_view step,
                                                             const std::map<std::string, std::string>& form) {
    return impl_->db.write<std::vector<FieldProblem>>([&](storage::Tx& tx) -> Result<std::vector<FieldProblem>> {
        auto draft = impl_->open_draft(tx, who, id);
        if (!draft) return draft.error();
        const Application* a = &draft->app;
        const auto& p = draft->procedure();
        const Step* s = p.step(step);
        if (!s) return Error{"application.unknown_step", 404, std::string(step)};
        Application next = *a;
        for (const auto& name : s->fields) {
            auto it = form.find(name);
            auto v = typed_value(p, name, it == form.end() ? std::string_view() : std::string_view(it->second));
            if (v) next.answers[name] = *v;
            else next.answers.erase(name);
        }
        auto problems = field_problems(p, next, s->fields);
        if (!problems.empty()) return problems;  // the transaction commits nothing
        // Changing what a lookup was asked with makes its answer stale: ask again.
        if (s->lookup) {
            const auto* l = p.lookup(*s->lookup);
            bool changed = false;
            for (const auto& name : s->fields) {
                const auto* before = a->answers.if_contains(name);
                const auto* after = next.answers.if_contains(name);
                if ((before == nullptr) != (after == nullptr) || (before && *before != *after)) changed = true;
            }
            if (changed && l && next.consent(l->id)) {
                for (const auto& [field, _] : l->fills) {
                    next.answers.erase(field);
                    next.sources.erase(field);
                }
                auto d = tx.exec("DELETE FROM application_consents WHERE application_id = $1 AND lookup = $2", {next.id, l->id});
                if (!d) return d.error();
            }
        }
        if (std::find(next.visited.begin(), next.visited.end(), s->id) == next.visited.end()) next.visited.push_back(s->id);
        if (auto sv = impl_->save(tx, next); !sv) return sv.error();
        return problems;
    });
}

Status ApplicationService::documents_seen(const identity::Principal& who, std::string_view id) {
    return impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto a = impl_->load_draft(tx, who, id);
        if (!a) return a.error();
        if (std::find(a->visited.begin(), a->visited.end(), "documents") != a->visited.end()) return {};
        a->visited.push_back("documents");
        return impl_->save(tx, *a);
    });
}

Result<Application> ApplicationService::put_document(const identity::Principal& who, std::string_view id,
                                                     std::string_view code, registry::IncomingFile file) {
    auto checked = registry::check_attachment(std::move(file), impl_->limits);
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto draft = impl_->open_draft(tx, who, id);
        if (!draft) return draft.error();
        Application* a = &draft->app;
        const Document* d = nullptr;
        for (const auto& doc : draft->procedure().documents)
            if (doc.code == code && uploadable(*a, doc)) d = &doc;
        if (!d) return Error{"application.unknown_document", 404, std::string(code)};
        if (!checked) return checked.error();
        auto key = impl_->blobs.put(tx, checked->bytes);
        if (!key) return key.error();
        auto del = tx.exec("DELETE FROM application_documents WHERE application_id = $1 AND code = $2", {a->id, d->code});
        if (!del) return del.error();
        auto ins = tx.exec(
            "INSERT INTO application_documents (application_id, code, name, media_type, size, sha256, blob_key, added_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            {a->id, d->code, checked->name, std::string(registry::media_type_name(checked->type)),
             static_cast<std::int64_t>(checked->bytes.size()), checked->sha256, *key, impl_->clock.now_ms()});
        if (!ins) return ins.error();
        return impl_->save(tx, *a);
    });
    if (!s) return s.error();
    return impl_->load_own(who, id);
}

Result<Application> ApplicationService::remove_document(const identity::Principal& who, std::string_view id,
                                                        std::string_view code) {
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto a = impl_->load_draft(tx, who, id);
        if (!a) return a.error();
        if (!a->document(code)) return Error{"application.unknown_document", 404, std::string(code)};
        auto del = tx.exec("DELETE FROM application_documents WHERE application_id = $1 AND code = $2", {a->id, std::string(code)});
        if (!del) return del.error();
        return impl_->save(tx, *a);
    });
    if (!s) return s.error();
    return impl_->load_own(who, id);
}

Result<std::string> ApplicationService::document_bytes(const identity::Principal& who, std::string_view id, std::string_view code) {
    return impl_->db.read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto a = impl_->load(tx, id);
        if (!a) return a.error();
        if (a->applicant_account_id != who.account_id) return errors::not_found("application");
        auto row = tx.query_one("SELECT blob_key FROM application_documents WHERE application_id = $1 AND code = $2",
                                {a->id, std::string(code)});
        if (!row) return row.error();
        if (!*row) return Error{"application.unknown_document", 404, std::string(code)};
        auto bytes = impl_->blobs.get(tx, (*row)->as_text(0));
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.corrupt", 500, "blob of document " + std::string(code) + " is missing"};
        return std::move(**bytes);
    });
}

}  // namespace idara::procedures
