// The correspondence window for staff (see window_pages.hpp for the routes):
//
//   GET /window?inbox=…            the inboxes the visitor has (registry office, their unit, their
//                                  own, opinions asked, overdue, due soon) as tabs; one table
//   GET /window/{number}           the dossier: state, deadline (or the pause), units, assignee,
//                                  content (masked for a confidential entry the visitor may not read),
//                                  notes, letters, timeline, and only the forms the visitor may use
//                                  (WorkflowService::allowed); ?done=<action> shows a notice
//   GET /window/{number}/notes/{id}/file   a working document
//
// Staff only (403 page otherwise); another administration's entry is the 404 page. No-store.
#include "core/i18n.hpp"
#include "identity/service.hpp"
#include "outgoing/letters.hpp"
#include "processing/workflow.hpp"
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"
#include "web/window_pages.hpp"
#include "web/window_view.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace idara::web {

namespace json = boost::json;
using detail::Visit;
using processing::Inbox;

namespace detail {

std::string web_origin(const http::Request& r) { return "web " + r.remote_addr; }

std::string window_href(std::string_view number) { return "/window/" + http::url_encode(number); }

}  // namespace detail

namespace {

using detail::window_href;

std::string state_label(i18n::Lang l, processing::State s) {
    return msg(l, "processing.state." + std::string(processing::state_name(s)));
}

std::vector<Inbox> inboxes_of(const identity::Principal& p) {
    std::vector<Inbox> out;
    if (p.has_role(identity::Role::registry_clerk) || p.has_role(identity::Role::admin)) out.push_back(Inbox::registry);
    if (p.has_role(identity::Role::unit_head)) out.push_back(Inbox::unit);
    out.push_back(Inbox::mine);
    out.push_back(Inbox::opinions);
    out.push_back(Inbox::overdue);
    out.push_back(Inbox::due_soon);
    return out;
}

http::Response inbox_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("window"));
    const auto mine = inboxes_of(p);
    Inbox which = mine.front();
    if (auto q = r.query_param("inbox")) {
        auto parsed = processing::parse_inbox(*q);
        if (!parsed || std::find(mine.begin(), mine.end(), *parsed) == mine.end())
            return detail::error_response(v, errors::not_found("inbox"));
        which = *parsed;
    }
    auto lines = ctx.workflow->inbox(p, which, 100);
    if (!lines) return detail::error_response(v, lines.error());
    auto admin = detail::administration_of(ctx.identity, p, v.lang);
    if (!admin) return detail::error_response(v, admin.error());
    const auto l = v.lang;
    Data tabs{Data::type::list};
    for (Inbox i : mine) {
        Data t;
        t.set("href", "/window?inbox=" + std::string(processing::inbox_name(i)));
        t.set("label", msg(l, "processing.inbox." + std::string(processing::inbox_name(i))));
        t.set("current", i == which);
        tabs.push_back(t);
    }
    std::map<std::string, std::string> unit_names;
    for (const auto& u : admin->units) unit_names[u.code] = u.name;
    const std::int64_t now = system_clock().now_ms();
    Data rows{Data::type::list};
    for (const auto& line : *lines) {
        Data row;
        row.set("href", window_href(line.register_number));
        row.set("number_html", bdi_ltr(line.register_number));
        row.set("subject_html", line.content_visible ? bdi_auto(line.subject)
                                                     : html_escape(msg(l, "web.window.subject_hidden")));
        row.set("urgent", line.priority == processing::Priority::urgent);
        row.set("confidential", line.confidential);
        row.set("state", state_label(l, line.state));
        const auto un = unit_names.find(line.lead_unit_code);
        row.set("unit_html", line.lead_unit_code.empty() ? std::string("—")
                                                         : html_escape(un != unit_names.end() ? un->second : line.lead_unit_code));
        row.set("assignee_html", line.assignee_name.empty() ? std::string("—") : bdi_auto(line.assignee_name));
        row.set("due", format_date(from_ms(line.due_at_ms), l));
        row.set("overdue", line.due_at_ms < now && !processing::is_finished(line.state) &&
                               line.state != processing::State::missing_documents);
        rows.push_back(row);
    }
    Data d;
    d.set("administration", admin->name);
    d.set("tabs", tabs);
    d.set("inbox_title", msg(l, "processing.inbox." + std::string(processing::inbox_name(which))));
    d.set("entries", rows);
    d.set("has_entries", !lines->empty());
    return detail::html(200, render_page(v.view(msg(l, "web.window.title"), "window"), "window_inbox", d), true);
}

