// Payments on both backends (procedures/payments.hpp), with the sandbox provider: a payment that
// succeeds registers the application once (the entry, the paid payment, the sealed receipt that
// pdfsig accepts); a declined card leaves no entry, no receipt and the draft intact, and a retry
// then succeeds; paying twice is refused; another account sees nothing; a procedure without a fee
// needs no payment. The fee procedure is the reference file as version 2 with a fee of 100 MAD.
#include "application_steps.hpp"
#include "core/random.hpp"
#include "procedures/payments.hpp"
#include "shell.hpp"

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using procedures::PaymentState;
using procedures::State;

class PaymentTest : public ApplicationTest {
protected:
    void SetUp() override {
        ApplicationTest::SetUp();
        std::string text = replace_once(reference_procedure(), "\"version\": 1,", "\"version\": 2,");
        text = replace_once(text, "\"cost\": {\"ar\": \"مجاني\", \"fr\": \"Gratuit\"},",
                            "\"cost\": {\"ar\": \"100 درهم\", \"fr\": \"100 dirhams\"},\n"
                            "  \"fee\": {\"amount_centimes\": 10000, \"currency\": \"MAD\", "
                            "\"label\": {\"ar\": \"رسوم التسجيل\", \"fr\": \"Droits d'inscription\"}},");
        auto r = env().catalogue->load(text, "tests/procedures/payments_test.cpp");
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
        sandbox_ = std::make_unique<procedures::SandboxPaymentProvider>(*env().db, env().clock);
        payments_ = std::make_unique<procedures::PaymentService>(*env().db, *env().blobs, *env().keys, apps(), *sandbox_,
                                                                 env().clock);
    }
    void TearDown() override {
        payments_.reset();
        sandbox_.reset();
        ApplicationTest::TearDown();
    }

    procedures::PaymentService& payments() { return *payments_; }
    procedures::SandboxPaymentProvider& sandbox() { return *sandbox_; }

    procedures::Payment start_payment(const std::string& id) {
        auto p = payments().start(env().amina(), id);
        EXPECT_TRUE(p.has_value()) << p.error().code << ": " << p.error().detail;
        return p ? *p : procedures::Payment{};
    }
    std::int64_t entries() { return env().count("entries"); }

    std::unique_ptr<procedures::SandboxPaymentProvider> sandbox_;
    std::unique_ptr<procedures::PaymentService> payments_;
};

