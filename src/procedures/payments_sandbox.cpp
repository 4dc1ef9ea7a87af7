// The sandbox payment provider (payments.hpp): no real money; test card numbers decide.
#include "procedures/payments.hpp"

#include "core/random.hpp"
#include "storage/db.hpp"

namespace idara::procedures {

std::string_view payment_state_name(PaymentState s) {
    switch (s) {
    case PaymentState::pending: return "pending";
    case PaymentState::paid: return "paid";
    case PaymentState::failed: return "failed";
    }
    return "pending";
}

std::optional<PaymentState> parse_payment_state(std::string_view s) {
    if (s == "pending") return PaymentState::pending;
    if (s == "paid") return PaymentState::paid;
    if (s == "failed") return PaymentState::failed;
    return std::nullopt;
}

SandboxPaymentProvider::SandboxPaymentProvider(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<PaymentIntent> SandboxPaymentProvider::create(std::int64_t amount_centimes, std::string_view currency,
                                                     std::string_view reference, std::string_view description) {
    PaymentIntent out{"sbx_" + random::hex_token(12), ""};
    out.checkout_url = "/payments/sandbox/" + out.provider_ref;
    const std::int64_t now = clock_.now_ms();
    auto s = db_.write_tx([&](storage::Tx& tx) -> Status {
        auto n = tx.exec(
            "INSERT INTO sandbox_payments (ref, amount_centimes, currency, reference, description, state, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)",
            {out.provider_ref, amount_centimes, std::string(currency), std::string(reference), std::string(description), now});
        if (!n) return n.error();
        return {};
    });
    if (!s) return s.error();
    return out;
}

Result<SandboxCheckout> SandboxPaymentProvider::checkout(std::string_view ref) {
    return db_.read<SandboxCheckout>([&](storage::Tx& tx) -> Result<SandboxCheckout> {
        auto r = tx.query_one(
            "SELECT ref, amount_centimes, currency, reference, description, state FROM sandbox_payments WHERE ref = $1",
            {std::string(ref)});
        if (!r) return r.error();
        if (!*r) return errors::not_found("sandbox payment");
        const auto& row = **r;
        return SandboxCheckout{row.as_text(0), row.as_int(1), row.as_text(2), row.as_text(3), row.as_text(4),
                               parse_payment_state(row.as_text(5)).value_or(PaymentState::pending)};
    });
}

Result<PaymentState> SandboxPaymentProvider::status(std::string_view provider_ref) {
    auto c = checkout(provider_ref);
    if (!c) return c.error();
    return c->state;
}

Result<PaymentState> SandboxPaymentProvider::pay(std::string_view ref, std::string_view card_number) {
    std::string card;
    for (char c : card_number)
        if (c != ' ' && c != '-') card += c;
    PaymentState outcome = PaymentState::pending;
    if (card == kSandboxCardPaid) outcome = PaymentState::paid;
    else if (card == kSandboxCardDeclined) outcome = PaymentState::failed;
    else return Error{"payment.card_invalid", 400, "not a sandbox test card"};
    const std::int64_t now = clock_.now_ms();
    return db_.write<PaymentState>([&](storage::Tx& tx) -> Result<PaymentState> {
        auto r = tx.query_one("SELECT state FROM sandbox_payments WHERE ref = $1", {std::string(ref)});
        if (!r) return r.error();
        if (!*r) return errors::not_found("sandbox payment");
        if ((*r)->as_text(0) != "pending") return Error{"payment.already_settled", 409, std::string(ref)};
        auto n = tx.exec(
            "UPDATE sandbox_payments SET state = $1, card_last4 = $2, updated_at = $3 WHERE ref = $4 AND state = 'pending'",
            {std::string(payment_state_name(outcome)), card.substr(card.size() - 4), now, std::string(ref)});
        if (!n) return n.error();
        if (*n != 1) return Error{"payment.already_settled", 409, std::string(ref)};
        return outcome;
    });
}

}  // namespace idara::procedures
