// Processing in the units: dispatch, start, notes, opinions, the one missing-documents
// request and its completion, and the answer recorded when a reply is dispatched.
#include "processing/workflow_impl.hpp"

#include "search/index.hpp"

namespace idara::processing {

using detail::Acting;
using detail::Flow;
using storage::Tx;

namespace {


// The entry for someone who must be able to read it (confidential entries: not_found otherwise).
Result<Flow> load_readable(Tx& tx, const Acting& a, std::string_view number) {
    auto f = detail::load_for(tx, a, number);
    if (!f) return f;
    auto ok = detail::may_read(tx, a, *f);
    if (!ok) return ok.error();
    if (!*ok) return errors::not_found("entry");
    return f;
}

bool open_for_work(State s) { return s == State::assigned || s == State::in_progress; }

// Adds a note (and its optional file) and the event that says so.
Result<std::int64_t> add_note(Tx& tx, storage::BlobStore& blobs, const Flow& f, const Acting& a, const Actor& act,
                              const char* kind, std::string_view text, const std::optional<registry::CheckedFile>& file,
                              std::optional<std::int64_t> unit, const char* event, std::int64_t now) {
    if (file) {
        auto put = blobs.put(tx, file->bytes);
        if (!put) return put.error();
    }
    auto id = tx.query_one(
        "INSERT INTO entry_notes (entry_id, at, author_id, unit_id, kind, text, file_name, media_type, size, blob) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        {f.entry_id, now, act.who.account_id, unit ? storage::Value(*unit) : storage::Value(nullptr), std::string(kind),
         std::string(text), file ? storage::Value(file->name) : storage::Value(nullptr),
         file ? storage::Value(std::string(registry::media_type_name(file->type))) : storage::Value(nullptr),
         file ? storage::Value(static_cast<std::int64_t>(file->bytes.size())) : storage::Value(nullptr),
         file ? storage::Value(file->sha256) : storage::Value(nullptr)});
    if (!id) return id.error();
    boost::json::object d{{"note", (*id)->as_int(0)}};
    if (file) d["file"] = file->name;
    if (auto on = a.on_behalf_of(f.assignee_id)) d["on_behalf_of"] = *on;
    if (auto s = detail::record(tx, f.entry_id, f.version, event, d, act.who.account_id, act.origin, now); !s)
        return s.error();
    return (*id)->as_int(0);
}

}  // namespace

Result<std::int64_t> WorkflowService::dispatch(const Actor& act, std::string_view number, std::int64_t expected_version,
                                               std::int64_t agent_account_id) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        if (!a->heads(f->lead_unit_id) && !a->admin) return errors::forbidden("dispatch needs the head of the lead unit");
        if (!open_for_work(f->state)) return detail::transition(*f, "dispatch");
        // The agent must be a member of the lead unit.
        auto m = tx.query_one(
            "SELECT a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 "
            "AND m.administration_id = $2 AND m.unit_id = $3 AND a.disabled = 0",
            {agent_account_id, a->administration_id, *f->lead_unit_id});
        if (!m) return m.error();
        if (!*m) return Error{"processing.unknown_agent", 400, std::to_string(agent_account_id)};
        boost::json::object d{{"agent", agent_account_id}, {"agent_name", (*m)->as_text(0)}};
        return detail::change(tx, *f, expected_version, "assignee_id = $3", {agent_account_id}, "dispatched", d,
                              act.who.account_id, act.origin, now);
    });
}

Result<std::int64_t> WorkflowService::start(const Actor& act, std::string_view number, std::int64_t expected_version) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = load_readable(tx, *a, number);
        if (!f) return f.error();
        if (!a->is(f->assignee_id)) return errors::forbidden("only the assignee starts the work");
        if (f->state != State::assigned) return detail::transition(*f, "start");
        boost::json::object d;
        if (auto on = a->on_behalf_of(f->assignee_id)) d["on_behalf_of"] = *on;
        return detail::change(tx, *f, expected_version, "state = 'in_progress'", {}, "started", d, act.who.account_id,
                              act.origin, now);
    });
}

Result<std::int64_t> WorkflowService::annotate(const Actor& act, std::string_view number, std::string_view text,
                                               std::optional<registry::IncomingFile> file) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(text, im.opts.max_text, "processing.text"); !s) return s.error();
    std::optional<registry::CheckedFile> checked;
    if (file) {
        auto c = registry::check_attachment(std::move(*file), im.opts.limits);
        if (!c) return c.error();
        checked = std::move(*c);
    }
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = load_readable(tx, *a, number);
        if (!f) return f.error();
        if (f->state == State::cancelled || f->state == State::closed) return detail::transition(*f, "annotate");
        return add_note(tx, im.blobs, *f, *a, act, "annotation", text, checked, std::nullopt, "annotated", now);
    });
}

