// The payment flow around applications (payments.hpp): start, settle, the sealed payment receipt.
#include "procedures/payments.hpp"

#include "core/random.hpp"
#include "procedures/platform_seal.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"
#include "trust/pades.hpp"

namespace idara::procedures {

namespace {

constexpr const char* kColumns =
    "id, application_id, provider, provider_ref, checkout_url, amount_centimes, currency, state, created_at, "
    "updated_at, paid_at, receipt_sha256";

Payment payment_of(const storage::Row& r) {
    Payment p;
    p.id = r.as_text(0);
    p.application_id = r.as_text(1);
    p.provider = r.as_text(2);
    p.provider_ref = r.as_text(3);
    p.checkout_url = r.as_text(4);
    p.amount_centimes = r.as_int(5);
    p.currency = r.as_text(6);
    p.state = parse_payment_state(r.as_text(7)).value_or(PaymentState::failed);
    p.created_at_ms = r.as_int(8);
    p.updated_at_ms = r.as_int(9);
    p.paid_at_ms = r.opt_int(10);
    p.receipt_sha256 = r.opt_text(11);
    return p;
}

// The application's payment that counts: the pending or paid one (there is at most one), else
// the latest failed one.
Result<std::optional<Payment>> latest(storage::Tx& tx, std::string_view application_id) {
    auto r = tx.query_one(std::string("SELECT ") + kColumns +
                              " FROM payments WHERE application_id = $1 "
                              "ORDER BY CASE WHEN state = 'failed' THEN 1 ELSE 0 END, created_at DESC, id LIMIT 1",
                          {std::string(application_id)});
    if (!r) return r.error();
    if (!*r) return std::optional<Payment>{};
    return std::optional<Payment>{payment_of(**r)};
}

}  // namespace

PaymentService::PaymentService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                               ApplicationService& applications, PaymentProvider& provider, const Clock& clock)
    : db_(db), blobs_(blobs), keys_(keys), apps_(applications), provider_(provider), clock_(clock) {}

Result<Payment> PaymentService::current(const identity::Principal& who, std::string_view application_id) {
    auto a = apps_.get(who, application_id);  // the applicant only
    if (!a) return a.error();
    auto p = db_.read<std::optional<Payment>>([&](storage::Tx& tx) { return latest(tx, a->id); });
    if (!p) return p.error();
    if (!*p) return errors::not_found("payment");
    return std::move(**p);
}

Result<std::string> PaymentService::application_of(const identity::Principal& who, std::string_view provider_ref) {
    auto id = db_.read<std::optional<std::string>>([&](storage::Tx& tx) -> Result<std::optional<std::string>> {
        auto r = tx.query_one("SELECT application_id FROM payments WHERE provider = $1 AND provider_ref = $2",
                              {std::string(provider_.name()), std::string(provider_ref)});
        if (!r) return r.error();
        if (!*r) return std::optional<std::string>{};
        return std::optional<std::string>{(*r)->as_text(0)};
    });
    if (!id) return id.error();
    if (!*id) return errors::not_found("payment");
    auto a = apps_.get(who, **id);
    if (!a) return a.error();
    return a->id;
}

Result<Payment> PaymentService::start(const identity::Principal& who, std::string_view application_id) {
    auto a = apps_.get(who, application_id);
    if (!a) return a.error();
    auto pub = apps_.procedure_of(*a);
    if (!pub) return pub.error();
    const Procedure& pr = *pub->procedure;
    if (!pr.fee) return Error{"payment.not_required", 409, pr.code + " has no fee"};
    auto before = db_.read<std::optional<Payment>>([&](storage::Tx& tx) { return latest(tx, a->id); });
    if (!before) return before.error();
    if (*before && (*before)->state == PaymentState::paid)
        return Error{"payment.already_paid", 409, "application " + a->id};
    if (a->state == State::awaiting_payment && *before && (*before)->state == PaymentState::pending)
        return std::move(**before);
    // Everything submit() checks, with its errors; a complete draft is payment_required.
    auto checked = apps_.submit(who, a->id);
    if (checked) return Error{"payment.not_required", 409, "application " + a->id + " is registered"};
    if (checked.error().code != "application.payment_required") return checked.error();

    Payment p;
    p.id = random::hex_token(10);
    p.application_id = a->id;
    p.provider = std::string(provider_.name());
    p.amount_centimes = pr.fee->amount_centimes;
    p.currency = pr.fee->currency;
    auto intent = provider_.create(p.amount_centimes, p.currency, p.id,
                                   pr.fee->label.fr + " - " + pr.code + " - " + a->id);
    if (!intent) return intent.error();
    p.provider_ref = intent->provider_ref;
    p.checkout_url = intent->checkout_url;
    p.created_at_ms = p.updated_at_ms = clock_.now_ms();
    auto s = db_.write_tx([&](storage::Tx& tx) -> Status {
        auto n = tx.exec("UPDATE applications SET state = 'awaiting_payment', updated_at = $1 WHERE id = $2 AND state = 'draft'",
                         {p.created_at_ms, p.application_id});
        if (!n) return n.error();
        if (*n != 1) return Error{"application.invalid_state", 409, "application " + p.application_id + " is not a draft"};
        auto ins = tx.exec(
            "INSERT INTO payments (id, application_id, provider, provider_ref, checkout_url, amount_centimes, currency, "
            "state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
            {p.id, p.application_id, p.provider, p.provider_ref, p.checkout_url, p.amount_centimes, p.currency,
             p.created_at_ms});
        if (!ins) return ins.error();
        return {};
    });
    if (!s) return s.error();
    return p;
}