// One timeline detail (a JSON object written by the workflow) as a short, escaped phrase.
std::string detail_html(i18n::Lang l, const std::string& kind, const std::string& text) {
    if (text.empty()) return {};
    if (kind == "registered") {
        if (auto c = registry::parse_channel(text)) return html_escape(detail::channel_label(l, *c));
    }
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return bdi_auto(text);
    const auto& o = v.as_object();
    std::vector<std::string> parts;
    auto str = [&](const char* key) -> std::optional<std::string> {
        auto it = o.find(key);
        if (it == o.end() || !it->value().is_string()) return std::nullopt;
        return std::string(it->value().as_string());
    };
    for (const char* key : {"reason", "missing", "question", "note"})
        if (auto s = str(key)) parts.push_back(bdi_auto(*s));
    if (auto s = str("lead")) {
        std::string units = bdi_ltr(*s);
        if (auto it = o.find("copies"); it != o.end() && it->value().is_array())
            for (const auto& c : it->value().as_array())
                if (c.is_string()) units += " + " + bdi_ltr(std::string(c.as_string()));
        parts.push_back(units);
    }
    if (auto s = str("agent_name")) parts.push_back(bdi_auto(*s));
    if (auto s = str("unit")) parts.push_back(bdi_ltr(*s));
    if (auto s = str("to")) parts.push_back(bdi_ltr(*s));
    if (auto s = str("reply")) parts.push_back(bdi_ltr(*s));
    if (auto s = str("priority"); s && *s == "urgent") parts.push_back(html_escape(msg(l, "processing.priority.urgent")));
    if (auto it = o.find("confidential"); it != o.end() && it->value().is_bool() && it->value().as_bool())
        parts.push_back(html_escape(msg(l, "web.window.confidential")));
    if (o.contains("on_behalf_of")) parts.push_back(html_escape(msg(l, "web.window.by_delegation")));
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
    return out;
}

Data option(const std::string& value, const std::string& label, bool selected = false) {
    Data o;
    o.set("value", value);
    o.set("label", label);
    o.set("selected", selected);
    return o;
}

}  // namespace

namespace detail {

http::Response window_entry_page(const Visit& v, std::string_view number, int status, const WindowFormState& form) {
    const auto& ctx = v.ctx;
    const auto& p = v.session->principal;
    const auto l = v.lang;
    auto dos = ctx.workflow->dossier(p, number);
    if (!dos) return detail::error_response(v, dos.error());
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("window"));
    auto can = ctx.workflow->allowed(p, number);
    if (!can) return detail::error_response(v, can.error());
    auto scope = identity::TenantScope::of(p);
    if (!scope) return detail::error_response(v, errors::forbidden("window"));
    const auto& d = *dos;
    const std::int64_t now = system_clock().now_ms();