Result<std::int64_t> WorkflowService::save_draft(const Actor& act, std::string_view number, std::string_view text) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(text, im.opts.max_text, "processing.text"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = load_readable(tx, *a, number);
        if (!f) return f.error();
        if (!a->is(f->assignee_id) && !a->heads(f->lead_unit_id)) return errors::forbidden("drafts are the assignee's");
        if (!open_for_work(f->state)) return detail::transition(*f, "draft");
        return add_note(tx, im.blobs, *f, *a, act, "draft", text, std::nullopt, f->lead_unit_id, "draft_saved", now);
    });
}

Result<std::int64_t> WorkflowService::request_opinion(const Actor& act, std::string_view number,
                                                      std::int64_t expected_version, std::string_view unit_code,
                                                      std::string_view question) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(question, im.opts.max_text, "processing.text"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = load_readable(tx, *a, number);
        if (!f) return f.error();
        if (!a->is(f->assignee_id) && !a->heads(f->lead_unit_id))
            return errors::forbidden("the assignee or the lead unit's head asks for an opinion");
        if (!open_for_work(f->state)) return detail::transition(*f, "request_opinion");
        auto unit = detail::unit_id(tx, a->administration_id, unit_code);
        if (!unit) return unit.error();
        if (f->lead_unit_id && *unit == *f->lead_unit_id) return Error{"processing.unknown_unit", 400, "the lead unit itself"};
        auto up = tx.exec(
            "INSERT INTO entry_units (entry_id, unit_id, role, assigned_at) VALUES ($1, $2, 'opinion', $3) "
            "ON CONFLICT (entry_id, unit_id) DO UPDATE SET role = 'opinion', assigned_at = excluded.assigned_at, "
            "opinion_at = NULL",
            {f->entry_id, *unit, now});
        if (!up) return up.error();
        auto note = tx.exec(
            "INSERT INTO entry_notes (entry_id, at, author_id, unit_id, kind, text) VALUES ($1, $2, $3, $4, 'annotation', $5)",
            {f->entry_id, now, act.who.account_id, *unit, std::string(question)});
        if (!note) return note.error();
        boost::json::object d{{"unit", std::string(unit_code)}, {"question", std::string(question)}};
        return detail::change(tx, *f, expected_version, "", {}, "opinion_requested", d, act.who.account_id, act.origin,
                              now);
    });
}

Result<std::int64_t> WorkflowService::give_opinion(const Actor& act, std::string_view number, std::string_view text) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(text, im.opts.max_text, "processing.text"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        auto asked = tx.query("SELECT unit_id FROM entry_units WHERE entry_id = $1 AND role = 'opinion' AND opinion_at IS NULL",
                              {f->entry_id});
        if (!asked) return asked.error();
        std::optional<std::int64_t> unit;
        for (const auto& r : *asked)
            if (a->in_unit(r.as_int(0))) unit = r.as_int(0);
        if (!unit) {
            auto ok = detail::may_read(tx, *a, *f);
            if (!ok) return ok.error();
            if (!*ok) return errors::not_found("entry");
            return errors::forbidden("no opinion was asked of your unit");
        }
        if (is_finished(f->state)) return detail::transition(*f, "give_opinion");
        auto up = tx.exec("UPDATE entry_units SET opinion_at = $1 WHERE entry_id = $2 AND unit_id = $3",
                          {now, f->entry_id, *unit});
        if (!up) return up.error();
        return add_note(tx, im.blobs, *f, *a, act, "opinion", text, std::nullopt, unit, "opinion_given", now);
    });
}

Result<std::int64_t> WorkflowService::request_documents(const Actor& act, std::string_view number,
                                                        std::int64_t expected_version, std::string_view what) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(what, im.opts.max_text, "processing.text"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = load_readable(tx, *a, number);
        if (!f) return f.error();
        if (!a->is(f->assignee_id) && !a->heads(f->lead_unit_id))
            return errors::forbidden("the assignee or the lead unit's head asks for documents");
        // Law 55-19: one request for missing documents, never a second.
        if (f->missing_requested_at) return Error{"processing.documents_already_requested", 409, f->register_number};
        if (!open_for_work(f->state)) return detail::transition(*f, "request_documents");
        auto note = tx.exec(
            "INSERT INTO entry_notes (entry_id, at, author_id, unit_id, kind, text) VALUES ($1, $2, $3, $4, "
            "'missing_request', $5)",
            {f->entry_id, now, act.who.account_id,
             f->lead_unit_id ? storage::Value(*f->lead_unit_id) : storage::Value(nullptr), std::string(what)});
        if (!note) return note.error();
        // The request is public to the depositor (it is what they must bring): it goes in the event.
        boost::json::object d{{"missing", std::string(what)}};
        return detail::change(tx, *f, expected_version,
                              "state = 'missing_documents', paused_at = $3, missing_requested_at = $3", {now},
                              "documents_requested", d, act.who.account_id, act.origin, now);
    });
}

