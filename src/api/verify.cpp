// POST /api/v1/verify and GET /pki/crl.der (api/verify.hpp).
#include "api/verify.hpp"

#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"

#include <boost/json.hpp>

namespace idara::api {

namespace json = boost::json;

namespace {

json::object reason(trust::Indication i, trust::SubIndication s) {
    const auto& c = i18n::catalogue();
    const std::string key = trust::reason_key(i, s);
    return {{"ar", c.get(i18n::Lang::ar, key)}, {"fr", c.get(i18n::Lang::fr, key)}};
}

json::value sub_or_null(trust::SubIndication s) {
    const auto name = trust::to_string(s);
    return name.empty() ? json::value(nullptr) : json::value(json::string(name));
}

http::Response post_verify(const VerifyApi& api, http::Request& req) {
    auto keys = api.verify_keys();
    if (!keys) return error_response(keys.error());
    const std::string ct(req.header("Content-Type").value_or(""));
    if (!ct.starts_with("multipart/")) {
        auto body = parse_json_object(req);
        if (!body) return error_response(body.error());
        auto payload = required_string(*body, "payload", 2048);
        if (!payload) return error_response(payload.error());
        auto report = registry::verify_qr_payload(*payload, *keys, &api.deposits);
        if (!report) return error_response(report.error());
        return json_no_store(200, receipt_report_json(*report));
    }
    auto parts = http::parse_multipart(ct, req.body, api.multipart);
    if (!parts) return error_response(parts.error());
    const http::Part *file = nullptr, *signature = nullptr;
    for (const auto& p : *parts) {
        const http::Part** slot = p.name == "file" ? &file : p.name == "signature" ? &signature : nullptr;
        if (slot == nullptr) continue;
        if (*slot != nullptr) return error_response(errors::bad_request("two '" + p.name + "' parts"));
        *slot = &p;
    }
    if (!file) return error_response(errors::bad_request("no 'file' part"));
    auto options = api.validation_options();
    if (!options) return error_response(options.error());
    if (signature) {
        auto v = trust::validate_detached(file->body, signature->body, *options);
        if (!v) return error_response(v.error());
        return json_no_store(200, json::object{{"verdict", verdict_of(v->indication)}, {"validation", validation_json(*v)}});
    }
    auto report = registry::verify_receipt_pdf(file->body, *keys, &api.deposits);
    if (!report) return error_response(report.error());
    auto v = trust::validate_pdf(file->body, *options);
    if (!v) return error_response(v.error());
    json::object o = receipt_report_json(*report);
    o["validation"] = validation_json(*v);
    return json_no_store(200, o);
}

}  // namespace

std::string_view verdict_of(trust::Indication i) {
    switch (i) {
        case trust::Indication::total_passed: return "valid";
        case trust::Indication::total_failed: return "invalid";
        case trust::Indication::indeterminate: break;
    }
    return "unknown";
}

json::object validation_json(const trust::ValidationReport& r) {
    json::array sigs;
    for (const auto& s : r.signatures) {
        json::object o{{"field", s.field_name},
                       {"sub_filter", s.sub_filter},
                       {"integrity", s.integrity},
                       {"total_document", s.total_document},
                       {"chain_trusted", s.chain_trusted},
                       {"signer", json::object{{"common_name", s.signer_common_name},
                                               {"organisation", s.signer_organisation},
                                               {"certificate_sha256", s.signer_cert_sha256}}},
                       {"signed_at", iso_or_null(s.signing_time_ms)},
                       {"revocation", s.revocation},
                       {"indication", trust::to_string(s.indication)},
                       {"sub_indication", sub_or_null(s.sub_indication)},
                       {"reason", reason(s.indication, s.sub_indication)}};
        if (!s.chain_error.empty()) o["chain_error"] = s.chain_error;
        if (s.timestamp.present) {
            json::object t{{"valid", s.timestamp.valid},
                           {"gen_time", s.timestamp.gen_time_ms ? json::value(i18n::iso_utc(s.timestamp.gen_time_ms))
                                                                : json::value(nullptr)},
                           {"tsa", s.timestamp.tsa_name}};
            if (!s.timestamp.error.empty()) t["error"] = s.timestamp.error;
            o["timestamp"] = std::move(t);
        } else {
            o["timestamp"] = nullptr;
        }
        sigs.push_back(std::move(o));
    }
    return json::object{{"format", r.format},
                        {"sha256", r.sha256},
                        {"indication", trust::to_string(r.indication)},
                        {"sub_indication", sub_or_null(r.sub_indication)},
                        {"reason", reason(r.indication, r.sub_indication)},
                        {"signatures", std::move(sigs)}};
}

json::object receipt_report_json(const registry::VerificationReport& r) {
    json::array sigs;
    for (const auto& s : r.signatures) {
        json::object o{{"field", s.field_name},       {"sub_filter", s.sub_filter},
                       {"integrity", s.integrity},     {"total_document", s.total_document},
                       {"chain_trusted", s.chain_trusted}, {"signer", s.signer_common_name},
                       {"organisation", s.signer_organisation}, {"certificate_sha256", s.signer_cert_sha256}};
        o["signed_at"] = s.signing_time_ms ? json::value(i18n::iso_utc(*s.signing_time_ms)) : json::value(nullptr);
        if (!s.chain_error.empty()) o["chain_error"] = s.chain_error;
        sigs.push_back(std::move(o));
    }
    json::array reasons;
    for (const auto& x : r.reasons) reasons.push_back(json::string(x));
    json::object o{{"verdict", registry::verdict_name(r.verdict)}, {"reasons", std::move(reasons)},
                   {"signatures", std::move(sigs)}};
    if (r.qr)
        o["qr"] = json::object{{"register_number", r.qr->register_number}, {"registered_at", i18n::iso_utc(r.qr->registered_at_ms)},
                               {"digest", r.qr->receipt_digest}, {"kid", r.qr->kid},
                               {"signature_valid", r.qr_signature_valid}};
    if (r.register_entry)
        o["register"] = json::object{{"register_number", r.register_entry->register_number},
                                     {"registered_at", i18n::iso_utc(r.register_entry->registered_at_ms)},
                                     {"administration", r.register_entry->administration_code},
                                     {"status", registry::status_name(r.register_entry->status)},
                                     {"matches", r.register_matches}};
    return o;
}

void register_verify(http::Router& r, const VerifyApi& api) {
    r.post("/api/v1/verify", [api](http::Request& req) { return post_verify(api, req); });
    r.get("/pki/crl.der", [api](http::Request&) -> http::Response {
        auto crl = api.crl_der();
        if (!crl) return error_response(crl.error());
        auto out = http::Response::text(200, std::move(*crl), "application/pkix-crl");
        out.headers.set("Cache-Control", "public, max-age=300");
        return out;
    });
}

}  // namespace idara::api
