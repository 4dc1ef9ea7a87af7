// The portal's pages (web/portal_pages.hpp) through a Router with the real catalogue,
// application and deposit services on SQLite and the student-registration procedure:
// the catalogue (life events, search with and without Arabic vowels, filters), the start page's
// facts, the whole journey (one question per page, the consent page naming the provider, the
// fetched data read-only, a bad phone number with the error summary, an upload, check your
// answers with Change links, the confirmation with the register number and the receipt link),
// declining the lookup (the document becomes an upload), the lookup's and the exchange's
// failures, CSRF, and who may see what.
#include "portal_fixture.hpp"

#include "sample_pdf.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using i18n::Lang;

std::string location(const http::Response& r) { return std::string(r.headers.get("Location").value_or("")); }

TEST_P(PortalPagesTest, TheCatalogueGroupsByLifeEventSearchesAndFilters) {
    auto res = call(http::Method::get, "/services", nullptr);  // anonymous visitors may browse
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-cache");
    EXPECT_TRUE(has(res.body, "lang=\"ar\" dir=\"rtl\""));
    EXPECT_TRUE(has(res.body, "id=\"event-studies\">" + ar("portal.life_event.studies") + "</h2>"));
    EXPECT_TRUE(has(res.body, "href=\"/services/student-registration\""));
    EXPECT_TRUE(has(res.body, "التسجيل في السنة الأولى بالجامعة"));
    EXPECT_TRUE(has(res.body, "href=\"/services\" aria-current=\"page\"")) << "the services navigation item";
    EXPECT_FALSE(has(res.body, "href=\"/applications\"")) << "no applications link for anonymous visitors";

    const Browser b = sign_in("amina@example.ma", "ar");
    // An Arabic keyword without vowels, then with them, then the French title: found.
    for (const std::string q : {"%D8%B7%D8%A7%D9%84%D8%A8",                     // طالب
                                "%D8%B7%D9%8E%D8%A7%D9%84%D9%90%D8%A8",         // طَالِب
                                "universit%C3%A9"}) {
        res = get("/services?q=" + q, b);
        ASSERT_EQ(res.status, 200);
        EXPECT_TRUE(has(res.body, "href=\"/services/student-registration\"")) << q;
        EXPECT_TRUE(has(res.body, web::html_escape(i18n::catalogue().format(Lang::ar, "web.portal.services.results", {{"count", "1"}})))) << q;
    }
    res = get("/services?q=zzzz", b);
    EXPECT_FALSE(has(res.body, "href=\"/services/student-registration\""));
    EXPECT_TRUE(has(res.body, ar("web.portal.services.none")));
    EXPECT_TRUE(has(res.body, "href=\"/applications\"")) << "citizens see their applications";
    // Filters: by administration and by life event, offered from what the catalogue holds.
    EXPECT_TRUE(has(res.body, "<option value=\"UNIV\">"));
    EXPECT_FALSE(has(get("/services?administration=MEF", b).body, "href=\"/services/student-registration\""));
    EXPECT_TRUE(has(get("/services?administration=UNIV", b).body, "href=\"/services/student-registration\""));
    EXPECT_FALSE(has(get("/services?life_event=business", b).body, "href=\"/services/student-registration\""));
    res = get("/services?life_event=studies", b);
    EXPECT_TRUE(has(res.body, "href=\"/services/student-registration\""));
    EXPECT_TRUE(has(res.body, "<option value=\"studies\" selected>"));
}

