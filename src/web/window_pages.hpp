// Internal to the web pages: the correspondence window and the outgoing register.
//
// pages_window.cpp, pages_window_actions.cpp (PagesContext::workflow):
//   GET  /window?inbox=registry|unit|mine|opinions|overdue|due_soon   staff inboxes
//   GET  /window/{number}                                           the dossier and the actions the visitor may take
//   POST /window/{number}/{qualify|assign|dispatch|start|note|draft|opinion-request|opinion|
//                          missing-documents|reject|transfer|close|reply}
// pages_letters.cpp (PagesContext::letters):
//   GET  /letters                        the signer's queue (letters pending approval) and the outgoing register
//   GET  /letters/new, POST /letters/new a letter that starts in the administration (pages_letter_new.cpp)
//   GET  /letters/{id}                   a letter: text preview or PDF, history, approve / return forms
//   POST /letters/{id}/{approve|return|dispatch}
//   GET  /letters/{id}/letter.pdf        the sealed letter (staff; the depositor once dispatched)
// pages_entries.cpp (with PagesContext::workflow):
//   POST /deposits/{number}/complete     the depositor completes the file (multipart, files + note)
// Every POST checks the form's CSRF token first; every page is no-store.
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"

namespace idara::web {

void register_window_pages(http::Router& router, const PagesContext& ctx);  // pages_window*.cpp
void register_letter_pages(http::Router& router, const PagesContext& ctx);  // pages_letters.cpp

}  // namespace idara::web