Result<std::int64_t> WorkflowService::complete_documents(const Actor& act, std::string_view number,
                                                         std::int64_t expected_version,
                                                         std::vector<registry::IncomingFile> files,
                                                         std::string_view note) {
    Impl& im = *impl_;
    if (files.empty()) return Error{"processing.documents_missing", 400, {}};
    if (!note.empty())
        if (auto s = detail::check_text(note, 2000, "processing.text"); !s) return s.error();
    auto checked = registry::check_all(std::move(files), im.opts.limits);
    if (!checked) return checked.error();
    auto n = detail::canonical(number);
    if (!n) return errors::not_found("register number");
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto found = detail::flow_by_number(tx, *n);
        if (!found) return found.error();
        const Flow& f = *found;
        // The depositor's account; for counter deposits a registry clerk at the desk.
        bool allowed = f.depositor_account_id && *f.depositor_account_id == act.who.account_id;
        if (!allowed && f.channel == "counter" && act.who.administration_id &&
            *act.who.administration_id == f.administration_id)
            allowed = act.who.has_role(identity::Role::registry_clerk) || act.who.has_role(identity::Role::admin);
        if (!allowed) return errors::not_found("entry");
        if (f.state != State::missing_documents) return detail::transition(f, "complete_documents");
        auto last = tx.query_one("SELECT COALESCE(MAX(position), 0) FROM entry_attachments WHERE entry_id = $1",
                                 {f.entry_id});
        if (!last) return last.error();
        std::int64_t pos = (*last)->as_int(0);
        boost::json::array names;
        for (const auto& file : *checked) {
            auto put = im.blobs.put(tx, file.bytes);
            if (!put) return put.error();
            auto ins = tx.exec(
                "INSERT INTO entry_attachments (entry_id, position, name, media_type, size, blob) VALUES ($1, $2, $3, "
                "$4, $5, $6)",
                {f.entry_id, ++pos, file.name, std::string(registry::media_type_name(file.type)),
                 static_cast<std::int64_t>(file.bytes.size()), file.sha256});
            if (!ins) return ins.error();
            names.emplace_back(file.name);
        }
        auto texts = search::attachment_texts(tx, im.blobs, f.entry_id);
        if (!texts) return texts.error();
        if (auto s = search::index_entry(tx, f.entry_id, *texts); !s) return s.error();
        const std::int64_t due = im.opts.deadlines.resumed(f.registered_at, *f.paused_at, now, f.deadline_days,
                                                            f.working_days);
        boost::json::object d{{"files", names}, {"due_at", due}};
        if (!note.empty()) d["note"] = std::string(note);
        auto v = detail::change(tx, f, expected_version,
                                "state = 'in_progress', paused_at = NULL, completed_at = $3, due_at = $4", {now, due},
                                "documents_completed", d, act.who.account_id, act.origin, now);
        if (!v) return v.error();
        auto up = tx.exec("UPDATE entries SET due_at = $1 WHERE id = $2", {due, f.entry_id});
        if (!up) return up.error();
        return *v;
    });
}

Status WorkflowService::mark_answered(Tx& tx, std::int64_t entry_id, std::int64_t actor_id,
                                      const std::string& reply_number, std::int64_t at_ms) {
    auto f = detail::flow_by_id(tx, entry_id);
    if (!f) return f.error();
    if (f->state != State::assigned && f->state != State::in_progress && f->state != State::missing_documents)
        return detail::transition(*f, "answer");
    return detail::answer(tx, *f, actor_id, reply_number, at_ms);
}

Status WorkflowService::record_reply(Tx& tx, std::int64_t entry_id, std::int64_t actor_id,
                                     const std::string& reply_number, bool answers, std::int64_t at_ms) {
    auto f = detail::flow_by_id(tx, entry_id);
    if (!f) return f.error();
    const bool open = f->state == State::registered || f->state == State::assigned ||
                      f->state == State::in_progress || f->state == State::missing_documents;
    if (answers && open) return detail::answer(tx, *f, actor_id, reply_number, at_ms);
    return detail::record(tx, f->entry_id, f->version, "reply_registered", {{"reply", reply_number}}, actor_id,
                          "system", at_ms);
}

}  // namespace idara::processing
