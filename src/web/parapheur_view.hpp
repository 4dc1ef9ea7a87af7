// Internal to the parapheur pages: the pieces the queue, the document view and the file
// endpoints share (see parapheur_pages.hpp for the contract).
#pragma once

#include "parapheur/circuits.hpp"
#include "web/pdf_pages.hpp"
#include "web/visit.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace idara::web::parapheur_view {

// The rendered pages cache, shared by every handler of one router.
struct Shared {
    PdfPages pages;
};

std::optional<std::int64_t> parse_id(std::string_view s);
std::string circuit_href(std::int64_t id);
// <strong class="tag …">state</strong>
std::string state_tag(i18n::Lang l, parapheur::CircuitState s);
// The step's label in the page's language (the other one when empty).
std::string step_label(i18n::Lang l, const std::string& ar, const std::string& fr);
// The message of a service error (error.<code>), else the generic one.
std::string error_message(i18n::Lang l, const Error& e);
// "web 192.0.2.1": the origin recorded with an action.
std::string origin_of(const http::Request& r);

// A signed-in staff visit and the circuit id of the path, or the response to send instead.
struct CircuitVisit {
    detail::Visit v;
    std::int64_t id = 0;
};
std::variant<CircuitVisit, http::Response> open(const http::Request& r, const PagesContext& ctx);

// Registration of each file's routes.
void register_queue(http::Router& router, const PagesContext& ctx);
void register_document(http::Router& router, const PagesContext& ctx, std::shared_ptr<Shared> shared);
void register_files(http::Router& router, const PagesContext& ctx, std::shared_ptr<Shared> shared);

}  // namespace idara::web::parapheur_view
