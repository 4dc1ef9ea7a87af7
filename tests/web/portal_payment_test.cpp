// Payments through the portal's pages (web/pages_portal_check.cpp) with the sandbox provider:
// student-registration as version 2 with a fee of 100 MAD. Submitting goes to the sandbox's
// checkout (clearly a sandbox), a wrong card number is a 400 with the hint, the declined card
// brings the applicant back to the check page with the draft kept and nothing registered, and
// paying with the test card registers the application: the confirmation shows the register
// number and the payment receipt link, and the receipt is served to the applicant only.
#include "portal_fixture.hpp"

#include "procedures/payments.hpp"
#include "sample_pdf.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace idara::testing {
namespace {

std::string location(const http::Response& r) { return std::string(r.headers.get("Location").value_or("")); }

std::string source(const std::string& rel) {
    std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/" + rel, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

class PortalPaymentTest : public PortalPagesTest {
protected:
    void SetUp() override {
        PortalPagesTest::SetUp();
        std::string text = replaced(source("procedures/student-registration/v1.json"), "\"version\": 1,", "\"version\": 2,");
        text = replaced(text, "\"cost\": {\"ar\": \"مجاني\", \"fr\": \"Gratuit\"},",
                        "\"cost\": {\"ar\": \"100 درهم\", \"fr\": \"100 dirhams\"},\n"
                        "  \"fee\": {\"amount_centimes\": 10000, \"currency\": \"MAD\", "
                        "\"label\": {\"ar\": \"رسوم التسجيل\", \"fr\": \"Droits d'inscription\"}},");
        catalogue_->load(text, "tests/web/portal_payment_test.cpp").value();
        sandbox_ = std::make_unique<procedures::SandboxPaymentProvider>(*db_, clock_);
        payments_ = std::make_unique<procedures::PaymentService>(*db_, *blobs_, *keys_, *apps_, *sandbox_, clock_);
        apps_->set_payments(payments_.get());
    }
    void TearDown() override {
        apps_->set_payments(nullptr);
        payments_.reset();
        sandbox_.reset();
        PortalPagesTest::TearDown();
    }

    // A complete application through the pages; its path "/applications/{id}".
    std::string complete(const Browser& b) {
        const std::string app = "/applications/" + start(b);
        EXPECT_EQ(post(app + "/steps/student", b, {{"student_number", "R130245871"}}).status, 303);
        EXPECT_EQ(post(app + "/lookups/bac", b, {{"consent", "agree"}}).status, 303);
        EXPECT_EQ(post(app + "/steps/faculty", b, {{"faculty", "fsr"}}).status, 303);
        EXPECT_EQ(post(app + "/steps/programme", b, {{"programme", "Mathématiques et informatique"}}).status, 303);
        EXPECT_EQ(post(app + "/steps/contact", b, {{"phone", "0612345678"}}).status, 303);
        auto res = post_multipart(app + "/documents", b,
                                  {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}}, b.csrf);
        EXPECT_EQ(location(res), app + "/check");
        return app;
    }
    std::int64_t entries() {
        return db_->read<std::int64_t>([](storage::Tx& tx) -> Result<std::int64_t> {
                      auto r = tx.query_one("SELECT COUNT(*) FROM entries");
                      if (!r) return r.error();
                      return (*r)->as_int(0);
                  })
            .value();
    }

    std::unique_ptr<procedures::SandboxPaymentProvider> sandbox_;
    std::unique_ptr<procedures::PaymentService> payments_;
};

TEST_P(PortalPaymentTest, DeclinedThenPaidRegistersOnceWithAPaymentReceipt) {
    const Browser b = sign_in("amina@example.ma", "fr");
    const std::string app = complete(b);
    const auto before = entries();

    // Submit: to the sandbox's checkout; the application awaits its payment.
    auto res = post(app + "/submit", b, {});
    ASSERT_EQ(res.status, 303) << res.body;
    const std::string checkout = location(res);
    ASSERT_EQ(checkout.rfind("/payments/sandbox/", 0), 0u) << checkout;
    res = get(checkout, b);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    EXPECT_TRUE(has(res.body, fr("web.payment.sandbox_name")));
    EXPECT_TRUE(has(res.body, "100,00 MAD"));
    EXPECT_TRUE(has(res.body, "name=\"card\""));
    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, fr("web.portal.state.awaiting_payment")));
    EXPECT_TRUE(has(res.body, "href=\"" + checkout + "\"")) << "a way back to the payment";
    EXPECT_EQ(location(get(app + "/check", b)), app) << "frozen while awaiting payment";

    // Another citizen cannot open the checkout; no CSRF token is refused.
    const Browser other = sign_in("youssef@example.ma", "fr");
    EXPECT_EQ(get(checkout, other).status, 404);
    EXPECT_EQ(post(checkout, b, {{"card", procedures::kSandboxCardPaid}}, false).status, 403);

    // Not a test card: 400 with the hint, nothing changes.
    res = post(checkout, b, {{"card", "1111 2222 3333 4444"}});
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#card\""));
    EXPECT_TRUE(has(res.body, "aria-invalid=\"true\""));

    // Declined: back to the check page, the draft kept, nothing registered.
    res = post(checkout, b, {{"card", "4000 0000 0000 0002"}});
    ASSERT_EQ(res.status, 402) << res.body;
    EXPECT_TRUE(has(res.body, fr("web.payment.declined")));
    // The summary's heading says what happened, not "there is a problem with the form".
    EXPECT_TRUE(has(res.body, "id=\"error-summary-title\">" + fr("web.payment.declined_title") + "</h2>")) << res.body;
    EXPECT_TRUE(has(res.body, "0612345678"));
    EXPECT_TRUE(has(res.body, "photo.pdf"));
    EXPECT_TRUE(has(res.body, app + "/submit\""));
    EXPECT_EQ(entries(), before);
    EXPECT_EQ(get(app + "/payment-receipt.pdf", b).status, 404);
    EXPECT_EQ(location(get(checkout, b)), app) << "a finished checkout is not shown again";

    // Again: a new checkout, paid with the test card.
    res = post(app + "/submit", b, {});
    ASSERT_EQ(res.status, 303) << res.body;
    const std::string second = location(res);
    EXPECT_NE(second, checkout);
    res = post(second, b, {{"card", "4242 4242 4242 4242"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "id=\"register-number\""));
    EXPECT_TRUE(has(res.body, "id=\"tracking-code\""));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/payment-receipt.pdf\""));
    EXPECT_EQ(entries(), before + 1);
    // Paying the same checkout twice: it is finished, nothing more is registered.
    EXPECT_EQ(location(post(second, b, {{"card", "4242 4242 4242 4242"}})), app);
    EXPECT_EQ(entries(), before + 1);

    // The summary links the payment receipt; the receipt is the applicant's only.
    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/payment-receipt.pdf\""));
    res = get(app + "/payment-receipt.pdf", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.get("Content-Type"), "application/pdf");
    EXPECT_EQ(res.body.rfind("%PDF-", 0), 0u);
    EXPECT_EQ(get(app + "/payment-receipt.pdf", other).status, 404);
}

TEST_P(PortalPaymentTest, TheSandboxPageIsInArabicToo) {
    const Browser b = sign_in("amina@example.ma", "ar");
    const std::string app = complete(b);
    auto res = post(app + "/submit", b, {});
    ASSERT_EQ(res.status, 303) << res.body;
    res = get(location(res), b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, ar("web.payment.sandbox_name")));
    EXPECT_TRUE(has(res.body, ar("web.payment.card_hint")));
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalPaymentTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