TEST_P(PaymentTest, SuccessRegistersOnceWithASealedReceipt) {
    const std::string id = complete();
    EXPECT_EQ(get(id).procedure_version, 2);
    // submit() alone is refused and changes nothing.
    auto direct = apps().submit(env().amina(), id);
    ASSERT_FALSE(direct.has_value());
    EXPECT_EQ(direct.error().code, "application.payment_required");
    EXPECT_EQ(direct.error().status, 402);
    EXPECT_EQ(get(id).state, State::draft);
    const auto before = entries();

    const auto p = start_payment(id);
    EXPECT_EQ(p.state, PaymentState::pending);
    EXPECT_EQ(p.amount_centimes, 10000);
    EXPECT_EQ(p.currency, "MAD");
    EXPECT_EQ(p.provider, "sandbox");
    EXPECT_EQ(p.checkout_url, "/payments/sandbox/" + p.provider_ref);
    EXPECT_EQ(get(id).state, State::awaiting_payment);
    // Frozen while awaiting payment: no answer can change.
    auto frozen = apps().answer(env().amina(), id, "contact", {{"phone", "0698765432"}});
    ASSERT_FALSE(frozen.has_value());
    EXPECT_EQ(frozen.error().code, "application.invalid_state");
    // Starting again while pending gives the same payment; submit() is still refused.
    EXPECT_EQ(start_payment(id).id, p.id);
    auto early = apps().submit(env().amina(), id);
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().code, "application.invalid_state");
    // Not paid yet: settle changes nothing.
    auto pending = payments().settle(env().amina(), id);
    ASSERT_TRUE(pending.has_value()) << pending.error().code;
    EXPECT_EQ(pending->state, PaymentState::pending);
    EXPECT_EQ(entries(), before);
    auto no_receipt = payments().receipt_pdf(env().amina(), id);
    ASSERT_FALSE(no_receipt.has_value());
    EXPECT_EQ(no_receipt.error().code, "payment.no_receipt");

    auto checkout = sandbox().checkout(p.provider_ref);
    ASSERT_TRUE(checkout.has_value());
    EXPECT_EQ(checkout->reference, p.id);
    EXPECT_EQ(checkout->amount_centimes, 10000);
    auto paid = sandbox().pay(p.provider_ref, "4242 4242 4242 4242");
    ASSERT_TRUE(paid.has_value()) << paid.error().code;
    EXPECT_EQ(*paid, PaymentState::paid);
    auto s = payments().settle(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    EXPECT_EQ(s->state, PaymentState::paid);
    ASSERT_TRUE(s->submitted.has_value());
    EXPECT_FALSE(s->submitted->replayed);
    EXPECT_FALSE(s->submitted->tracking_code.empty());
    EXPECT_EQ(entries(), before + 1);
    const auto a = get(id);
    EXPECT_EQ(a.state, State::submitted);
    EXPECT_EQ(a.register_number, s->submitted->register_number);

    auto cur = payments().current(env().amina(), id);
    ASSERT_TRUE(cur.has_value());
    EXPECT_EQ(cur->state, PaymentState::paid);
    ASSERT_TRUE(cur->paid_at_ms.has_value());
    ASSERT_TRUE(cur->receipt_sha256.has_value());

    // Settling again registers nothing more.
    auto again = payments().settle(env().amina(), id);
    ASSERT_TRUE(again.has_value());
    ASSERT_TRUE(again->submitted.has_value());
    EXPECT_TRUE(again->submitted->replayed);
    EXPECT_EQ(again->submitted->register_number, a.register_number);
    EXPECT_EQ(entries(), before + 1);

    // The receipt: sealed, the seal covers the whole file; the facts are in the text.
    auto pdf = payments().receipt_pdf(env().amina(), id);
    ASSERT_TRUE(pdf.has_value()) << pdf.error().code;
    ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
    EXPECT_EQ(random::sha256_hex(*pdf), *cur->receipt_sha256);
    const auto file = env().blob_dir.parent_path() / ("idara-payment-" + p.id + ".pdf");
    write_file(file, *pdf);
    const std::string sig = run_command("pdfsig " + file.string());
    EXPECT_NE(sig.find("Signature is Valid"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;
    const std::string text = run_command("pdftotext -layout " + file.string() + " -", true);
    EXPECT_NE(text.find("100,00 MAD"), std::string::npos) << text;
    EXPECT_NE(text.find(p.id), std::string::npos) << text;
    EXPECT_NE(text.find(id), std::string::npos) << text;
    EXPECT_NE(text.find("BAC À SABLE"), std::string::npos) << text;
    std::filesystem::remove(file);
}

TEST_P(PaymentTest, DeclinedCardLosesNothingAndARetrySucceeds) {
    const std::string id = complete();
    const auto draft = get(id);
    const auto before = entries();
    const auto p = start_payment(id);

    // Not a test card: nothing changes.
    auto invalid = sandbox().pay(p.provider_ref, "1234 5678 9012 3456");
    ASSERT_FALSE(invalid.has_value());
    EXPECT_EQ(invalid.error().code, "payment.card_invalid");
    EXPECT_EQ(invalid.error().status, 400);

    auto declined = sandbox().pay(p.provider_ref, procedures::kSandboxCardDeclined);
    ASSERT_TRUE(declined.has_value());
    EXPECT_EQ(*declined, PaymentState::failed);
    auto s = payments().settle(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code;
    EXPECT_EQ(s->state, PaymentState::failed);
    EXPECT_FALSE(s->submitted.has_value());
    // No entry, no receipt; the draft with its answers, consent and documents.
    EXPECT_EQ(entries(), before);
    const auto after = get(id);
    EXPECT_EQ(after.state, State::draft);
    EXPECT_FALSE(after.register_number.has_value());
    EXPECT_EQ(boost::json::serialize(after.answers), boost::json::serialize(draft.answers));
    EXPECT_EQ(after.documents.size(), draft.documents.size());
    EXPECT_EQ(after.consents.size(), draft.consents.size());
    auto no_receipt = payments().receipt_pdf(env().amina(), id);
    ASSERT_FALSE(no_receipt.has_value());
    EXPECT_EQ(no_receipt.error().code, "payment.no_receipt");
    // The declined checkout cannot be paid afterwards.
    auto late = sandbox().pay(p.provider_ref, procedures::kSandboxCardPaid);
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().code, "payment.already_settled");
    EXPECT_EQ(late.error().status, 409);

    // The draft can still be changed, and paid with a new payment.
    answer(id, "contact", {{"phone", "0698765432"}});
    const auto retry = start_payment(id);
    EXPECT_NE(retry.id, p.id);
    EXPECT_NE(retry.provider_ref, p.provider_ref);
    ASSERT_TRUE(sandbox().pay(retry.provider_ref, procedures::kSandboxCardPaid).has_value());
    auto ok = payments().settle(env().amina(), id);
    ASSERT_TRUE(ok.has_value()) << ok.error().code << ": " << ok.error().detail;
    EXPECT_EQ(ok->state, PaymentState::paid);
    ASSERT_TRUE(ok->submitted.has_value());
    EXPECT_EQ(entries(), before + 1);
    EXPECT_EQ(get(id).state, State::submitted);
    EXPECT_EQ(env().count("payments"), 2);
}

TEST_P(PaymentTest, PayingTwiceIsRefused) {
    const std::string id = complete();
    const auto p = start_payment(id);
    ASSERT_TRUE(sandbox().pay(p.provider_ref, procedures::kSandboxCardPaid).has_value());
    auto twice = sandbox().pay(p.provider_ref, procedures::kSandboxCardPaid);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, "payment.already_settled");
    ASSERT_TRUE(payments().settle(env().amina(), id).has_value());
    auto again = payments().start(env().amina(), id);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "payment.already_paid");
    EXPECT_EQ(again.error().status, 409);
    EXPECT_EQ(env().count("payments"), 1);
    EXPECT_EQ(env().count("sandbox_payments"), 1);
}

