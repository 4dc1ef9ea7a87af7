// The HTML pages of the web shell, registered on the router:
//
//   GET  /                  home: what idara is; signed in, the tasks by account kind
//   GET  /login             sign-in form (anonymous CSRF double-submit token)
//   POST /login             303 to `next` (local paths only) or the home of the account kind;
//                           401 form with errors; 429 page when throttled; 403 on a bad token
//   POST /logout            ends the session, clears the cookie, 303 to /login?signed_out=1
//   GET  /account           profile, kind, administration and roles (staff)
//   GET  /account/password  change-password form;  POST: 303 /account?password_changed=1 or 400 form
//   GET  /staff             staff home: administration, unit tree, roles (403 page for others)
//   GET  /lang/{ar|fr}      sets the idara_lang cookie, 303 to the local `next` (else /)
//
// With a DepositService (PagesContext::deposits), the registry office pages
// (see pages_deposit.cpp, pages_entries.cpp, pages_counter.cpp, pages_track.cpp,
// pages_verify.cpp for each page's contract):
//   GET  /deposit, GET|POST /deposit/{administration,type,details,check}, POST /deposit
//   GET  /deposits, /deposits/{number}, /deposits/{number}/receipt.pdf
//   POST /deposits/{number}/cancel
//   GET  /registry, GET|POST /registry/counter
//   GET  /track, GET|POST /verify
//
// Pages that need a session redirect anonymous visitors (303) to
// /login?next=<page>. Every POST checks the form's _csrf field (see
// security.hpp) before doing anything; a mismatch is a 403 page (auth.csrf).
// Pages with personal data or forms are sent with Cache-Control: no-store.
// The session cookie idara_session is HttpOnly, SameSite=Lax, Path=/, and
// Secure when PagesContext::cookie_secure.
//
// Handlers run on worker threads (they call the identity service).
#pragma once

#include "core/error.hpp"
#include "http/router.hpp"
#include "http/multipart.hpp"
#include "registry/attachments.hpp"

#include <functional>

namespace idara::identity {
class Service;
class TotpService;
}
namespace idara::registry {
class DepositService;
struct VerifyKeys;
}  // namespace idara::registry
namespace idara::processing {
class WorkflowService;
class AttestationService;
}
namespace idara::outgoing {
class OutgoingService;
}
namespace idara::parapheur {
class CircuitService;
}
namespace idara::trust {
struct ValidationOptions;
}
namespace idara::procedures {
class Catalogue;
class ApplicationService;
class EvaluationService;
}

namespace idara::web {

struct PagesContext {
    identity::Service& identity;   // must outlive the router
    bool cookie_secure = true;     // Secure attribute on cookies (config security.cookie_secure)
    // The registry office; when null its pages are not registered. Must outlive the router.
    registry::DepositService* deposits = nullptr;
    // The QR keys and trust anchors for /verify (read per verification, so new keys count at once).
    std::function<Result<registry::VerifyKeys>()> verify_keys;
    // The signature validator's anchors, CRLs and OCSP switch for /verify's per-signature ETSI
    // report (trust/validate.hpp); when unset the report is not shown.
    std::function<Result<trust::ValidationOptions>()> validation_options;
    // The limits the DepositService enforces, shown to people on the upload forms
    // (set them to the service's DepositOptions::limits).
    registry::AttachmentLimits attachment_limits{};
    // How the upload forms (POST /deposit, /registry/counter, /verify) are parsed.
    http::MultipartLimits multipart_limits{};
    // The correspondence window (window_pages.hpp); its pages are registered when set.
    processing::WorkflowService* workflow = nullptr;
    // The outgoing register: replies, the signer's queue, letters in the depositor's space.
    outgoing::OutgoingService* letters = nullptr;
    // Silence-as-approval attestations offered on the depositor's entry page when due.
    processing::AttestationService* attestations = nullptr;
    // The second factor: /account/totp (enrol, confirm, disable) is registered when set.
    identity::TotpService* totp = nullptr;
    // The e-parapheur (parapheur_pages.hpp): /parapheur… are registered when set.
    parapheur::CircuitService* circuits = nullptr;
    // The portal (portal_pages.hpp): /services… and /applications… are registered when both are set.
    procedures::Catalogue* catalogue = nullptr;
    procedures::ApplicationService* applications = nullptr;
    // Reviewers, ranking, decisions and the public directory (evaluation_pages.hpp); registered
    // when set together with the portal.
    procedures::EvaluationService* evaluation = nullptr;
};

void register_pages(http::Router& router, const PagesContext& ctx);

// An HTML error page for `e` (title and help by status: 403, 404, 429, 500, else the
// message of e.code), in the visitor's language, with e.status. For the server's
// fallback on paths that match no route (a 404 with errors::not_found()) and for
// errors of other HTML handlers.
http::Response error_page(const http::Request& r, const Error& e, const PagesContext& ctx);

}  // namespace idara::web
