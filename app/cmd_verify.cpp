// idara verify: checks a receipt PDF (or a QR payload) from the command line.
//
// With --keys FILE (a copy of /.well-known/idara-keys.json) it works fully offline:
// the seal against the published trust anchors and the QR signature against the
// published keys. Without --keys it reads the keys from the local data directory and
// also asks the local register whether the receipt matches an entry.
// Exit codes: 0 valid, 1 invalid or unknown (or an error), 2 usage.
#include "commands.hpp"
#include "runtime.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "registry/verify.hpp"
#include "trust/key_store.hpp"

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
    Result<registry::VerificationReport> report = errors::bad_request();
    if (!o.file.empty()) {
        auto pdf = read_file(o.file);
        if (!pdf) return fail(pdf.error());
        report = registry::verify_receipt_pdf(*pdf, keys, reg);
    } else {
        report = registry::verify_qr_payload(o.payload, keys, reg);
    }
    if (!report) return fail(report.error());
    print(*report, lang);
    return report->verdict == registry::Verdict::valid ? 0 : 1;
}

}  // namespace idara::app