TEST_P(PaymentTest, AnotherAccountSeesNothing) {
    const std::string id = complete();
    const auto p = start_payment(id);
    for (const auto& who : {env().youssef(), env().company()}) {
        auto cur = payments().current(who, id);
        ASSERT_FALSE(cur.has_value());
        EXPECT_EQ(cur.error().code, "resource.not_found");
        auto st = payments().start(who, id);
        ASSERT_FALSE(st.has_value());
        EXPECT_EQ(st.error().code, "resource.not_found");
        auto se = payments().settle(who, id);
        ASSERT_FALSE(se.has_value());
        EXPECT_EQ(se.error().code, "resource.not_found");
        auto app = payments().application_of(who, p.provider_ref);
        ASSERT_FALSE(app.has_value());
        EXPECT_EQ(app.error().code, "resource.not_found");
    }
    auto mine = payments().application_of(env().amina(), p.provider_ref);
    ASSERT_TRUE(mine.has_value());
    EXPECT_EQ(*mine, id);
    ASSERT_TRUE(sandbox().pay(p.provider_ref, procedures::kSandboxCardPaid).has_value());
    ASSERT_TRUE(payments().settle(env().amina(), id).has_value());
    auto other = payments().receipt_pdf(env().youssef(), id);
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, "resource.not_found");
}

TEST_P(PaymentTest, IncompleteOrFreeApplicationsStartNoPayment) {
    // Incomplete: submit()'s error, nothing recorded.
    const auto a = start();
    auto incomplete = payments().start(env().amina(), a.id);
    ASSERT_FALSE(incomplete.has_value());
    EXPECT_EQ(incomplete.error().code, "application.incomplete");
    EXPECT_EQ(get(a.id).state, State::draft);
    EXPECT_EQ(env().count("payments"), 0);
    EXPECT_EQ(env().count("sandbox_payments"), 0);
    // No payment yet.
    auto none = payments().current(env().amina(), a.id);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, "resource.not_found");
}

// The shipped tech-sme-label pack has a fee from version 2 (version 1 stays as published: free).
TEST_P(PaymentTest, TheTechSmeLabelPackHasAFee) {
    auto shipped = env().catalogue->load_shipped();
    ASSERT_TRUE(shipped.has_value()) << shipped.error().code << ": " << shipped.error().detail;
    auto current = env().catalogue->current("tech-sme-label");
    ASSERT_TRUE(current.has_value());
    EXPECT_EQ(current->procedure->version, 3);  // v3 keeps v2's fee and adds the evaluation
    EXPECT_TRUE(current->procedure->evaluation.has_value());
    ASSERT_TRUE(current->procedure->fee.has_value());
    EXPECT_EQ(current->procedure->fee->amount_centimes, 50000);
    EXPECT_EQ(current->procedure->fee->currency, "MAD");
    EXPECT_EQ(current->procedure->fee->label.fr, "Frais d'étude du dossier");
    auto first = env().catalogue->version("tech-sme-label", 1);
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(first->procedure->fee.has_value());
}

TEST(PaymentAmount, Format) {
    EXPECT_EQ(procedures::format_amount(10000, "MAD"), "100,00 MAD");
    EXPECT_EQ(procedures::format_amount(50005, "MAD"), "500,05 MAD");
    EXPECT_EQ(procedures::format_amount(123456789, "MAD"), "1 234 567,89 MAD");
    EXPECT_EQ(procedures::format_amount(1, "MAD"), "0,01 MAD");
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
