// The pure helpers of the registry pages: CSRF in multipart forms, the answers
// carried in hidden fields, field checks, lenient reference input, file parts;
// and the deposit templates' structure (multipart form, Change buttons, nav).
#include "identity/principal.hpp"
#include "web/deposit_form.hpp"
#include "web/page.hpp"
#include "web/registry_view.hpp"
#include "web/render.hpp"
#include "web/security.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::web;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

http::Part field(std::string name, std::string body) { return {std::move(name), std::nullopt, "text/plain", std::move(body)}; }
http::Part file(std::string name, std::string filename, std::string body) {
    return {std::move(name), std::move(filename), "application/octet-stream", std::move(body)};
}

const std::string kToken(43, 'a');

}  // namespace

TEST(MultipartCsrf, ReadsTheCsrfPartAndIgnoresFileParts) {
    std::vector<http::Part> parts{file("_csrf", "x.txt", "tok"), field("subject", "s"), field("_csrf", "tok"),
                                  field("_csrf", "second")};
    EXPECT_EQ(multipart_field(parts, "_csrf"), "tok");
    EXPECT_EQ(multipart_field(parts, "subject"), "s");
    EXPECT_FALSE(multipart_field(parts, "missing"));
    EXPECT_TRUE(multipart_csrf_matches(parts, "tok"));
    EXPECT_FALSE(multipart_csrf_matches(parts, "second"));
    EXPECT_FALSE(multipart_csrf_matches(parts, "to"));
    EXPECT_FALSE(multipart_csrf_matches(parts, ""));
    // A file part named _csrf never counts.
    std::vector<http::Part> only_file{file("_csrf", "t", "tok")};
    EXPECT_FALSE(multipart_csrf_matches(only_file, "tok"));
    std::vector<http::Part> empty_field{field("_csrf", "")};
    EXPECT_FALSE(multipart_csrf_matches(empty_field, ""));
}

TEST(MultipartCsrf, AnonymousDoubleSubmit) {
    http::Request r;
    std::vector<http::Part> parts{field("_csrf", kToken)};
    EXPECT_FALSE(anon_multipart_csrf_ok(r, parts));  // no cookie
    r.headers.set("Cookie", "idara_csrf=" + kToken);
    EXPECT_TRUE(anon_multipart_csrf_ok(r, parts));
    std::vector<http::Part> other{field("_csrf", std::string(43, 'b'))};
    EXPECT_FALSE(anon_multipart_csrf_ok(r, other));
    r.headers.set("Cookie", "idara_csrf=short");
    std::vector<http::Part> shorty{field("_csrf", "short")};
    EXPECT_FALSE(anon_multipart_csrf_ok(r, shorty));  // not a well-formed token
}

TEST(DepositAnswers, ReadCleansEachAnswer) {
    std::vector<http::Part> parts{field("administration", " mef "), field("type", " letter\n"), field("unit", "db-sp"),
                                  field("subject", "  طلب شهادة  "), field("body", "سطر 1\r\nline 2\r\n\r\n  ")};
    DepositAnswers a = read_answers(multipart_fields(parts));
    EXPECT_EQ(a.administration, "MEF");
    EXPECT_EQ(a.type, "letter");
    EXPECT_EQ(a.unit, "DB-SP");
    EXPECT_EQ(a.subject, "طلب شهادة");
    EXPECT_EQ(a.body, "سطر 1\nline 2");
    DepositAnswers none = read_answers([](std::string_view) { return std::optional<std::string>(); });
    EXPECT_TRUE(none.administration.empty() && none.type.empty() && none.subject.empty() && none.body.empty());
}

TEST(DepositAnswers, FromQueryOrForm) {
    http::Request get;
    get.method = http::Method::get;
    get.query = "administration=MEN&subject=a%20b";
    EXPECT_EQ(read_answers(request_fields(get)).subject, "a b");
    http::Request post;
    post.method = http::Method::post;
    post.query = "administration=MEN";
    post.headers.set("Content-Type", "application/x-www-form-urlencoded");
    post.body = "administration=ADD&type=request";
    DepositAnswers a = read_answers(request_fields(post));
    EXPECT_EQ(a.administration, "ADD");
    EXPECT_EQ(a.type, "request");
}