TEST_P(PortalPagesTest, TheStartPageSaysWhatItIsWhoForAndWhatItTakes) {
    auto res = call(http::Method::get, "/services/student-registration", nullptr);
    ASSERT_EQ(res.status, 200) << res.body;
    Browser fr_anon{"", "", "fr"};
    res = call(http::Method::get, "/services/student-registration", &fr_anon);
    ASSERT_EQ(res.status, 200);
    const auto& body = res.body;
    EXPECT_TRUE(has(body, "Inscription en première année à l&#39;université"));
    EXPECT_TRUE(has(body, "Les titulaires du baccalauréat marocain"));
    EXPECT_TRUE(has(body, "15 jours ouvrables"));
    EXPECT_TRUE(has(body, fr("web.portal.silence.approval")));
    EXPECT_TRUE(has(body, "Gratuit"));
    EXPECT_TRUE(has(body, "Loi n° 01-00"));
    EXPECT_TRUE(has(body, "Université Mohammed V de Rabat"));
    EXPECT_TRUE(has(body, "Service des inscriptions")) << "the unit by name";
    EXPECT_TRUE(has(body, "Relevé de notes du baccalauréat"));
    EXPECT_TRUE(has(body, "Photo d&#39;identité récente"));
    EXPECT_TRUE(has(body, "Ministère de l&#39;Éducation nationale, du Préscolaire et des Sports"))
        << "the document the administration fetches names its provider";
    EXPECT_TRUE(has(body, "href=\"/login?next=%2Fservices%2Fstudent-registration\""));
    EXPECT_FALSE(has(body, "action=\"/services/student-registration/start\""));

    res = get("/services/student-registration", sign_in("youssef@example.ma"));
    EXPECT_TRUE(has(res.body, "action=\"/services/student-registration/start\""));
    res = get("/services/student-registration", sign_in("clerk@um5.ac.ma"));
    EXPECT_FALSE(has(res.body, "action=\"/services/student-registration/start\""));
    EXPECT_TRUE(has(res.body, fr("web.portal.start.not_for_staff")));
    EXPECT_EQ(call(http::Method::get, "/services/no-such-thing", nullptr).status, 404);
}