    Data x;
    std::vector<FieldError> summary;
    if (!form.message.empty()) {
        if (form.field.empty()) summary.push_back({"", form.message});
        else detail::add_error(summary, x, form.field, form.message);
    }
    x.set("error_summary", render_error_summary(l, summary));
    if (auto done = v.req.query_param("done"); done && summary.empty()) {
        const std::string key = "web.window.done." + std::string(*done);
        if (i18n::catalogue().has(l, key)) x.set("notice", msg(l, key));
    }
    x.set("back_href", "/window");
    x.set("number_html", bdi_ltr(d.register_number));
    x.set("state", state_label(l, d.state));
    x.set("urgent", d.priority == processing::Priority::urgent);
    x.set("confidential", d.confidential);
    x.set("overdue", d.due_at_ms < now && !d.paused_at_ms && !processing::is_finished(d.state));
    x.set("content_visible", d.content_visible);
    x.set("subject_html", bdi_auto(d.subject));
    x.set("depositor_html", bdi_auto(d.depositor_name));
    x.set("has_body", !d.body.empty());
    x.set("body", d.body);
    x.set("entry_href", "/deposits/" + http::url_encode(d.register_number));
    x.set("registered_at", format_date_time(from_ms(d.registered_at_ms), l));
    x.set("due", format_date(from_ms(d.due_at_ms), l));
    x.set("paused", d.paused_at_ms.has_value());
    if (d.paused_at_ms) x.set("paused_since", format_date(from_ms(*d.paused_at_ms), l));
    x.set("deadline_rule", i18n::catalogue().format(l, d.working_days ? "web.window.rule_working" : "web.window.rule_calendar",
                                                    {{"days", std::to_string(d.deadline_days)}}));
    if (d.assignee_id) x.set("assignee", d.assignee_name);
    if (d.transferred_to) x.set("transferred_to", *d.transferred_to);
    if (d.transferred_from) x.set("transferred_from", *d.transferred_from);

    // The type's name; the types for the qualify form.
    std::string type_label = d.type_code;
    Data types{Data::type::list};
    if (auto adm = ctx.identity.get_administration(scope->administration_id())) {
        if (auto ts = ctx.deposits->types(adm->code)) {
            for (const auto& t : *ts) {
                const std::string& name = detail::pick(l, t.name_ar, t.name_fr);
                if (t.code == d.type_code) type_label = name;
                types.push_back(option(t.code, name, t.code == d.type_code));
            }
        }
    }
    x.set("type", type_label);

    Data units{Data::type::list};
    std::string lead_code;
    for (const auto& u : d.units) {
        Data row;
        row.set("name", detail::pick(l, u.unit_name_ar, u.unit_name_fr));
        row.set("code", u.unit_code);
        row.set("role", msg(l, "processing.role." + std::string(processing::unit_role_name(u.role))));
        row.set("opinion_given", u.opinion_at_ms.has_value());
        units.push_back(row);
        if (u.role == processing::UnitRole::lead) lead_code = u.unit_code;
    }
    x.set("units", units);
    x.set("has_units", !d.units.empty());

    // Forms: units, agents of the lead unit, administrations, templates.
    auto all_units = ctx.identity.list_units(*scope);
    Data unit_options{Data::type::list}, opinion_units{Data::type::list};
    std::optional<std::int64_t> lead_id;
    if (all_units) {
        for (const auto& u : *all_units) {
            Data o = option(u.code, detail::pick(l, u.name_ar, u.name_fr) + " (" + u.code + ")");
            bool copy = false;
            for (const auto& link : d.units)
                if (link.unit_code == u.code && link.role == processing::UnitRole::copy) copy = true;
            o.set("lead", u.code == lead_code);
            o.set("copy", copy);
            unit_options.push_back(o);
            if (u.code != lead_code) opinion_units.push_back(option(u.code, detail::pick(l, u.name_ar, u.name_fr)));
            if (u.code == lead_code) lead_id = u.id;
        }
    }
    x.set("unit_options", unit_options);
    x.set("opinion_units", opinion_units);
    Data agents{Data::type::list};
    if (can->dispatch && lead_id) {
        if (auto staff = ctx.identity.list_staff(*scope)) {
            for (const auto& s : *staff) {
                if (s.disabled) continue;
                bool member = false;
                for (const auto& m : s.memberships)
                    if (m.unit_id && *m.unit_id == *lead_id) member = true;
                if (member) agents.push_back(option(std::to_string(s.account_id), s.display_name,
                                                    d.assignee_id && *d.assignee_id == s.account_id));
            }
        }
    }
    x.set("agents", agents);
    Data administrations{Data::type::list};
    if (can->transfer) {
        if (auto all = ctx.identity.list_administrations())
            for (const auto& a : *all)
                if (a.id != scope->administration_id())
                    administrations.push_back(option(a.code, detail::pick(l, a.name_ar, a.name_fr)));
    }
    x.set("administrations", administrations);
    Data templates{Data::type::list};
    for (auto t : {outgoing::Template::answer, outgoing::Template::refusal, outgoing::Template::acknowledgement,
                   outgoing::Template::information_request})
        templates.push_back(option(std::string(outgoing::template_name(t)),
                                   msg(l, "outgoing.template_name." + std::string(outgoing::template_name(t)))));
    x.set("templates", templates);
    x.set("lang_ar", l == i18n::Lang::ar);
    auto typed = [&](const std::string& k) {
        auto it = form.typed.find(k);
        return it == form.typed.end() ? std::string() : it->second;
    };
    x.set("reply_subject", form.typed.count("reply_subject") ? typed("reply_subject") : d.subject);
    x.set("reply_body", typed("reply_body"));

