#include "web/portal_view.hpp"
#include "web/portal_assisted.hpp"

#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/security.hpp"

#include "procedures/evaluation.hpp"
#include "procedures/scoring.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace idara::web::portal {

namespace json = boost::json;
using procedures::Widget;

std::optional<http::Response> refuse(const Visit& v, bool check_csrf) {
    if (!v.session) return detail::to_login(v.req);
    if (check_csrf && !csrf_field_matches(v.req, v.session->csrf_token))
        return detail::error_response(v, errors::csrf("portal form"));
    return std::nullopt;
}

Result<Journey> load(const Visit& v, std::string_view id) {
    auto app = v.ctx.applications->get(v.session->principal, id);
    if (!app) return app.error();
    auto pub = v.ctx.applications->procedure_of(*app);
    if (!pub) return pub.error();
    return Journey{std::move(*app), std::move(*pub)};
}

std::string app_href(std::string_view id) { return "/applications/" + http::url_encode(id); }
std::string step_href(std::string_view id, std::string_view step) { return app_href(id) + "/steps/" + http::url_encode(step); }
std::string lookup_href(std::string_view id, std::string_view lookup) {
    return app_href(id) + "/lookups/" + http::url_encode(lookup);
}

std::string next_href(const Journey& j) {
    if (j.app.state != procedures::State::draft) return app_href(j.app.id);
    const auto n = procedures::ApplicationService::next(j.procedure(), j.app);
    switch (n.kind) {
        case procedures::Next::Kind::step: return step_href(j.app.id, n.id);
        case procedures::Next::Kind::lookup: return lookup_href(j.app.id, n.id);
        case procedures::Next::Kind::documents: return app_href(j.app.id) + "/documents";
        case procedures::Next::Kind::check: break;
    }
    return app_href(j.app.id) + "/check";
}

const json::value* answer_of(const procedures::Application& a, std::string_view field) {
    return a.answers.if_contains(field);
}

std::string answer_input(const json::value* v) {
    if (v == nullptr || v->is_null()) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_bool()) return v->as_bool() ? "true" : "";
    if (v->is_double()) {
        // The shortest form that reads back the same ("16.42", not "1.642E1").
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v->as_double());
        if (ec == std::errc()) return std::string(buf, end);
    }
    return json::serialize(*v);
}

std::string answer_text(i18n::Lang l, const procedures::Field& f, const json::value* v) {
    if (v == nullptr || v->is_null()) return {};
    if (f.widget == Widget::checkbox) {
        const bool on = v->is_bool() ? v->as_bool() : answer_input(v) == "true";
        return msg(l, on ? "web.portal.answer.yes" : "web.portal.answer.no");
    }
    std::string raw = answer_input(v);
    for (const auto& o : f.options)
        if (o.value == raw) return o.label.in(l);
    // A decimal number as written in French (as the receipt writes it): "16,42".
    if (v->is_double() && l == i18n::Lang::fr) std::replace(raw.begin(), raw.end(), '.', ',');
    return raw;
}

std::string problem_message(i18n::Lang l, const procedures::Field* f, const procedures::FieldProblem& p) {
    if (f != nullptr && p.code != "required" && !f->error.in(l).empty()) return f->error.in(l);
    const std::string label = f != nullptr ? f->label.in(l) : p.field;
    if (p.code == "required")
        return i18n::catalogue().format(l, "web.portal.error.required", {{"label", label}});
    return f != nullptr && !f->error.in(l).empty()
               ? f->error.in(l)
               : i18n::catalogue().format(l, "web.portal.error.invalid", {{"label", label}});
}

std::string deadline_text(i18n::Lang l, const procedures::Procedure& p) {
    return i18n::catalogue().format(l, p.working_days ? "web.portal.deadline.working" : "web.portal.deadline.calendar",
                                    {{"days", std::to_string(p.deadline_days)}});
}