TEST_P(PortalPagesTest, AStudentRegistersFromStartToReceipt) {
    const Browser b = sign_in("amina@example.ma", "fr");
    EXPECT_EQ(post("/services/student-registration/start", b, {}, false).status, 403) << "no CSRF token";
    const std::string id = start(b);
    ASSERT_FALSE(id.empty());
    const std::string app = "/applications/" + id;

    // Step 1: the student number, with label, hint and error linked.
    auto res = get(app + "/steps/student", b);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    EXPECT_TRUE(has(res.body, "<label class=\"label\" for=\"student_number\">Numéro d&#39;élève (code Massar)</label>"));
    EXPECT_TRUE(has(res.body, "aria-describedby=\"student_number-hint\""));
    res = post(app + "/steps/student", b, {{"student_number", "12345"}});
    ASSERT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "class=\"error-summary\""));
    EXPECT_TRUE(has(res.body, "href=\"#student_number\""));
    EXPECT_TRUE(has(res.body, "aria-describedby=\"student_number-hint student_number-error\""));
    EXPECT_TRUE(has(res.body, "Saisissez votre numéro d&#39;élève"));
    EXPECT_TRUE(has(res.body, "value=\"12345\"")) << "the typed value is kept";
    res = post(app + "/steps/student", b, {{"student_number", "R130245871"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/lookups/bac");

    // Consent: who is asked, for what; no choice is an error.
    res = get(app + "/lookups/bac", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "Ministère de l&#39;Éducation nationale, du Préscolaire et des Sports"));
    EXPECT_TRUE(has(res.body, "Votre résultat du baccalauréat : nom, filière"));
    EXPECT_TRUE(has(res.body, "Relevé de notes du baccalauréat")) << "the document it replaces";
    EXPECT_EQ(exchange_->calls, 0) << "nothing is fetched before consent";
    res = post(app + "/lookups/bac", b, {});
    EXPECT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#consent\""));
    EXPECT_TRUE(has(res.body, fr("web.portal.lookup.error.choose")));
    res = post(app + "/lookups/bac", b, {{"consent", "agree"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/lookups/bac");
    EXPECT_EQ(exchange_->calls, 1);
    // The data received, read-only, under the provider's name.
    res = get(app + "/lookups/bac", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "Yasmine"));
    EXPECT_TRUE(has(res.body, "El Amrani"));
    EXPECT_TRUE(has(res.body, "16,42")) << "a decimal written the French way";
    EXPECT_TRUE(has(res.body, "Très bien"));
    EXPECT_FALSE(has(res.body, "name=\"first_name\"")) << "never an input";
    EXPECT_FALSE(has(res.body, "name=\"consent\""));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/steps/faculty\""));

    res = post(app + "/steps/faculty", b, {{"faculty", "fsr"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/steps/programme");
    res = post(app + "/steps/programme", b, {{"programme", "Mathématiques et informatique"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/steps/contact");
    // A bad phone number: the error summary and the field's own message.
    res = post(app + "/steps/contact", b, {{"phone", "12345"}});
    ASSERT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#phone\""));
    EXPECT_TRUE(has(res.body, "Saisissez un numéro marocain de 10 chiffres"));
    res = post(app + "/steps/contact", b, {{"phone", "0612345678"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/documents");

    // Documents: the photo only (the bac result is fetched).
    res = get(app + "/documents", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "name=\"doc_photo\""));
    EXPECT_FALSE(has(res.body, "name=\"doc_bac_result\""));
    res = post_multipart(app + "/documents", b, {{"doc_photo", std::string(""), "application/octet-stream", ""}}, b.csrf);
    EXPECT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#doc_photo\""));
    // A file that is not a PDF, JPEG or PNG: the attachment check's message on the input.
    res = post_multipart(app + "/documents", b, {{"doc_photo", std::string("photo.txt"), "text/plain", "not an image"}},
                         b.csrf);
    EXPECT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#doc_photo\""));
    EXPECT_TRUE(has(res.body, "aria-describedby=\"limits-hint doc_photo-error\""));
    EXPECT_FALSE(has(res.body, fr("web.portal.documents.error.missing").substr(0, 10))) << "the real reason, not 'missing'";
    EXPECT_EQ(post_multipart(app + "/documents", b, {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}},
                             "wrong")
                  .status,
              403);
    res = post_multipart(app + "/documents", b, {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}},
                         b.csrf);
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/check");

    // Check your answers: Change links per step, the fetched data without one.
    res = get(app + "/check", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    for (const std::string step : {"student", "faculty", "programme", "contact"})
        EXPECT_TRUE(has(res.body, "href=\"" + app + "/steps/" + step + "\"")) << step;
    EXPECT_TRUE(has(res.body, "Faculté des sciences"));
    EXPECT_TRUE(has(res.body, "0612345678"));
    EXPECT_TRUE(has(res.body, "Yasmine"));
    EXPECT_TRUE(has(res.body, "photo.pdf"));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/documents\""));
    // Change comes back to the check page.
    res = post(app + "/steps/faculty", b, {{"faculty", "flsh"}});
    EXPECT_EQ(location(res), app + "/check");

    EXPECT_EQ(post(app + "/submit", b, {}, false).status, 403);
    res = post(app + "/submit", b, {});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    const auto at = res.body.find("id=\"register-number\"><bdi dir=\"ltr\">");
    ASSERT_NE(at, std::string::npos) << res.body;
    const auto start_num = res.body.find('>', res.body.find("<bdi", at)) + 1;
    const std::string number = res.body.substr(start_num, res.body.find('<', start_num) - start_num);
    EXPECT_EQ(number.rfind("UNIV-", 0), 0u) << number;
    EXPECT_TRUE(has(res.body, "id=\"tracking-code\""));
    EXPECT_TRUE(has(res.body, "href=\"/deposits/" + number + "/receipt.pdf\""));
    EXPECT_TRUE(has(res.body, "href=\"/deposits/" + number + "\""));

    // Afterwards: listed with its number; the journey pages lead to the summary.
    res = get("/applications", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, number));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "\""));
    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, number));
    EXPECT_FALSE(has(res.body, "/submit\""));
    EXPECT_EQ(location(get(app + "/steps/contact", b)), app);
    EXPECT_EQ(get("/deposits/" + number + "/receipt.pdf", b).status, 200);
}

TEST_P(PortalPagesTest, DecliningTheLookupAsksForTheDocument) {
    const Browser b = sign_in("youssef@example.ma", "ar");
    const std::string app = "/applications/" + start(b);
    ASSERT_EQ(post(app + "/steps/student", b, {{"student_number", "G139187204"}}).status, 303);
    auto res = post(app + "/lookups/bac", b, {{"consent", "decline"}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app + "/steps/faculty");
    EXPECT_EQ(exchange_->calls, 0);
    ASSERT_EQ(post(app + "/steps/faculty", b, {{"faculty", "fsjes"}}).status, 303);
    ASSERT_EQ(post(app + "/steps/programme", b, {{"programme", "القانون"}}).status, 303);
    res = post(app + "/steps/contact", b, {{"phone", "0712345678"}});
    EXPECT_EQ(location(res), app + "/documents");
    res = get(app + "/documents", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "name=\"doc_bac_result\""));
    EXPECT_TRUE(has(res.body, "بيان نتيجة البكالوريا"));
    res = post_multipart(app + "/documents", b, {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}},
                         b.csrf);
    EXPECT_EQ(res.status, 400) << "the bac result is still missing";
    EXPECT_TRUE(has(res.body, "href=\"#doc_bac_result\""));
    // The photo was kept: it is listed with a Remove button; removing it works.
    EXPECT_TRUE(has(res.body, "name=\"remove\" value=\"photo\""));
    res = post(app + "/documents", b, {{"remove", "photo"}});
    EXPECT_EQ(location(res), app + "/documents");
    EXPECT_FALSE(has(get(app + "/documents", b).body, "name=\"remove\" value=\"photo\""));
    res = post_multipart(app + "/documents", b,
                         {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()},
                          {"doc_bac_result", std::string("bac.pdf"), "application/pdf", sample_pdf()}},
                         b.csrf);
    EXPECT_EQ(location(res), app + "/check");
    res = get(app + "/check", b);
    EXPECT_TRUE(has(res.body, ar("web.portal.check.declined")));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/lookups/bac\""));
}

