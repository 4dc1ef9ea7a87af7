// The portal's pages: the catalogue of procedures and the application journey
// (GOV.UK patterns, no JavaScript needed). See docs/design/portal.md.
//
//   GET  /services                     the catalogue: by life event, by administration, search q
//                                      (Arabic normalisation), filters life_event= and administration=
//   GET  /services/{code}              the start page of a procedure (its stable URL): what it is,
//                                      who it is for, documents (and those fetched through the
//                                      exchange), cost, legal deadline and silence regime, the
//                                      competent administration and unit, the legal basis, "Start now"
//   POST /services/{code}/start        a citizen or company: a new draft, 303 to its next page
//   GET  /applications                 the applicant's applications (drafts to resume, submitted ones)
//   GET  /applications/{id}            303 to where the journey continues (or the summary when submitted)
//   GET|POST /applications/{id}/steps/{step}      one page of questions; POST saves (400 with errors)
//   GET|POST /applications/{id}/lookups/{lookup}  consent: who is asked for what; agree or decline
//   GET|POST /applications/{id}/documents         upload (multipart) or remove the documents
//   GET  /applications/{id}/check      check your answers (Change links to each step)
//   POST /applications/{id}/submit     registers; 200 with the confirmation (register number,
//                                      tracking code shown once, receipt link), Cache-Control: no-store;
//                                      with a fee: 303 to the payment provider's checkout
//   GET|POST /payments/sandbox/{ref}   the SANDBOX provider's checkout (test cards; procedures/payments.hpp)
//   GET  /applications/{id}/payment-receipt.pdf   the sealed payment receipt (the applicant only)
//   GET  /applications/{id}/report.pdf the report of a scored questionnaire (procedures/scoring.hpp):
//                                      the applicant, or staff of the receiving administration
//
// Anonymous visitors may browse the catalogue; applying needs a session (303 to /login?next=).
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"

namespace idara::web {

// Registered by register_pages when PagesContext::catalogue and ::applications are set.
void register_portal_pages(http::Router& router, const PagesContext& ctx);

}  // namespace idara::web
