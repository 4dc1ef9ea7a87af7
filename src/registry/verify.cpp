// Verification of receipts (PDF or QR payload), online against the register or offline.
#include "registry/verify.hpp"

#include <algorithm>

namespace idara::registry {

std::string_view verdict_name(Verdict v) {
    switch (v) {
        case Verdict::valid: return "valid";
        case Verdict::invalid: return "invalid";
        case Verdict::unknown: return "unknown";
    }
    return "unknown";
}

namespace {

void add(VerificationReport& r, std::string reason) {
    if (std::find(r.reasons.begin(), r.reasons.end(), reason) == r.reasons.end()) r.reasons.push_back(std::move(reason));
}

// Checks a QR payload's signature into the report; false when there is none to check.
bool check_qr(VerificationReport& r, std::string_view payload_or_url, const VerifyKeys& keys) {
    auto payload = trust::extract_payload(payload_or_url);
    if (!payload) {
        add(r, "qr.malformed");
        return false;
    }
    auto claims = trust::parse_qr(*payload);
    if (!claims) {
        add(r, "qr.malformed");
        return false;
    }
    r.qr = *claims;
    auto verified = trust::verify_qr(*payload, keys.keys);
    r.qr_signature_valid = verified.has_value();
    if (!verified) add(r, verified.error().code);
    return true;
}

// Asks the register about the QR's number; sets register_entry/register_matches.
Status check_register(VerificationReport& r, DepositService& registry) {
    if (!r.qr) return {};
    auto facts = registry.register_facts(r.qr->register_number);
    if (!facts) {
        if (facts.error().status == 404) {
            add(r, "register.unknown");
            return {};
        }
        return facts.error();
    }
    r.register_entry = *facts;
    r.register_matches = facts->registered_at_ms == r.qr->registered_at_ms && facts->receipt_digest == r.qr->receipt_digest;
    if (!r.register_matches) add(r, "register.mismatch");
    return {};
}

// The verdict once the signatures checked out: offline, valid; online, what the register says.
Verdict register_verdict(const VerificationReport& r, bool online) {
    if (!online) return Verdict::valid;
    if (!r.register_entry) return Verdict::unknown;
    return r.register_matches ? Verdict::valid : Verdict::invalid;
}

}  // namespace

Result<VerificationReport> verify_qr_payload(std::string_view payload_or_url, const VerifyKeys& keys,
                                             DepositService* registry) {
    VerificationReport r;
    if (!check_qr(r, payload_or_url, keys)) {
        r.verdict = Verdict::unknown;
        return r;
    }
    if (!r.qr_signature_valid) {
        r.verdict = Verdict::invalid;
        return r;
    }
    if (registry)
        if (auto s = check_register(r, *registry); !s) return s.error();
    r.verdict = register_verdict(r, registry != nullptr);
    return r;
}

Result<VerificationReport> verify_receipt_pdf(std::string_view pdf, const VerifyKeys& keys, DepositService* registry) {
    auto report = trust::verify_pdf(pdf, keys.anchors_pem);
    if (!report) return report.error();
    VerificationReport r;
    r.signatures = report->signatures;
    bool sealed_ok = !r.signatures.empty();
    for (const auto& s : r.signatures) {
        if (!s.integrity) add(r, "seal.integrity");
        if (s.integrity && !s.chain_trusted) add(r, "seal.untrusted");
        sealed_ok = sealed_ok && s.valid();
    }
    // The last signature must cover the whole file: bytes appended after it are not sealed.
    if (!r.signatures.empty() && !r.signatures.back().total_document) {
        add(r, "seal.partial");
        sealed_ok = false;
    }
    const bool has_qr = report->keywords && check_qr(r, *report->keywords, keys);
    if (r.signatures.empty() && !has_qr) {
        add(r, "none");
        r.verdict = Verdict::unknown;
        return r;
    }
    if (!sealed_ok || (has_qr && !r.qr_signature_valid) || r.signatures.empty()) {
        if (r.signatures.empty()) add(r, "seal.missing");
        r.verdict = Verdict::invalid;
        return r;
    }
    if (registry) {
        if (auto s = check_register(r, *registry); !s) return s.error();
        if (r.register_entry && r.register_entry->receipt_sha256 != report->sha256) {
            // A validly sealed file that is not the receipt the register issued for this number.
            r.register_matches = false;
            add(r, "register.other_file");
        }
        if (!has_qr) {
            // A sealed PDF without a receipt payload: look it up by its digest.
            auto facts = registry->register_facts_by_receipt(report->sha256);
            if (facts) {
                r.register_entry = *facts;
                r.register_matches = true;
            } else if (facts.error().status == 404) {
                add(r, "register.unknown");
            } else {
                return facts.error();
            }
        }
    }
    r.verdict = register_verdict(r, registry != nullptr);
    return r;
}

}  // namespace idara::registry