    x.set("action", window_href(d.register_number));
    x.set("version", std::to_string(d.version));
    x.set("can_qualify", can->qualify);
    x.set("can_assign", can->assign);
    x.set("can_transfer", can->transfer && !administrations.is_empty_list());
    x.set("can_reject", can->reject);
    x.set("can_close", can->close);
    x.set("can_dispatch", can->dispatch && !agents.is_empty_list());
    x.set("can_start", can->start);
    x.set("can_note", can->note);
    x.set("can_draft", can->draft);
    x.set("can_reply", can->reply && ctx.letters != nullptr && d.content_visible);
    x.set("can_request_opinion", can->request_opinion && !opinion_units.is_empty_list());
    x.set("can_give_opinion", can->give_opinion);
    x.set("can_request_documents", can->request_documents);
    x.set("has_actions", can->qualify || can->assign || can->transfer || can->reject || can->close || can->dispatch ||
                             can->start || can->note || can->draft || can->reply || can->request_opinion ||
                             can->give_opinion || can->request_documents);

    Data notes{Data::type::list};
    for (const auto& n : d.notes) {
        Data row;
        row.set("date", format_date_time(from_ms(n.at_ms), l));
        row.set("author", n.author_name);
        if (!n.unit_code.empty()) row.set("unit", n.unit_code);
        row.set("kind", msg(l, "web.window.note_kind." + n.kind));
        row.set("text", n.text);
        if (n.file_name) {
            row.set("file_href", window_href(d.register_number) + "/notes/" + std::to_string(n.id) + "/file");
            row.set("file_name_html", bdi_auto(*n.file_name));
        }
        notes.push_back(row);
    }
    x.set("notes", notes);
    x.set("has_notes", !d.notes.empty());
    Data letters{Data::type::list};
    if (ctx.letters && d.content_visible) {
        if (auto list = ctx.letters->list_for_entry(p, d.entry_id)) {
            for (const auto& lt : *list) {
                Data row;
                row.set("href", "/letters/" + std::to_string(lt.id));
                row.set("label_html", (lt.register_number ? bdi_ltr(*lt.register_number) + " — " : std::string()) +
                                          bdi_auto(lt.subject));
                row.set("state", msg(l, "outgoing.state." + std::string(outgoing::state_name(lt.state))));
                letters.push_back(row);
            }
            x.set("has_letters", !list->empty());
        }
    }
    x.set("letters", letters);
    Data events{Data::type::list};
    for (const auto& e : d.timeline) {
        Data row;
        row.set("date", format_date_time(from_ms(e.at_ms), l));
        const std::string key = "processing.event." + e.kind;
        row.set("label", msg_or(l, key, e.kind));
        if (!e.actor_name.empty()) row.set("actor", e.actor_name);
        if (!e.origin.empty()) row.set("origin", e.origin);
        const std::string dh = detail_html(l, e.kind, e.detail);
        if (!dh.empty()) row.set("detail_html", dh);
        events.push_back(row);
    }
    x.set("events", events);

    PageView pv = v.view(i18n::catalogue().format(l, "web.window.entry_title", {{"number", d.register_number}}), "window");
    pv.has_errors = !summary.empty();
    return detail::html(status, render_page(pv, "window_entry", x), true);
}

}  // namespace detail

