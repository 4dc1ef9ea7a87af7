// The correspondence window's forms (POST /window/{number}/{action}; see window_pages.hpp).
//
// Each handler checks the CSRF token, reads the form, calls WorkflowService (or, for a reply,
// OutgoingService: the letter is created from the chosen template and submitted to the
// signers at once), then answers 303 to /window/{number}?done=<action> — or, for a reply, to
// the letter's page. A refused action shows the dossier again with the bilingual message in
// the error summary and the status of the error (400, 409…); what was typed in the reply form
// is kept. Forbidden and not-found errors give the error pages.
#include "outgoing/letters.hpp"
#include "processing/workflow.hpp"
#include "web/deposit_form.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"
#include "web/window_pages.hpp"
#include "web/window_view.hpp"

#include <charconv>
#include <sstream>

namespace idara::web {

using detail::Visit;
using detail::WindowFormState;
using processing::Actor;

namespace {

std::optional<std::int64_t> form_int(const http::Request& r, std::string_view name) {
    auto s = r.form(name);
    if (!s) return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc() || end != s->data() + s->size()) return std::nullopt;
    return v;
}

// All the values of a repeated form field (checkboxes), from the urlencoded body.
std::vector<std::string> form_all(const http::Request& r, std::string_view name) {
    std::vector<std::string> out;
    if (!r.form(name)) return out;  // not a form body, or no such field
    for (auto& [k, val] : http::parse_urlencoded(r.body))
        if (k == name) out.push_back(std::move(val));
    return out;
}

using detail::window_href;

http::Response done(std::string_view number, std::string_view action) {
    auto res = http::Response::redirect(window_href(number) + "?done=" + std::string(action));
    res.headers.set("Cache-Control", "no-store");
    return res;
}

// A refused action: the dossier again with the message (field errors next to the field).
http::Response refused(const Visit& v, std::string_view number, const Error& e, std::string field = {},
                       std::map<std::string, std::string> typed = {}) {
    if (e.status >= 500 || e.status == 403 || e.status == 404 || e.code == "auth.csrf")
        return detail::error_response(v, e);
    WindowFormState f;
    f.field = e.status == 400 ? std::move(field) : std::string();
    f.message = detail::service_message(v.lang, e);
    f.typed = std::move(typed);
    return detail::window_entry_page(v, number, e.status, f);
}

using Action = std::function<http::Response(const Visit&, const Actor&, const std::string& number)>;

// The common frame: session, staff, CSRF, the version field where the action needs one.
http::Response run(const http::Request& r, const PagesContext& ctx, const Action& act) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("window form"));
    const Actor actor{v.session->principal, detail::web_origin(r)};
    return act(v, actor, std::string(r.param("number")));
}

Error version_missing() { return errors::bad_request("version"); }

template <class R>
http::Response outcome(const Visit& v, const std::string& number, const R& result, std::string_view action,
                       std::string field = {}) {
    if (!result) return refused(v, number, result.error(), std::move(field));
    return done(number, action);
}

