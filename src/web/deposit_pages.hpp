// Internal to the registry office pages: what they share across files.
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"
#include "web/visit.hpp"

#include <cstdint>
#include <string>

namespace idara::web {

// The confirmation after a registration (deposit journey and counter): the register
// number, the tracking code (shown this once), the time, and links to the receipt PDF
// and the entry. Sent with 200 and Cache-Control: no-store (never a redirect: the
// tracking code must not go into a URL).
struct DoneView {
    std::string number;
    std::string tracking_code;
    std::int64_t registered_at_ms = 0;
    std::string administration_name;
    bool counter = false;  // the counter's wording: "print the receipt" for the walk-in depositor
};
http::Response render_done(const detail::Visit& v, const DoneView& d);

void register_deposit_pages(http::Router& router, const PagesContext& ctx);   // pages_deposit.cpp
void register_entry_pages(http::Router& router, const PagesContext& ctx);     // pages_entries.cpp
void register_counter_pages(http::Router& router, const PagesContext& ctx);   // pages_counter.cpp
void register_track_pages(http::Router& router, const PagesContext& ctx);     // pages_track.cpp
void register_verify_pages(http::Router& router, const PagesContext& ctx);    // pages_verify.cpp

}  // namespace idara::web
