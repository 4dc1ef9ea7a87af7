// Assisted filing in the portal (helper E; procedures/applications.hpp, "Assisted filing"):
//
//   GET  /services/{code}/assisted   agents (ApplicationService::may_assist): the form for the
//                                    citizen — full name, identity document (cin|passport), its
//                                    number, e-mail (optional), and the required "I checked the
//                                    identity document at the desk" checkbox; others: 403 page
//   POST /services/{code}/assisted   ApplicationService::start_assisted: 303 to the first page of
//                                    the journey, or the form again with the error summary (400)
//   POST /applications/{id}/email-receipt  the agent: ApplicationService::email_receipt (the
//                                    sealed receipt queued in the e-mail outbox to the citizen's
//                                    address); 303 to /applications/{id}; errors: the error page
//
// Every page of an assisted application (/applications/{id}…, shown by portal::show) carries the
// banner "Assisted filing for <name>" with the document checked at the desk; once registered it
// links the receipt PDF with the hint to print it and hand it to the citizen, and when an e-mail
// address was given, a button to send it there (or says it was queued).
#pragma once

#include "procedures/applications.hpp"
#include "web/page.hpp"
#include "web/visit.hpp"

#include <string>

namespace idara::web::portal {

void register_assisted_pages(http::Router& router, const PagesContext& ctx);  // pages_portal_assisted.cpp

// The banner of an assisted application (HTML, escaped); "" when `a` is not assisted. `csrf`:
// the session's token for the e-mail form.
std::string assisted_banner_html(i18n::Lang l, const procedures::Application& a, const std::string& csrf);
// The banner for the page at `path` ("/applications/{id}…") seen by `v`: "" when the path is not
// an application's or the application is not assisted (or not the visitor's).
std::string assisted_banner_for_path(const detail::Visit& v, std::string_view path);

}  // namespace idara::web::portal
