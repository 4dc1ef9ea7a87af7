// Internal to the correspondence window's pages: the dossier page, rendered by the GET
// handler and again by a POST handler that failed (with the error and what was typed).
#pragma once

#include "web/visit.hpp"

#include <map>
#include <string>

namespace idara::web::detail {

// What a failed action gives back to the page: the summary message, the field it belongs
// to ("" for the page), and the values typed so they are not lost.
struct WindowFormState {
    std::string field;     // "lead", "missing", "note", "reject", "transfer", "reply_subject", or ""
    std::string message;   // translated
    std::map<std::string, std::string> typed;  // e.g. {"reply_subject", "..."}
};

http::Response window_entry_page(const Visit& v, std::string_view number, int status,
                                 const WindowFormState& form = {});

// "web 192.0.2.1": where an action came from, for the timeline.
std::string web_origin(const http::Request& r);
// "/window/MEF-2026-000123": the dossier page of an entry.
std::string window_href(std::string_view number);

}  // namespace idara::web::detail