namespace {

http::Response entry_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    if (!v.session->principal.is_staff()) return detail::error_response(v, errors::forbidden("window"));
    return detail::window_entry_page(v, r.param("number"), 200);
}

http::Response search_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("search"));
    const auto l = v.lang;
    search::SearchQuery q;
    q.text = r.query_param("q").value_or("");
    const std::string state = r.query_param("state").value_or("");
    if (!state.empty()) {
        if (!processing::parse_state(state)) return detail::error_response(v, errors::bad_request("state"));
        q.states.insert(state);
    }
    q.overdue = r.query_param("overdue").value_or("") == "1";
    q.now_ms = system_clock().now_ms();
    q.limit = 50;
    Data d;
    Data states{Data::type::list};
    states.push_back(option("", msg(l, "web.window.search.any_state"), state.empty()));
    for (auto st : {processing::State::registered, processing::State::assigned, processing::State::in_progress,
                    processing::State::missing_documents, processing::State::answered, processing::State::rejected,
                    processing::State::transferred, processing::State::closed, processing::State::cancelled}) {
        const std::string name(processing::state_name(st));
        states.push_back(option(name, state_label(l, st), name == state));
    }
    d.set("states", states);
    d.set("q", q.text);
    d.set("overdue", q.overdue);
    std::vector<FieldError> summary;
    const bool searched = r.query_param("q").has_value() || !state.empty() || q.overdue;
    d.set("searched", false);
    if (searched) {
        auto page = ctx.workflow->search(p, q);
        if (!page) {
            if (page.error().status != 400) return detail::error_response(v, page.error());
            detail::add_error(summary, d, "q", detail::service_message(l, page.error()));
        } else {
            d.set("searched", true);
            Data rows{Data::type::list};
            for (const auto& row : page->rows) {
                Data x;
                x.set("href", window_href(row.register_number));
                x.set("number_html", bdi_ltr(row.register_number));
                x.set("subject_html", bdi_auto(row.subject));
                x.set("confidential", row.confidential);
                x.set("state", processing::parse_state(row.state) ? state_label(l, *processing::parse_state(row.state))
                                                                   : row.state);
                x.set("due", format_date(from_ms(row.due_at), l));
                rows.push_back(x);
            }
            d.set("rows", rows);
            d.set("has_rows", !page->rows.empty());
            d.set("many", !q.text.empty() && !page->by_relevance && page->total > q.limit);
            d.set("results_title", i18n::catalogue().format(
                                       l, page->total_capped ? "web.window.search.results_capped" : "web.window.search.results",
                                       {{"count", std::to_string(page->total)}}));
        }
    }
    d.set("error_summary", render_error_summary(l, summary));
    PageView pv = v.view(msg(l, "web.window.search.title"), "window");
    pv.has_errors = !summary.empty();
    return detail::html(summary.empty() ? 200 : 400, render_page(pv, "window_search", d), true);
}

http::Response note_file(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    std::int64_t id = 0;
    const auto s = r.param("id");
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || end != s.data() + s.size()) return detail::error_response(v, errors::not_found("note"));
    auto f = ctx.workflow->note_file(v.session->principal, r.param("number"), id);
    if (!f) return detail::error_response(v, f.error());
    auto res = http::Response::text(200, std::move(f->second), f->first.media_type.value_or("application/octet-stream"));
    res.headers.set("Content-Disposition", "attachment; filename=\"note-" + std::to_string(id) + "\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void register_window_action_routes(http::Router& router, const PagesContext& ctx);  // pages_window_actions.cpp

void register_window_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/window", [ctx](http::Request& r) { return inbox_page(r, ctx); });
    router.get("/window/search", [ctx](http::Request& r) { return search_page(r, ctx); });
    router.get("/window/{number}", [ctx](http::Request& r) { return entry_page(r, ctx); });
    router.get("/window/{number}/notes/{id}/file", [ctx](http::Request& r) { return note_file(r, ctx); });
    register_window_action_routes(router, ctx);
}

}  // namespace idara::web