Result<Settlement> PaymentService::settle(const identity::Principal& who, std::string_view application_id) {
    auto pay = current(who, application_id);
    if (!pay) return pay.error();
    if (pay->state == PaymentState::failed) return Settlement{PaymentState::failed, std::nullopt};
    if (pay->state == PaymentState::pending) {
        auto st = provider_.status(pay->provider_ref);
        if (!st) return st.error();
        if (*st == PaymentState::pending) return Settlement{PaymentState::pending, std::nullopt};
        const std::int64_t now = clock_.now_ms();
        if (*st == PaymentState::failed) {
            auto s = db_.write_tx([&](storage::Tx& tx) -> Status {
                auto n = tx.exec("UPDATE payments SET state = 'failed', updated_at = $1 WHERE id = $2 AND state = 'pending'",
                                 {now, pay->id});
                if (!n) return n.error();
                if (*n != 1) return {};  // settled meanwhile by another request
                auto d = tx.exec("UPDATE applications SET state = 'draft', updated_at = $1 WHERE id = $2 AND state = 'awaiting_payment'",
                                 {now, pay->application_id});
                if (!d) return d.error();
                return {};
            });
            if (!s) return s.error();
            return settle(who, application_id);
        }
        auto a = apps_.get(who, application_id);
        if (!a) return a.error();
        // Rendered and sealed outside the transaction; stored with the paid state in one.
        auto pdf = sealed_receipt(who, *a, *pay, now);
        if (!pdf) return pdf.error();
        const std::string sha = random::sha256_hex(*pdf);
        auto s = db_.write_tx([&](storage::Tx& tx) -> Status {
            auto key = blobs_.put(tx, *pdf);
            if (!key) return key.error();
            auto n = tx.exec(
                "UPDATE payments SET state = 'paid', paid_at = $1, updated_at = $1, receipt_blob = $2, receipt_sha256 = $3 "
                "WHERE id = $4 AND state = 'pending'",
                {now, *key, sha, pay->id});
            if (!n) return n.error();
            return {};
        });
        if (!s) return s.error();
        auto again = current(who, application_id);
        if (!again) return again.error();
        if (again->state != PaymentState::paid) return Settlement{again->state, std::nullopt};
    }
    // Paid: register (once; a retry replays the same entry).
    auto done = apps_.submit(who, application_id);
    if (!done) return done.error();
    return Settlement{PaymentState::paid, std::move(*done)};
}

Result<std::string> PaymentService::receipt_pdf(const identity::Principal& who, std::string_view application_id) {
    auto pay = current(who, application_id);
    if (!pay) return pay.error();
    if (pay->state != PaymentState::paid) return Error{"payment.no_receipt", 404, "payment " + pay->id + " is not paid"};
    return db_.read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto r = tx.query_one("SELECT receipt_blob FROM payments WHERE id = $1", {pay->id});
        if (!r) return r.error();
        if (!*r || (*r)->is_null(0)) return Error{"payment.no_receipt", 404, "payment " + pay->id};
        auto bytes = blobs_.get(tx, (*r)->as_text(0));
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.unavailable", 503, "payment receipt blob missing"};
        return std::move(**bytes);
    });
}

Result<std::string> PaymentService::sealed_receipt(const identity::Principal& who, const Application& a,
                                                   const Payment& p, std::int64_t paid_at_ms) {
    auto pub = apps_.procedure_of(a);
    if (!pub) return pub.error();
    const Procedure& pr = *pub->procedure;
    PaymentReceiptFacts f;
    f.payment_id = p.id;
    f.application_id = a.id;
    f.procedure_code = pr.code;
    f.procedure_title = pr.title;
    if (pr.fee) f.fee_label = pr.fee->label;
    f.amount_centimes = p.amount_centimes;
    f.currency = p.currency;
    f.provider = p.provider;
    f.provider_ref = p.provider_ref;
    f.payer = who.display_name;
    f.paid_at_ms = paid_at_ms;
    auto pdf = render_payment_receipt(f);
    if (!pdf) return pdf.error();
    return seal_as_platform(db_, keys_, *pdf, "Seal", "Payment receipt " + p.id);
}

}  // namespace idara::procedures