TEST(DepositAnswers, HiddenFieldsAreEscapedAndSkippable) {
    DepositAnswers a{"MEF", "letter", "", "<b>\"x\" & y</b>", "line 1\nline 2"};
    std::string h = hidden_answer_fields(a);
    EXPECT_TRUE(contains(h, R"(<input type="hidden" name="administration" value="MEF">)"));
    EXPECT_TRUE(contains(h, R"(name="subject" value="&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;")"));
    EXPECT_TRUE(contains(h, "value=\"line 1\nline 2\""));
    EXPECT_FALSE(contains(h, "name=\"unit\""));  // empty answers are not carried
    EXPECT_FALSE(contains(h, "<b>"));
    std::string rest = hidden_answer_fields(a, {"subject", "body"});
    EXPECT_FALSE(contains(rest, "name=\"subject\""));
    EXPECT_FALSE(contains(rest, "name=\"body\""));
    EXPECT_TRUE(contains(rest, "name=\"type\""));
}

TEST(DepositChecks, SubjectBodyUnit) {
    EXPECT_EQ(check_subject(""), "web.deposit.error.subject_missing");
    EXPECT_FALSE(check_subject("طلب"));
    std::string arabic300;
    for (int i = 0; i < 300; ++i) arabic300 += "ب";  // 300 characters, 600 bytes
    EXPECT_FALSE(check_subject(arabic300));
    EXPECT_EQ(check_subject(arabic300 + "ب"), "web.deposit.error.subject_too_long");
    EXPECT_EQ(check_subject("a\nb"), "web.deposit.error.subject_invalid");
    EXPECT_EQ(check_subject(std::string("\xff")), "web.deposit.error.subject_invalid");
    EXPECT_FALSE(check_body(""));
    EXPECT_FALSE(check_body("a\nb\tc"));
    EXPECT_EQ(check_body(std::string(20001, 'x')), "web.deposit.error.body_too_long");
    EXPECT_EQ(check_body(std::string("a\x01")), "web.deposit.error.body_invalid");
    EXPECT_FALSE(check_unit_code(""));
    EXPECT_FALSE(check_unit_code("DB-SP"));
    EXPECT_EQ(check_unit_code("db"), "web.deposit.error.unit_invalid");
    EXPECT_EQ(check_unit_code("D B"), "web.deposit.error.unit_invalid");
    EXPECT_EQ(check_unit_code(std::string(33, 'A')), "web.deposit.error.unit_invalid");
}

TEST(DepositChecks, CounterDepositor) {
    EXPECT_EQ(check_depositor_name(""), "web.counter.error.name_missing");
    EXPECT_FALSE(check_depositor_name("Fatima Zahra El Idrissi"));
    EXPECT_EQ(check_depositor_name(std::string(201, 'a')), "web.counter.error.name_too_long");
    EXPECT_EQ(check_id_number(""), "web.counter.error.id_missing");
    EXPECT_FALSE(check_id_number("AB123456"));
    EXPECT_EQ(check_id_number("AB1"), "web.counter.error.id_invalid");
    EXPECT_EQ(check_id_number("AB-123456"), "web.counter.error.id_invalid");
}

TEST(Reference, NormalizesWhatPeopleType) {
    EXPECT_EQ(normalize_reference(" mef-2026-000123 "), "MEF-2026-000123");
    EXPECT_EQ(normalize_reference("MEF-٢٠٢٦-٠٠٠١٢٣"), "MEF-2026-000123");  // Arabic-Indic digits
    EXPECT_EQ(normalize_reference("k7qx-m3pa"), "K7QX-M3PA");
    EXPECT_EQ(normalize_reference("۱۲۳ ۴"), "1234");                         // Eastern Arabic-Indic, space removed
    EXPECT_EQ(normalize_reference(""), "");
}

TEST(Files, EmptyFileInputsAreSkipped) {
    std::vector<http::Part> parts{field("files", "not a file"), file("files", "", ""), file("files", "a.pdf", "%PDF-1.4"),
                                  file("other", "b.pdf", "x"), file("files", "c.png", "\x89PNG")};
    auto files = take_files(parts, "files");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].name, "a.pdf");
    EXPECT_EQ(files[0].bytes, "%PDF-1.4");
    EXPECT_EQ(files[1].name, "c.png");
}

