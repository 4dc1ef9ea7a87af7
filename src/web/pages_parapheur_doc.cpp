// The parapheur's document view and its actions (parapheur_pages.hpp).
#include "identity/service.hpp"
#include "identity/totp.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/parapheur_view.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

#include <algorithm>
#include <map>

namespace idara::web::parapheur_view {
namespace {

using detail::Visit;
using parapheur::Circuit;
using parapheur::CircuitState;

constexpr int kMaxPagesShown = 60;

// What a refused POST puts back on the page (never the password or the code).
struct Problem {
    int status = 200;
    std::string action;
    std::string message;
    std::map<std::string, std::string> kept;  // field name → text as typed
};

const char* kActions[] = {"approve", "sign", "reject", "return", "opinion-request", "opinion", "cancel"};

// The id of the field an action's error belongs to (the summary links to it).
std::string field_of(const std::string& action) {
    if (action == "sign") return "sign_password";
    if (action == "reject") return "reject_reason";
    if (action == "return") return "return_reason";
    if (action == "opinion-request") return "question";
    if (action == "opinion") return "opinion";
    if (action == "cancel") return "cancel_reason";
    return "approve";
}

std::string done_of(const std::string& action) {
    if (action == "approve") return "approved";
    if (action == "sign") return "signed";
    if (action == "reject") return "rejected";
    if (action == "return") return "returned";
    if (action == "opinion-request") return "opinion_requested";
    if (action == "opinion") return "opinion_given";
    return "cancelled";
}

std::string when(i18n::Lang l, std::int64_t ms) { return format_date_time(from_ms(ms), l); }

Data step_rows(i18n::Lang l, const Circuit& c) {
    Data list{Data::type::list};
    for (const auto& s : c.steps) {
        Data row;
        row.set("number", std::to_string(s.index + 1));
        row.set("label_html", bdi_auto(step_label(l, s.label_ar, s.label_fr)));
        row.set("kind", msg(l, "parapheur_web.kind." + std::string(parapheur::step_kind_name(s.kind))));
        row.set("mode", msg(l, "parapheur_web.mode." + std::string(parapheur::step_mode_name(s.mode))));
        row.set("current", c.state == CircuitState::in_progress && s.index == c.current_step);
        Data people{Data::type::list};
        for (const auto& a : s.assignees) {
            Data p;
            p.set("name_html", bdi_auto(a.name));
            const std::string st(parapheur::assignee_status_name(a.status));
            p.set("status", msg(l, "parapheur_web.assignee." + st));
            p.set("status_class", a.status == parapheur::AssigneeStatus::rejected ? " tag--cancelled"
                                  : a.status == parapheur::AssigneeStatus::pending ? " tag--urgent"
                                                                                   : "");
            if (a.acted_at_ms) p.set("acted_at", when(l, *a.acted_at_ms));
            if (a.acted_by && *a.acted_by != a.account_id)
                p.set("delegate", i18n::catalogue().format(l, "parapheur_web.by_delegate", {{"name", a.acted_by_name}}));
            people.push_back(p);
        }
        row.set("assignees", people);
        list.push_back(row);
    }
    return list;
}

Data history_rows(i18n::Lang l, const Circuit& c) {
    Data list{Data::type::list};
    for (const auto& e : c.history) {
        Data row;
        row.set("date", when(l, e.at_ms));
        const std::string key = "parapheur_web.event." + e.kind;
        row.set("label", msg_or(l, key, e.kind));
        row.set("actor_html", bdi_auto(e.actor_name));
        if (e.on_behalf_of)
            row.set("for", i18n::catalogue().format(l, "parapheur_web.on_behalf_of", {{"name", e.on_behalf_of_name}}));
        if (e.step_index >= 0)
            row.set("step", i18n::catalogue().format(l, "parapheur_web.step_n", {{"n", std::to_string(e.step_index + 1)}}));
        if (!e.text.empty()) row.set("text_html", bdi_auto(e.text));
        list.push_back(row);
    }
    return list;
}

Data version_rows(i18n::Lang l, const Circuit& c) {
    Data list{Data::type::list};
    for (const auto& x : c.versions) {
        Data row;
        row.set("number", std::to_string(x.number));
        row.set("href", circuit_href(c.id) + "/document.pdf?version=" + std::to_string(x.number));
        const std::string key = "parapheur_web.version." + x.kind;
        row.set("kind", msg_or(l, key, x.kind));
        if (!x.signer_name.empty()) row.set("signer_html", bdi_auto(x.signer_name));
        row.set("date", when(l, x.created_at_ms));
        row.set("sha256", x.sha256);
        list.push_back(row);
    }
    return list;
}

Data opinion_rows(i18n::Lang l, const Circuit& c) {
    Data list{Data::type::list};
    for (const auto& o : c.opinions) {
        Data row;
        row.set("from_html", bdi_auto(o.requested_by_name));
        row.set("to_html", bdi_auto(o.colleague_name));
        row.set("question_html", bdi_auto(o.question));
        row.set("asked_at", when(l, o.requested_at_ms));
        if (o.opinion) row.set("opinion_html", bdi_auto(*o.opinion));
        if (o.given_at_ms) row.set("given_at", when(l, *o.given_at_ms));
        list.push_back(row);
    }
    return list;
}

// The page images (or why there are none).
void set_pages(Data& d, const Visit& v, const Circuit& c, Shared& shared) {
    if (c.versions.empty()) return;
    const std::string& sha = c.versions.back().sha256;
    const auto& p = v.session->principal;
    auto count = shared.pages.page_count(sha, [&] { return v.ctx.circuits->document(p, c.id); });
    if (!count) {
        d.set("pages_error", error_message(v.lang, count.error()));
        return;
    }
    Data pages{Data::type::list};
    const int shown = std::min(*count, kMaxPagesShown);
    for (int n = 1; n <= shown; ++n) {
        Data pg;
        pg.set("src", circuit_href(c.id) + "/page/" + std::to_string(n) + ".png?v=" + sha);
        pg.set("alt", i18n::catalogue().format(v.lang, "parapheur_web.page_alt",
                                               {{"n", std::to_string(n)}, {"m", std::to_string(*count)}}));
        pages.push_back(pg);
    }
    d.set("pages", pages);
    d.set("page_count", std::to_string(*count));
    if (*count > shown)
        d.set("pages_more", i18n::catalogue().format(v.lang, "parapheur_web.pages_more",
                                                     {{"shown", std::to_string(shown)}, {"m", std::to_string(*count)}}));
}

// Colleagues one may ask for an opinion: active staff of the administration but oneself.
Data colleague_options(const Visit& v) {
    Data list{Data::type::list};
    const auto& p = v.session->principal;
    auto scope = identity::TenantScope::of(p);
    if (!scope) return list;
    auto staff = v.ctx.identity.list_staff(*scope);
    if (!staff) return list;
    for (const auto& s : *staff) {
        if (s.disabled || s.account_id == p.account_id) continue;
        Data o;
        o.set("id", std::to_string(s.account_id));
        o.set("name", s.display_name.empty() ? s.login : s.display_name);
        list.push_back(o);
    }
    return list;
}

http::Response circuit_page(const Visit& v, const Circuit& c, Shared& shared, const Problem& pb) {
    const auto l = v.lang;
    const auto& a = c.allowed;
    Data d;
    if (auto done = v.req.query_param("done"); done && pb.message.empty()) {
        const std::string key = "parapheur_web.notice." + *done;
        if (i18n::catalogue().has(l, key)) d.set("notice", msg(l, key));
    }
    std::vector<FieldError> summary;
    if (!pb.message.empty()) {
        bool form_shown = (pb.action == "approve" && a.approve) || (pb.action == "sign" && a.sign) ||
                          (pb.action == "reject" && a.reject) || (pb.action == "return" && a.return_to_previous) ||
                          (pb.action == "opinion-request" && a.request_opinion) ||
                          (pb.action == "opinion" && a.give_opinion) || (pb.action == "cancel" && a.cancel);
        const std::string field = form_shown ? field_of(pb.action) : "state";
        detail::add_error(summary, d, field, pb.message);
    }
    d.set("error_summary", render_error_summary(l, summary));
    for (const auto& [k, text] : pb.kept) d.set("kept_" + k, text);
    d.set("title_html", bdi_auto(c.title));
    d.set("state_html", state_tag(l, c.state));
    d.set("template", step_label(l, c.template_name_ar, c.template_name_fr));
    d.set("initiator_html", bdi_auto(c.initiator_name));
    d.set("created_at", when(l, c.created_at_ms));
    if (c.finished_at_ms) d.set("finished_at", when(l, *c.finished_at_ms));
    if (c.reject_reason) d.set("reject_reason_html", bdi_auto(*c.reject_reason));
    d.set("file_html", bdi_auto(c.file_name));
    if (c.state == CircuitState::in_progress && c.current_step < static_cast<int>(c.steps.size())) {
        const auto& s = c.steps[static_cast<std::size_t>(c.current_step)];
        d.set("current_step", i18n::catalogue().format(l, "parapheur_web.queue.step_of",
                                                       {{"label", step_label(l, s.label_ar, s.label_fr)},
                                                        {"n", std::to_string(c.current_step + 1)},
                                                        {"m", std::to_string(c.steps.size())}}));
    }
    if (c.purpose == "letter" && c.subject_ref.starts_with("letter:"))
        d.set("letter_href", "/letters/" + c.subject_ref.substr(7));
    d.set("pdf_href", circuit_href(c.id) + "/document.pdf");
    d.set("steps", step_rows(l, c));
    d.set("history", history_rows(l, c));
    d.set("versions", version_rows(l, c));
    d.set("has_opinions", !c.opinions.empty());
    d.set("opinions", opinion_rows(l, c));
    set_pages(d, v, c, shared);

    d.set("version", std::to_string(c.version));
    const std::string base = circuit_href(c.id) + "/";
    for (const char* act : kActions) {
        std::string key = std::string("action_") + act;
        std::replace(key.begin(), key.end(), '-', '_');
        d.set(key, base + act);
    }
    d.set("can_approve", a.approve);
    d.set("can_sign", a.sign);
    d.set("can_reject", a.reject);
    d.set("can_return", a.return_to_previous);
    d.set("can_request_opinion", a.request_opinion);
    d.set("can_give_opinion", a.give_opinion);
    d.set("can_cancel", a.cancel);
    const bool any_action = a.approve || a.sign || a.reject || a.return_to_previous || a.request_opinion ||
                            a.give_opinion || a.cancel;
    d.set("no_action", !any_action);
    if (a.request_opinion) d.set("colleagues", colleague_options(v));
    if (a.acting_for) {
        std::string name;
        for (const auto& s : c.steps)
            for (const auto& x : s.assignees)
                if (x.account_id == *a.acting_for) name = x.name;
        d.set("acting_for", i18n::catalogue().format(l, "parapheur_web.acting_for", {{"name", name}}));
    }
    if (a.sign && v.ctx.totp != nullptr) {
        auto st = v.ctx.totp->state(v.session->principal.account_id);
        d.set("needs_totp", st && !st->active);
    }
    PageView pv = v.view(i18n::catalogue().format(l, "parapheur_web.document.title", {{"title", c.title}}), "parapheur");
    pv.has_errors = !summary.empty();
    return detail::html(pb.status, render_page(pv, "parapheur_circuit", d), true);
}

http::Response show(const http::Request& r, const PagesContext& ctx, Shared& shared) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& cv = std::get<CircuitVisit>(o);
    auto c = ctx.circuits->get(cv.v.session->principal, cv.id);
    if (!c) return detail::error_response(cv.v, c.error());
    return circuit_page(cv.v, *c, shared, {});
}

std::int64_t form_version(const http::Request& r) {
    auto s = r.form("version");
    return s ? parse_id(*s).value_or(0) : 0;
}

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

http::Response act(const http::Request& r, const PagesContext& ctx, Shared& shared, const std::string& action) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& cv = std::get<CircuitVisit>(o);
    const Visit& v = cv.v;
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("parapheur form"));
    const auto& p = v.session->principal;
    const parapheur::Actor actor{p, origin_of(r)};
    const std::int64_t version = form_version(r);
    Problem pb;
    Result<Circuit> done = errors::not_found("circuit");
    if (action == "approve") {
        const std::string comment = trimmed(r.form("comment").value_or(""));
        pb.kept["comment"] = comment;
        done = ctx.circuits->approve(actor, cv.id, version, comment);
    } else if (action == "sign") {
        parapheur::ReAuth reauth{r.form("password").value_or(""), trimmed(r.form("totp_code").value_or(""))};
        done = ctx.circuits->sign(actor, cv.id, version, reauth);
    } else if (action == "reject" || action == "return" || action == "cancel") {
        const std::string reason = trimmed(r.form("reason").value_or(""));
        pb.kept[action + "_reason"] = reason;
        done = action == "reject"   ? ctx.circuits->reject(actor, cv.id, version, reason)
               : action == "return" ? ctx.circuits->return_to_previous(actor, cv.id, version, reason)
                                    : ctx.circuits->cancel(actor, cv.id, version, reason);
    } else if (action == "opinion-request") {
        const std::string question = trimmed(r.form("question").value_or(""));
        pb.kept["question"] = question;
        const auto colleague = parse_id(r.form("colleague").value_or("")).value_or(0);
        done = ctx.circuits->request_opinion(actor, cv.id, colleague, question);
    } else {
        const std::string opinion = trimmed(r.form("opinion").value_or(""));
        pb.kept["opinion"] = opinion;
        done = ctx.circuits->give_opinion(actor, cv.id, opinion);
    }
    if (!done) {
        const Error& e = done.error();
        if (e.status >= 500 && e.status != 503) return detail::error_response(v, e);
        if (e.status == 404) return detail::error_response(v, e);
        auto now = ctx.circuits->get(p, cv.id);
        if (!now) return detail::error_response(v, now.error());
        pb.status = e.status;
        pb.action = action;
        pb.message = error_message(v.lang, e);
        auto res = circuit_page(v, *now, shared, pb);
        if (e.status == 429) res.headers.set("Retry-After", "60");
        return res;
    }
    auto res = http::Response::redirect(circuit_href(cv.id) + "?done=" + done_of(action));
    res.headers.set("Cache-Control", "no-store");
    return res;
}

}  // namespace

void register_document(http::Router& router, const PagesContext& ctx, std::shared_ptr<Shared> shared) {
    router.get("/parapheur/{id}", [ctx, shared](http::Request& r) { return show(r, ctx, *shared); });
    for (const char* action : kActions) {
        const std::string a = action;
        router.post("/parapheur/{id}/" + a, [ctx, shared, a](http::Request& r) { return act(r, ctx, *shared, a); });
    }
}

}  // namespace idara::web::parapheur_view
