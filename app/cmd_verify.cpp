// idara verify: checks a receipt PDF (or a QR payload), any signed PDF, or a detached CAdES
// signature (--detached SIG) from the command line.
//
// Every signature is also reported as the validator sees it (trust/validate.hpp): ETSI EN
// 319 102-1 indication and sub-indication, signer, chain, time-stamp, revocation, with the
// reason in the chosen language; --json prints the API's shape (api/verify.hpp).
// A receipt (a PDF carrying a QR payload) keeps the receipt verdict and exit code; for any
// other file the exit code is 0 only when the overall indication is TOTAL_PASSED.
//
// With --keys FILE (a copy of /.well-known/idara-keys.json) it works fully offline:
// the seal against the published trust anchors and the QR signature against the
// published keys. Without --keys it reads the keys from the local data directory and
// also asks the local register whether the receipt matches an entry.
// Exit codes: 0 valid, 1 invalid or unknown (or an error), 2 usage.
#include "commands.hpp"
#include "runtime.hpp"

#include "api/verify.hpp"
#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "registry/verify.hpp"
#include "trust/key_store.hpp"
#include "trust/validate.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace idara::app {

namespace {

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"verify.input", 1, "cannot read " + path};
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void print(const registry::VerificationReport& r, i18n::Lang l) {
    const auto& c = i18n::catalogue();
    std::cout << "verdict: " << registry::verdict_name(r.verdict) << " — "
              << c.get(l, "registry.verdict." + std::string(registry::verdict_name(r.verdict))) << "\n";
    for (const auto& s : r.signatures) {
        std::cout << "seal " << s.field_name << ": integrity " << (s.integrity ? "ok" : "BROKEN") << ", whole document "
                  << (s.total_document ? "yes" : "no") << ", certificate " << (s.chain_trusted ? "trusted" : "NOT trusted")
                  << (s.chain_error.empty() ? "" : " (" + s.chain_error + ")") << "\n  sealed by " << s.signer_common_name
                  << " — " << s.signer_organisation;
        if (s.signing_time_ms) std::cout << ", at " << i18n::iso_utc(*s.signing_time_ms);
        std::cout << "\n";
    }
    if (r.qr)
        std::cout << "receipt " << r.qr->register_number << " registered at " << i18n::iso_utc(r.qr->registered_at_ms)
                  << ", QR signature (" << r.qr->kid << ") " << (r.qr_signature_valid ? "valid" : "INVALID") << "\n";
    if (r.register_entry)
        std::cout << "register: " << r.register_entry->register_number << " ("
                  << registry::status_name(r.register_entry->status) << "), "
                  << (r.register_matches ? "matches" : "does NOT match") << "\n";
    for (const auto& reason : r.reasons)
        if (c.has(l, "registry.reason." + reason)) std::cout << "  - " << c.get(l, "registry.reason." + reason) << "\n";
}

void print_validation(const trust::ValidationReport& r, i18n::Lang l) {
    const auto& c = i18n::catalogue();
    auto indication = [](trust::Indication i, trust::SubIndication sub) {
        std::string out(trust::to_string(i));
        if (!trust::to_string(sub).empty()) out += "/" + std::string(trust::to_string(sub));
        return out;
    };
    std::cout << "signature report (" << r.format << ", " << r.signatures.size() << " signature(s)): "
              << indication(r.indication, r.sub_indication) << " — "
              << c.get(l, trust::reason_key(r.indication, r.sub_indication)) << "\n";
    for (const auto& s : r.signatures) {
        std::cout << "signature " << (s.field_name.empty() ? std::string("(detached)") : s.field_name) << ": "
                  << indication(s.indication, s.sub_indication) << " — "
                  << c.get(l, trust::reason_key(s.indication, s.sub_indication)) << "\n";
        if (!s.signer_common_name.empty())
            std::cout << "  signer " << s.signer_common_name << " — " << s.signer_organisation << " (certificate sha256 "
                      << s.signer_cert_sha256 << ")\n";
        std::cout << "  integrity " << (s.integrity ? "ok" : "BROKEN") << ", whole document "
                  << (s.total_document ? "yes" : "no") << ", chain " << (s.chain_trusted ? "trusted" : "NOT trusted")
                  << (s.chain_error.empty() ? "" : " (" + s.chain_error + ")") << ", revocation " << s.revocation << "\n";
        if (s.timestamp.present)
            std::cout << "  time-stamp " << (s.timestamp.gen_time_ms ? i18n::iso_utc(s.timestamp.gen_time_ms) : "?")
                      << " by " << s.timestamp.tsa_name << ": " << (s.timestamp.valid ? "valid" : "INVALID")
                      << (s.timestamp.error.empty() ? "" : " (" + s.timestamp.error + ")") << "\n";
        else
            std::cout << "  time-stamp: none\n";
    }
}

}  // namespace