TEST(Format, SizesAndTimes) {
    EXPECT_EQ(format_size(900), "900 B");
    EXPECT_EQ(format_size(1024), "1 KB");
    EXPECT_EQ(format_size(5 * 1024 * 1024), "5.0 MB");
    EXPECT_EQ(from_ms(1'700'000'000'999).time_since_epoch().count(), 1'700'000'000);
}

TEST(DepositTemplates, CheckPageIsOneMultipartFormWithChangeButtons) {
    Data d;
    d.set("hidden_all", hidden_answer_fields({"MEF", "letter", "", "s", "b"}));
    d.set("idempotency_key", "k1");
    PageView v{.lang = i18n::Lang::fr, .title = "t", .csrf = "tok"};
    std::string html = render_page(v, "deposit_check", d);
    EXPECT_TRUE(contains(html, R"(action="/deposit" enctype="multipart/form-data")"));
    EXPECT_TRUE(contains(html, R"(name="_csrf" value="tok")"));
    EXPECT_TRUE(contains(html, R"(type="file" multiple accept=".pdf,.jpg,.jpeg,.png)"));
    for (const char* step : {"/deposit/administration", "/deposit/type", "/deposit/details"})
        EXPECT_TRUE(contains(html, std::string("formaction=\"") + step + "\" formenctype=\"application/x-www-form-urlencoded\""))
            << step;
    EXPECT_TRUE(contains(html, R"(name="administration" value="MEF")"));
}

TEST(DepositTemplates, FieldErrorsAreLinkedAndMarkedInvalid) {
    Data d;
    d.set("subject_error", "Saisissez l'objet");
    d.set("error_summary", render_error_summary(i18n::Lang::fr, {{"subject", "Saisissez l'objet"}}));
    PageView v{.lang = i18n::Lang::fr, .title = "t", .has_errors = true, .csrf = "tok"};
    std::string html = render_page(v, "deposit_details", d);
    EXPECT_TRUE(contains(html, R"(<a href="#subject">)"));
    EXPECT_TRUE(contains(html, R"(aria-describedby="subject-hint subject-error")"));
    EXPECT_TRUE(contains(html, R"(aria-invalid="true")"));
    EXPECT_FALSE(contains(html, R"(aria-describedby="body-hint body-error")"));
}

TEST(DepositTemplates, NavigationShowsRegistryLinksOnlyWhenTheRegistryRuns) {
    identity::Principal citizen;
    citizen.account_id = 1;
    citizen.login = "c@example.ma";
    Data d;
    PageView off{.lang = i18n::Lang::ar, .title = "t", .principal = &citizen, .csrf = "c"};
    std::string html = render_page(off, "home", d);
    EXPECT_FALSE(contains(html, R"(href="/deposit")"));
    EXPECT_FALSE(contains(html, R"(href="/track")"));
    PageView on = off;
    on.registry = true;
    on.nav = "deposits";
    html = render_page(on, "home", d);
    EXPECT_TRUE(contains(html, R"(href="/deposit")"));
    EXPECT_TRUE(contains(html, R"(href="/deposits" aria-current="page")"));
    EXPECT_TRUE(contains(html, R"(href="/verify")"));
    EXPECT_FALSE(contains(html, R"(href="/registry")"));  // citizens have no register
    EXPECT_TRUE(contains(html, R"(class="task-list__link" href="/deposit")"));  // and a task on the home page
    identity::Principal op = citizen;
    op.kind = identity::AccountKind::operator_;
    on.principal = &op;
    html = render_page(on, "home", d);
    EXPECT_FALSE(contains(html, R"(href="/deposit")"));  // the operator does not deposit
    EXPECT_FALSE(contains(html, R"(class="task-list__link" href="/deposit")"));
    EXPECT_TRUE(contains(html, R"(href="/track")"));
}

TEST(DepositTemplates, LimitsKeepTheirNumbersLeftToRight) {
    Data d;
    detail::set_limits(d, i18n::Lang::ar, registry::AttachmentLimits{.max_count = 3, .max_bytes = 5 * 1024 * 1024,
                                                                       .max_total_bytes = 1024});
    Data page;
    page.set("limits_html", d.get("limits_html")->string_value());
    std::string html = render("deposit_start", page, i18n::Lang::ar);
    EXPECT_TRUE(contains(html, R"(<bdi dir="ltr">3</bdi>)"));
    EXPECT_TRUE(contains(html, R"(<bdi dir="ltr">5.0 MB</bdi>)"));
    EXPECT_TRUE(contains(html, R"(<bdi dir="ltr">1 KB</bdi>)"));
    EXPECT_FALSE(contains(html, "@1@"));
}
