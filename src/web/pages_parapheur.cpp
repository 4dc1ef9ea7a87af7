// The parapheur's queue page and the helpers the parapheur pages share (parapheur_pages.hpp).
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/parapheur_pages.hpp"
#include "web/parapheur_view.hpp"

#include <charconv>

namespace idara::web {
namespace parapheur_view {

using parapheur::Box;
using parapheur::CircuitState;

std::optional<std::int64_t> parse_id(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 1) return std::nullopt;
    return v;
}

std::string circuit_href(std::int64_t id) { return "/parapheur/" + std::to_string(id); }

std::string state_tag(i18n::Lang l, CircuitState s) {
    const bool bad = s == CircuitState::rejected || s == CircuitState::cancelled;
    return std::string("<strong class=\"tag") + (bad ? " tag--cancelled" : "") + "\">" +
           html_escape(msg(l, "parapheur_web.state." + std::string(parapheur::circuit_state_name(s)))) + "</strong>";
}

std::string step_label(i18n::Lang l, const std::string& ar, const std::string& fr) {
    const std::string& first = l == i18n::Lang::ar ? ar : fr;
    return first.empty() ? (l == i18n::Lang::ar ? fr : ar) : first;
}

std::string error_message(i18n::Lang l, const Error& e) {
    const std::string key = "error." + e.code;
    return msg_or(l, key, msg(l, "parapheur_web.error.generic"));
}

std::string origin_of(const http::Request& r) { return "web " + r.remote_addr; }

std::variant<CircuitVisit, http::Response> open(const http::Request& r, const PagesContext& ctx) {
    detail::Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto id = parse_id(r.param("id"));
    if (!id || !v.session->principal.is_staff()) return detail::error_response(v, errors::not_found("circuit"));
    return CircuitVisit{std::move(v), *id};
}

namespace {

constexpr int kQueueLimit = 100;

Data queue_rows(i18n::Lang l, Box box, const std::vector<parapheur::QueueLine>& lines) {
    Data list{Data::type::list};
    for (const auto& x : lines) {
        Data row;
        row.set("href", circuit_href(x.id));
        row.set("title_html", bdi_auto(x.title));
        row.set("template", step_label(l, x.template_name_ar, x.template_name_fr));
        if (x.state == CircuitState::in_progress) {
            row.set("step", i18n::catalogue().format(l, "parapheur_web.queue.step_of",
                                                     {{"label", step_label(l, x.current_label_ar, x.current_label_fr)},
                                                      {"n", std::to_string(x.current_step + 1)},
                                                      {"m", std::to_string(x.step_count)}}));
            row.set("kind", msg(l, "parapheur_web.kind." + std::string(parapheur::step_kind_name(x.current_kind))));
        }
        if (box != Box::mine) row.set("state_html", state_tag(l, x.state));
        row.set("opinion", box == Box::mine && x.opinion_requested);
        row.set("delegated", box == Box::mine && x.acting_for.has_value());
        row.set("initiator_html", bdi_auto(x.initiator_name));
        row.set("since", format_date_time(from_ms(x.updated_at_ms), l));
        list.push_back(row);
    }
    return list;
}

http::Response queue_page(const http::Request& r, const PagesContext& ctx) {
    detail::Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff() || !p.administration_id) return detail::error_response(v, errors::forbidden("parapheur"));
    const bool admin = p.has_role(identity::Role::admin);
    Box box = Box::mine;
    if (auto q = r.query_param("box")) {
        auto parsed = parapheur::parse_box(*q);
        if (!parsed || (*parsed == Box::all && !admin)) return detail::error_response(v, errors::not_found("box"));
        box = *parsed;
    }
    auto lines = ctx.circuits->queue(p, box, kQueueLimit);
    if (!lines) return detail::error_response(v, lines.error());
    const auto l = v.lang;
    Data tabs{Data::type::list};
    for (Box b : {Box::mine, Box::started, Box::all}) {
        if (b == Box::all && !admin) continue;
        Data t;
        const std::string name(parapheur::box_name(b));
        t.set("href", b == Box::mine ? std::string("/parapheur") : "/parapheur?box=" + name);
        t.set("label", msg(l, "parapheur_web.box." + name));
        t.set("current", b == box);
        tabs.push_back(t);
    }
    Data d;
    d.set("tabs", tabs);
    const std::string name(parapheur::box_name(box));
    d.set("box_title", msg(l, "parapheur_web.box." + name));
    d.set("box_hint", msg(l, "parapheur_web.box." + name + "_hint"));
    d.set("is_mine", box == Box::mine);
    d.set("has_lines", !lines->empty());
    d.set("lines", queue_rows(l, box, *lines));
    return detail::html(200, render_page(v.view(msg(l, "parapheur_web.title"), "parapheur"), "parapheur_queue", d), true);
}

}  // namespace

void register_queue(http::Router& router, const PagesContext& ctx) {
    router.get("/parapheur", [ctx](http::Request& r) { return queue_page(r, ctx); });
}

}  // namespace parapheur_view

void register_parapheur_pages(http::Router& router, const PagesContext& ctx) {
    auto shared = std::make_shared<parapheur_view::Shared>();
    parapheur_view::register_queue(router, ctx);
    parapheur_view::register_document(router, ctx, shared);
    parapheur_view::register_files(router, ctx, shared);
}

}  // namespace idara::web