int cmd_verify(const GlobalOptions& g, const VerifyOptions& o) {
    if (o.file.empty() == o.payload.empty()) {
        std::cerr << "idara verify: give a receipt FILE or --payload (one of them)\n";
        return 2;
    }
    const i18n::Lang lang = i18n::parse_lang(o.lang).value_or(i18n::Lang::fr);
    registry::VerifyKeys keys;
    std::unique_ptr<Runtime> rt;
    if (o.keys_file) {
        auto text = read_file(*o.keys_file);
        if (!text) return fail(text.error());
        auto doc = trust::parse_keys_document(*text);
        if (!doc) return fail(doc.error());
        keys = {std::move(doc->keys), std::move(doc->anchors_pem)};
    } else {
        auto opened = open_runtime(load_config(g), OpenMode::existing);
        if (!opened) return fail(opened.error());
        rt = std::move(*opened);
        auto k = verify_keys(*rt);
        if (!k) return fail(k.error());
        keys = std::move(*k);
    }
    registry::DepositService* reg = rt ? rt->deposits.get() : nullptr;
    // The validator's anchors: offline those of the keys document (no CRL), else the platform's.
    trust::ValidationOptions vopts;
    if (rt) {
        auto v = validation_options(*rt);
        if (!v) return fail(v.error());
        vopts = std::move(*v);
    } else {
        vopts.anchors_pem = keys.anchors_pem;
    }
    if (o.detached) {
        if (o.file.empty()) {
            std::cerr << "idara verify: --detached needs the signed FILE\n";
            return 2;
        }
        auto content = read_file(o.file);
        if (!content) return fail(content.error());
        auto sig = read_file(*o.detached);
        if (!sig) return fail(sig.error());
        auto v = trust::validate_detached(*content, *sig, vopts);
        if (!v) return fail(v.error());
        if (o.json)
            std::cout << boost::json::serialize(boost::json::object{{"verdict", api::verdict_of(v->indication)},
                                                                    {"validation", api::validation_json(*v)}})
                      << "\n";
        else print_validation(*v, lang);
        return v->indication == trust::Indication::total_passed ? 0 : 1;
    }
    Result<registry::VerificationReport> report = errors::bad_request();
    std::optional<trust::ValidationReport> validation;
    if (!o.file.empty()) {
        auto pdf = read_file(o.file);
        if (!pdf) return fail(pdf.error());
        report = registry::verify_receipt_pdf(*pdf, keys, reg);
        auto v = trust::validate_pdf(*pdf, vopts);
        if (!v) return fail(v.error());
        validation = std::move(*v);
    } else {
        report = registry::verify_qr_payload(o.payload, keys, reg);
    }
    if (!report) return fail(report.error());
    const bool receipt = !o.payload.empty() || report->qr.has_value();
    if (o.json) {
        auto j = api::receipt_report_json(*report);
        if (validation) j["validation"] = api::validation_json(*validation);
        if (!receipt && validation) j["verdict"] = api::verdict_of(validation->indication);
        std::cout << boost::json::serialize(j) << "\n";
    } else {
        if (receipt) print(*report, lang);
        if (validation) print_validation(*validation, lang);
    }
    if (receipt) return report->verdict == registry::Verdict::valid ? 0 : 1;
    return validation && validation->indication == trust::Indication::total_passed ? 0 : 1;
}

}  // namespace idara::app