TEST_P(PortalPagesTest, AnUnknownStudentAndAFailedExchangeAreShownOnTheConsentPage) {
    const Browser b = sign_in("amina@example.ma", "fr");
    const std::string app = "/applications/" + start(b);
    ASSERT_EQ(post(app + "/steps/student", b, {{"student_number", "Z999999999"}}).status, 303);
    auto res = post(app + "/lookups/bac", b, {{"consent", "agree"}});
    EXPECT_EQ(res.status, 422) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#consent\""));
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/steps/student\"")) << "the way back to the number";
    ASSERT_EQ(post(app + "/steps/student", b, {{"student_number", "R130245871"}}).status, 303);
    exchange_->fail = true;
    res = post(app + "/lookups/bac", b, {{"consent", "agree"}});
    EXPECT_EQ(res.status, 502) << res.body;
    EXPECT_TRUE(has(res.body, "class=\"error-summary\""));
    EXPECT_TRUE(has(res.body, "name=\"consent\"")) << "the applicant may still decline";
}

TEST_P(PortalPagesTest, ApplicationsAreTheApplicantsOnly) {
    const Browser amina = sign_in("amina@example.ma");
    const std::string id = start(amina);
    const std::string app = "/applications/" + id;
    // Anonymous visitors go to sign in, also when starting.
    auto res = call(http::Method::get, app, nullptr);
    EXPECT_EQ(res.status, 303);
    EXPECT_EQ(location(res), "/login?next=%2Fapplications%2F" + id);
    res = call(http::Method::post, "/services/student-registration/start", nullptr);
    EXPECT_EQ(location(res), "/login?next=%2Fservices%2Fstudent-registration");
    // Another citizen: not found, everywhere.
    const Browser other = sign_in("youssef@example.ma");
    EXPECT_EQ(get(app, other).status, 404);
    EXPECT_EQ(get(app + "/steps/student", other).status, 404);
    EXPECT_EQ(post(app + "/steps/student", other, {{"student_number", "R130245871"}}).status, 404);
    EXPECT_EQ(get(app + "/check", other).status, 404);
    EXPECT_FALSE(has(get("/applications", other).body, id));
    // Staff cannot apply for themselves; unknown steps and lookups are 404.
    EXPECT_EQ(post("/services/student-registration/start", sign_in("clerk@um5.ac.ma"), {}).status, 403);
    EXPECT_EQ(get(app + "/steps/nope", amina).status, 404);
    EXPECT_EQ(get(app + "/lookups/nope", amina).status, 404);
    // A draft resumes where it stopped.
    EXPECT_EQ(location(get(app, amina)), app + "/steps/student");
    res = get("/applications", amina);
    EXPECT_TRUE(has(res.body, "href=\"" + app + "\""));
    EXPECT_TRUE(has(res.body, fr("web.portal.state.draft")));
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalPagesTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
