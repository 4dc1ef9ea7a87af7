// The evaluation pages (procedures/evaluation.hpp; docs/design/evaluation.md), no JavaScript needed:
//
// Staff of the administration running an evaluated procedure:
//   GET  /evaluation                         the evaluated procedures of the administration and the
//                                            reader's reviews to do
//   GET  /evaluation/{code}                  the board: the ranking, reviews done, scores, outcomes;
//                                            unit heads and admins: the decisions (ranking mode:
//                                            "draw up the decision" with the number funded)
//   POST /evaluation/{code}/decisions        ranking mode: draws up the decision and starts its
//                                            circuit; 303 to the board
//   GET  /evaluation/decisions/{id}.pdf      the decision's PDF (staff; applicants once effective)
//   GET  /evaluation/applications/{id}       one dossier: answers, reviews, the reader's review form,
//                                            assignment (heads), grant/refuse (heads, each mode)
//   POST /evaluation/applications/{id}/assign   heads: assign a reviewer
//   POST /evaluation/applications/{id}/review   the assigned reviewer's scores and comment
//   POST /evaluation/applications/{id}/decide   heads, each mode: grant or refuse with a reason
// Public (no login):
//   GET  /services/{code}/directory          the public directory of granted applications
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"

namespace idara::web {

// Registered by register_pages when PagesContext::catalogue, ::applications and ::evaluation are set.
void register_evaluation_pages(http::Router& router, const PagesContext& ctx);

// Its parts, one file each (called by register_evaluation_pages).
void register_evaluation_dossier_pages(http::Router& router, const PagesContext& ctx);  // pages_evaluation_dossier.cpp
void register_public_directory_pages(http::Router& router, const PagesContext& ctx);   // pages_public_directory.cpp

}  // namespace idara::web
