// Public verification API (no authentication):
//   POST /api/v1/verify   multipart: part "file" (a PDF: a receipt or any signed PDF; or any
//                         content), optional part "signature" (a detached CAdES .p7s of "file");
//                         or JSON {"payload": "<QR payload or verification URL>"} for a receipt's QR.
//     200 {"verdict": "valid"|"invalid"|"unknown", ... the receipt checks (PDF without "signature"),
//          "validation": {"format","sha256","indication","sub_indication","reason":{"ar","fr"},
//                         "signatures":[{"field","sub_filter","integrity","total_document",
//                           "chain_trusted","signer":{"common_name","organisation","certificate_sha256"},
//                           "signed_at","timestamp":null|{"valid","gen_time","tsa"},"revocation",
//                           "indication","sub_indication","reason":{"ar","fr"}}]}}
//     For a detached signature the verdict is the validation's: TOTAL_PASSED valid,
//     TOTAL_FAILED invalid, INDETERMINATE unknown.
//     Errors: request.invalid (400: no "file" part, a second "signature", bad JSON),
//     multipart errors (400/413), trust.verify_input (400), storage errors.
//   GET /pki/crl.der      the development issuing CA's current CRL (application/pkix-crl).
//
// The receipt checks are registry/verify.hpp's; the validation is trust/validate.hpp's with the
// platform's anchors, its CRL and OCSP when [trust] ocsp is on.
//
// Thread-safety: handlers are safe to run concurrently.
#pragma once

#include "core/error.hpp"
#include "http/multipart.hpp"
#include "registry/verify.hpp"
#include "trust/validate.hpp"

#include <boost/json/object.hpp>

#include <functional>

namespace idara::http {
class Router;
}

namespace idara::api {

struct VerifyApi {
    registry::DepositService& deposits;
    std::function<Result<registry::VerifyKeys>()> verify_keys;
    std::function<Result<trust::ValidationOptions>()> validation_options;
    std::function<Result<std::string>()> crl_der;
    http::MultipartLimits multipart;  // one file and, for a detached signature, its .p7s
};

void register_verify(http::Router& r, const VerifyApi& api);

// The JSON forms, shared with `idara verify --json`.
boost::json::object validation_json(const trust::ValidationReport& r);
boost::json::object receipt_report_json(const registry::VerificationReport& r);
std::string_view verdict_of(trust::Indication i);  // "valid" | "invalid" | "unknown"

}  // namespace idara::api