void routes(http::Router& router, const PagesContext& ctx) {
    auto post = [&router, ctx](const std::string& action, Action act) {
        router.post("/window/{number}/" + action, [ctx, act](http::Request& r) { return run(r, ctx, act); });
    };

    post("qualify", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        auto p = processing::parse_priority(v.req.form("priority").value_or("normal"));
        if (!p) return refused(v, n, Error{"processing.priority", 400, {}});
        processing::Qualification q{v.req.form("type"), *p, v.req.form("confidential").value_or("") == "1"};
        return outcome(v, n, ctx.workflow->qualify(a, n, *version, q), "qualify");
    });
    post("assign", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        processing::Assignment to{v.req.form("lead").value_or(""), form_all(v.req, "copies")};
        return outcome(v, n, ctx.workflow->assign(a, n, *version, to), "assign", "lead");
    });
    post("dispatch", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        auto agent = form_int(v.req, "agent");
        if (!version) return refused(v, n, version_missing());
        if (!agent) return refused(v, n, Error{"processing.unknown_agent", 400, {}});
        return outcome(v, n, ctx.workflow->dispatch(a, n, *version, *agent), "dispatch");
    });
    post("start", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n, ctx.workflow->start(a, n, *version), "start");
    });
    post("draft", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        return outcome(v, n, ctx.workflow->save_draft(a, n, v.req.form("text").value_or("")), "draft");
    });
    post("opinion-request", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n,
                       ctx.workflow->request_opinion(a, n, *version, v.req.form("unit").value_or(""),
                                                     v.req.form("question").value_or("")),
                       "opinion-request");
    });
    post("opinion", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        return outcome(v, n, ctx.workflow->give_opinion(a, n, v.req.form("text").value_or("")), "opinion");
    });
    post("missing-documents", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n, ctx.workflow->request_documents(a, n, *version, v.req.form("text").value_or("")),
                       "missing-documents", "missing");
    });
    post("reject", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n, ctx.workflow->reject(a, n, *version, v.req.form("reason").value_or("")), "reject", "reject");
    });
    post("transfer", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n,
                       ctx.workflow->transfer(a, n, *version, v.req.form("administration").value_or(""),
                                              v.req.form("reason").value_or("")),
                       "transfer", "transfer");
    });
    post("close", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        auto version = form_int(v.req, "version");
        if (!version) return refused(v, n, version_missing());
        return outcome(v, n, ctx.workflow->close(a, n, *version), "close");
    });
    post("reply", [ctx](const Visit& v, const Actor& a, const std::string& n) {
        std::map<std::string, std::string> typed{{"reply_subject", v.req.form("subject").value_or("")},
                                                 {"reply_body", v.req.form("body").value_or("")}};
        auto dossier = ctx.workflow->dossier(a.who, n);
        if (!dossier) return refused(v, n, dossier.error());
        if (!dossier->content_visible) return detail::error_response(v, errors::not_found("entry"));
        auto tmpl = outgoing::parse_template(v.req.form("template").value_or(""));
        auto lang = i18n::parse_lang(v.req.form("lang").value_or(""));
        if (!tmpl) return refused(v, n, Error{"outgoing.template", 400, {}}, "", typed);
        outgoing::NewLetter letter;
        letter.in_reply_to = dossier->entry_id;
        letter.recipient.kind = outgoing::RecipientKind::depositor;
        letter.content.lang = lang.value_or(v.lang);
        letter.content.subject = typed["reply_subject"];
        letter.content.tmpl = *tmpl;
        letter.content.body = typed["reply_body"];
        auto made = ctx.letters->create(a.who, std::move(letter));
        if (!made)
            return refused(v, n, made.error(), made.error().code == "outgoing.subject" ? "reply_subject" : "", typed);
        auto sent = ctx.letters->submit(a.who, made->id, made->version);
        if (!sent) return refused(v, n, sent.error(), "", typed);
        auto res = http::Response::redirect("/letters/" + std::to_string(made->id) + "?done=submitted");
        res.headers.set("Cache-Control", "no-store");
        return res;
    });

    // The note form is multipart (an optional working document).
    router.post("/window/{number}/note", [ctx](http::Request& r) -> http::Response {
        Visit v = detail::begin(r, ctx);
        if (!v.session) return detail::to_login(r);
        const std::string n(r.param("number"));
        auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
        if (!parts) return refused(v, n, parts.error());
        if (!multipart_csrf_matches(*parts, v.session->csrf_token))
            return detail::error_response(v, errors::csrf("note form"));
        const std::string text = multipart_field(*parts, "text").value_or("");
        auto files = take_files(*parts, "file");
        std::optional<registry::IncomingFile> file;
        if (!files.empty() && !files.front().bytes.empty())
            file = registry::IncomingFile{files.front().name, std::move(files.front().bytes)};
        const Actor a{v.session->principal, detail::web_origin(r)};
        return outcome(v, n, ctx.workflow->annotate(a, n, text, std::move(file)), "note", "note");
    });
}

}  // namespace

void register_window_action_routes(http::Router& router, const PagesContext& ctx) { routes(router, ctx); }

}  // namespace idara::web
