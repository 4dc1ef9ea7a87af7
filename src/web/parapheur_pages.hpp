// The e-parapheur in the web shell (parapheur/circuits.hpp), registered when
// PagesContext::circuits is set. Staff of the circuit's administration only: anyone else
// gets the 404 page for a circuit (never 403), anonymous visitors are sent to sign in.
// Every page is no-store; every POST checks the CSRF token first.
//
//   GET  /parapheur                      the queue: tabs mine (circuits waiting for me, or for
//                                        someone who delegated to me, or for my opinion) and
//                                        started (by me), plus all for admins (?box=…); each line
//                                        with title, template, current step (n of m), since
//   GET  /parapheur/{id}                 the document: every page as an image (alt "page N of
//                                        M"), the PDF to download (current and earlier versions),
//                                        the steps with each assignee's status, opinions, the
//                                        history, and the forms of the actions the visitor may
//                                        take now (CircuitAllowed): approve, sign (password +
//                                        TOTP code), reject, return (reason), ask an opinion
//                                        (colleague + question), give an opinion, cancel
//                                        ?done=<action> shows a notice
//   POST /parapheur/{id}/{approve|sign|reject|return|opinion-request|opinion|cancel}
//                                        hidden `version` (optimistic); success: 303 to the page
//                                        with ?done=<action>; a refusal re-renders the page as it
//                                        is now with the bilingual message and the service's
//                                        status (401 wrong password/code, 409 turn or version…);
//                                        resource.not_found and 5xx get the error pages
//   GET  /parapheur/{id}/page/{n}.png    page n of the current version, 1000 px wide (pdf_pages);
//                                        ?v=<sha256> makes it cacheable (private, immutable)
//   GET  /parapheur/{id}/document.pdf    the current version (?version=N an earlier one),
//                                        attachment, nosniff
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"

namespace idara::web {

void register_parapheur_pages(http::Router& router, const PagesContext& ctx);

}  // namespace idara::web
