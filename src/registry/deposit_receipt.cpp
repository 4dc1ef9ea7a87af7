// The receipt of a deposit: the digest of the registered facts, the bilingual
// content, rendering, the signed QR payload and the PAdES seal.
#include "registry/deposit_impl.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "core/random.hpp"
#include "receipt/render.hpp"
#include "trust/pades.hpp"
#include "trust/qr.hpp"

namespace idara::registry::detail {

namespace {

using i18n::Lang;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::chrono::sys_seconds seconds(std::int64_t ms) {
    return std::chrono::sys_seconds(std::chrono::seconds(ms / 1000));
}

receipt::Bilingual both(const std::string& key, const std::vector<std::pair<std::string, std::string>>& args = {}) {
    const auto& c = i18n::catalogue();
    return {c.format(Lang::ar, key, args), c.format(Lang::fr, key, args)};
}

receipt::Bilingual deadline_text(const ReceiptFacts& f) {
    const auto& t = f.receiver->type;
    const std::string key = t.working_days ? "registry.receipt.deadline_working" : "registry.receipt.deadline_calendar";
    const auto& c = i18n::catalogue();
    const std::string days = std::to_string(t.deadline_days);
    // ar-MA dates are Arabic text ("15 يوليوز 2025"), read right to left like the line around them.
    return {c.format(Lang::ar, key, {{"days", days}, {"date", i18n::format_date(seconds(f.due_at_ms), Lang::ar)}}),
            c.format(Lang::fr, key, {{"days", days}, {"date", i18n::format_date(seconds(f.due_at_ms), Lang::fr)}})};
}

}  // namespace

std::string facts_digest(const ReceiptFacts& f) {
    // Length-prefixed fields so no two different sets of facts give the same text.
    std::string s = "idara-receipt-v1\n";
    auto add = [&](std::string_view v) { s += std::to_string(v.size()) + ":" + std::string(v) + "\n"; };
    add(f.register_number);
    add(std::to_string(f.registered_at_ms));
    add(f.receiver->code);
    add(f.receiver->unit_code);
    add(channel_name(f.channel));
    add(f.receiver->type.code);
    add(std::to_string(f.due_at_ms));
    add(random::sha256_hex(f.depositor));
    add(random::sha256_hex(f.subject));
    add(random::sha256_hex(f.body));
    for (const auto& file : *f.files) {
        add(file.name);
        add(file.sha256);
    }
    return random::sha256_hex(s);
}

std::int64_t due_date(std::int64_t registered_at_ms, int days, bool working_days) {
    if (!working_days) return registered_at_ms + days * kDayMs;
    std::int64_t t = registered_at_ms;
    for (int left = days; left > 0;) {
        t += kDayMs;
        const auto wd = std::chrono::weekday(std::chrono::floor<std::chrono::days>(
            std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t))));
        if (wd != std::chrono::Saturday && wd != std::chrono::Sunday) --left;
    }
    return t;
}

Result<DepositType> find_type(storage::Tx& tx, std::int64_t administration_id, std::string_view code) {
    // The administration's own definition wins over the platform default (administration_id 0).
    auto row = tx.query_one(
        "SELECT code, name_ar, name_fr, deadline_days, working_days, silence_is_approval FROM deposit_types "
        "WHERE code = $1 AND administration_id IN (0, $2) ORDER BY administration_id DESC LIMIT 1",
        {std::string(code), administration_id});
    if (!row) return row.error();
    if (!*row) return Error{"deposit.unknown_type", 400, std::string(code)};
    const auto& r = **row;
    return DepositType{r.as_text(0), r.as_text(1), r.as_text(2), static_cast<int>(r.as_int(3)), r.as_int(4) != 0,
                       r.as_int(5) != 0};
}

Result<std::string> render_receipt(const ReceiptFacts& f, const std::string& digest, const trust::SealKeys& keys,
                                   const std::string& public_url, const std::function<Status(Step)>& step) {
    const Receiver& rc = *f.receiver;
    receipt::ReceiptContent c;
    c.register_number = f.register_number;
    c.tracking_code = f.tracking_code;
    c.registered_at = {i18n::format_date_time(seconds(f.registered_at_ms), Lang::ar),
                       i18n::format_date_time(seconds(f.registered_at_ms), Lang::fr)};
    c.administration = {rc.name_ar, rc.name_fr};
    c.unit = rc.unit_id ? receipt::Bilingual{rc.unit_name_ar, rc.unit_name_fr} : both("registry.receipt.no_unit");
    c.contact = rc.contact;
    c.depositor = f.depositor;
    c.subject = f.subject;
    c.type = {rc.type.name_ar, rc.type.name_fr};
    for (const auto& file : *f.files) c.attachments.push_back({file.name, file.sha256});
    c.deadline = deadline_text(f);
    c.silence_regime = both(rc.type.silence_is_approval ? "registry.receipt.silence_approval"
                                                        : "registry.receipt.silence_no_approval");
    c.appeal = both("registry.receipt.appeal");
    const std::string payload =
        trust::sign_qr(trust::QrClaims{f.register_number, f.registered_at_ms, digest, keys.kid}, keys.ed25519_sk);
    c.qr_payload = trust::qr_url(public_url, payload);
    auto pdf = receipt::render_pdf(c);
    if (!pdf) return pdf.error();
    if (auto s = step(Step::receipt_rendered); !s) return s.error();
    trust::SealOptions o;
    o.field_name = "Seal";
    o.reason = "Deposit receipt " + f.register_number;
    o.location = "Morocco";
    auto sealed = trust::seal_pdf(*pdf, keys.identity, o);
    if (!sealed) return sealed.error();
    if (auto s = step(Step::receipt_sealed); !s) return s.error();
    return sealed;
}

}  // namespace idara::registry::detail
