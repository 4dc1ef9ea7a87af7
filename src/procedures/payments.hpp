// Payments of procedures with a fee (docs/design/portal.md "Payments").
//
// A PaymentProvider takes the money; the only implementation is SandboxPaymentProvider, a
// sandbox with no real money (named as such in the UI: web.payment.sandbox_name), whose
// checkout is an idara page (/payments/sandbox/{ref}) where test card numbers decide:
// kSandboxCardPaid is paid, kSandboxCardDeclined is declined, anything else is
// payment.card_invalid (400). The sandbox keeps its state in the database (sandbox_payments).
//
// PaymentService runs the flow around ApplicationService (applications.hpp):
//   start(who, id)   validates the application exactly like submit() (its errors unchanged),
//                    asks the provider for a checkout, and in ONE transaction records the
//                    payment (pending) and moves the draft to awaiting_payment (answers and
//                    documents frozen). Returns the payment with its checkout URL. Called again
//                    while pending, it returns the same payment.
//   settle(who, id)  asks the provider how the pending payment ended:
//                    - paid: the payment receipt is rendered and sealed with the platform seal,
//                      then ONE transaction marks the payment paid and stores the receipt; then
//                      ApplicationService::submit registers the application (same idempotency
//                      key "application:<id>") and it becomes submitted. A failure after the
//                      payment is paid leaves it awaiting_payment with its paid payment:
//                      settle() again (or submit()) registers it, once.
//                    - failed: ONE transaction marks the payment failed and the application a
//                      draft again (nothing lost: answers, consents, documents kept); no entry and
//                      no receipt exist. start() again makes a new payment.
//                    - pending: nothing changes.
//   current(who, id) the latest payment of an application; receipt_pdf(who, id) its sealed receipt.
// Everything is for the applicant only: anyone else gets resource.not_found (404).
//
// Errors (bilingual in web/i18n/*/payments.json):
//   payment.not_required (409: the procedure has no fee)  payment.already_paid (409)
//   payment.already_settled (409: the sandbox checkout was already paid or declined)
//   payment.card_invalid (400: not a sandbox test card)  payment.no_receipt (404: not paid)
//   resource.not_found (404)
// plus submit()'s validation errors, storage, receipt and trust errors.
//
// Thread-safety: the provider and the service may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"
#include "procedures/applications.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace idara::storage {
class Database;
class BlobStore;
}
namespace idara::trust {
class KeyStore;
}

namespace idara::procedures {

enum class PaymentState { pending, paid, failed };
std::string_view payment_state_name(PaymentState s);  // "pending", "paid", "failed"
std::optional<PaymentState> parse_payment_state(std::string_view s);

struct PaymentIntent {
    std::string provider_ref;   // the provider's id of the checkout
    std::string checkout_url;   // where the payer goes (a path on idara for the sandbox)
};

class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;
    virtual std::string_view name() const = 0;
    // A checkout for `amount_centimes` of `currency`; `reference` is idara's payment id.
    virtual Result<PaymentIntent> create(std::int64_t amount_centimes, std::string_view currency,
                                         std::string_view reference, std::string_view description) = 0;
    // How the checkout stands (resource.not_found when the provider does not know it).
    virtual Result<PaymentState> status(std::string_view provider_ref) = 0;
};

inline constexpr const char* kSandboxCardPaid = "4242424242424242";
inline constexpr const char* kSandboxCardDeclined = "4000000000000002";

struct SandboxCheckout {
    std::string ref;
    std::int64_t amount_centimes = 0;
    std::string currency;
    std::string reference;      // idara's payment id
    std::string description;
    PaymentState state = PaymentState::pending;
};

// The sandbox: no real money. Checkout URLs are "/payments/sandbox/{ref}".
class SandboxPaymentProvider final : public PaymentProvider {
public:
    explicit SandboxPaymentProvider(storage::Database& db, const Clock& clock = system_clock());

    std::string_view name() const override { return "sandbox"; }
    Result<PaymentIntent> create(std::int64_t amount_centimes, std::string_view currency, std::string_view reference,
                                 std::string_view description) override;
    Result<PaymentState> status(std::string_view provider_ref) override;

    // The checkout page's facts (resource.not_found when unknown).
    Result<SandboxCheckout> checkout(std::string_view ref);
    // Pays with a test card (spaces and dashes ignored): paid, or failed for the declined card;
    // payment.card_invalid for any other number (nothing changes); payment.already_settled when
    // the checkout is not pending.
    Result<PaymentState> pay(std::string_view ref, std::string_view card_number);

private:
    storage::Database& db_;
    const Clock& clock_;
};

struct Payment {
    std::string id;              // 20 lowercase hex characters; the payment reference shown
    std::string application_id;
    std::string provider, provider_ref, checkout_url;
    std::int64_t amount_centimes = 0;
    std::string currency;
    PaymentState state = PaymentState::pending;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::optional<std::int64_t> paid_at_ms;
    std::optional<std::string> receipt_sha256;  // of the sealed receipt PDF (paid only)
};

struct Settlement {
    PaymentState state = PaymentState::pending;
    std::optional<Submitted> submitted;  // paid: the registration
};

class PaymentService {
public:
    PaymentService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                   ApplicationService& applications, PaymentProvider& provider, const Clock& clock = system_clock());

    Result<Payment> start(const identity::Principal& who, std::string_view application_id);
    Result<Settlement> settle(const identity::Principal& who, std::string_view application_id);
    Result<Payment> current(const identity::Principal& who, std::string_view application_id);
    Result<std::string> receipt_pdf(const identity::Principal& who, std::string_view application_id);
    // The application a payment (by its provider's ref) is for, to the applicant only.
    Result<std::string> application_of(const identity::Principal& who, std::string_view provider_ref);

    PaymentProvider& provider() { return provider_; }

private:
    Result<std::string> sealed_receipt(const identity::Principal& who, const Application& a, const Payment& p,
                                       std::int64_t paid_at_ms);

    storage::Database& db_;
    storage::BlobStore& blobs_;
    trust::KeyStore& keys_;
    ApplicationService& apps_;
    PaymentProvider& provider_;
    const Clock& clock_;
};

// ---- payments_receipt.cpp: the payment receipt's PDF (not sealed).
struct PaymentReceiptFacts {
    std::string payment_id, application_id, procedure_code;
    Text procedure_title, fee_label;
    std::int64_t amount_centimes = 0;
    std::string currency;
    std::string provider;        // "sandbox"
    std::string provider_ref;
    std::string payer;           // display name
    std::int64_t paid_at_ms = 0;
};
// "500,00 MAD" (fr) / the same digits for ar.
std::string format_amount(std::int64_t centimes, std::string_view currency);
Result<std::string> render_payment_receipt(const PaymentReceiptFacts& f);

}  // namespace idara::procedures