std::string silence_text(i18n::Lang l, const procedures::Procedure& p) {
    return msg(l, p.silence == procedures::Silence::approval ? "web.portal.silence.approval"
                                                             : "web.portal.silence.rejection");
}

std::string fee_html(const procedures::Fee& f) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(f.amount_centimes / 100),
                  static_cast<long long>(f.amount_centimes % 100));
    return bdi_ltr(std::string(buf) + " " + f.currency);
}

http::Response show(const Visit& v, int status, std::string_view tmpl, std::string title, Data& d, bool errors,
                    bool personal, std::string_view nav) {
    PageView pv = v.view(std::move(title), nav);
    pv.has_errors = errors;
    std::string page = render_page(pv, tmpl, d);
    // Assisted filing (portal_assisted.hpp): every page of an assisted application starts with
    // the banner naming the citizen.
    if (const std::string banner = assisted_banner_for_path(v, v.req.path); !banner.empty()) {
        constexpr std::string_view main_open = "<main id=\"main\" class=\"main\" tabindex=\"-1\">";
        if (const auto at = page.find(main_open); at != std::string::npos) page.insert(at + main_open.size(), "\n" + banner);
    }
    return detail::html(status, std::move(page), personal);
}

std::vector<const procedures::Document*> uploads_of(const procedures::Procedure& p, const procedures::Application& a) {
    std::vector<const procedures::Document*> out;
    for (const auto& d : p.documents) {
        if (d.fetched_by) {
            const auto* c = a.consent(*d.fetched_by);
            if (c != nullptr && c->agreed) continue;
            // Not decided yet: the lookup page comes first; the document is asked only once declined.
            if (c == nullptr) continue;
        }
        out.push_back(&d);
    }
    return out;
}

std::string state_tag(i18n::Lang l, procedures::State s) {
    const std::string name(procedures::state_name(s));
    return "<strong class=\"tag\">" + html_escape(msg(l, "web.portal.state." + name)) + "</strong>";
}

std::string score_html(const Visit& v, const Journey& j, bool submitted) {
    const auto& pr = j.procedure();
    if (!pr.scoring || !submitted) return {};
    auto s = procedures::score(pr, j.app.answers);
    if (!s) return {};  // a file the parser accepted always scores
    const auto l = v.lang;
    auto percent = [l](int p) {
        return bdi_ltr(i18n::catalogue().format(l, "web.scoring.percent", {{"percent", std::to_string(p)}}));
    };
    Data dims{Data::type::list};
    for (const auto& ds : s->dimensions) {
        Data row;
        row.set("title", ds.title.in(l));
        row.set("percent_html", percent(ds.percent));
        row.set("advised", ds.advised);
        dims.push_back(row);
    }
    Data d;
    d.set("percent_html", percent(s->percent));
    d.set("level", s->level.title.in(l));
    d.set("summary", s->level.summary.in(l));
    d.set("dimensions", dims);
    d.set("report_href", app_href(j.app.id) + "/report.pdf");
    return render("portal_score", d, l);
}

std::string outcome_html(const Visit& v, const Journey& j) {
    if (v.ctx.evaluation == nullptr || !v.session || !j.procedure().evaluation || j.app.state != procedures::State::submitted)
        return {};
    auto o = v.ctx.evaluation->outcome_of(v.session->principal, j.app.id);
    // The page is still useful without the outcome: a failed look-up shows the rest of it.
    if (!o || !o->has_value()) return {};
    const auto& out = **o;
    const auto l = v.lang;
    Data d;
    d.set("name", out.name.in(l));
    d.set("decided_at", format_date(from_ms(out.decided_at_ms), l));
    d.set("has_reason", !out.reason.empty());
    d.set("reason_html", bdi_auto(out.reason));
    d.set("has_decision", out.decision_id.has_value());
    d.set("decision_href", out.decision_id ? "/evaluation/decisions/" + std::to_string(*out.decision_id) + ".pdf" : std::string());
    return render("portal_outcome", d, l);
}

}  // namespace idara::web::portal
