// Templates: escaping, catalogue lookups, the page shell in both languages.
#include "identity/principal.hpp"
#include "web/page.hpp"
#include "web/render.hpp"

#include <gtest/gtest.h>


using namespace idara;
using namespace idara::web;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// A raw catalogue key ("web.nav.home") or an unresolved tag left in the output.
// (No std::regex: g++ 12 warns falsely about it under -O1 with sanitizers.)
bool has_raw_key(const std::string& html) {
    return contains(html, "web.") || contains(html, "error.") || contains(html, "{{") || contains(html, "}}");
}

identity::Principal staff_principal() {
    identity::Principal p;
    p.account_id = 7;
    p.kind = identity::AccountKind::staff;
    p.login = "clerk@men.gov.ma";
    p.display_name = "Salma <b>Bennani</b>";
    p.administration_id = 2;
    return p;
}

}  // namespace

TEST(Render, EscapesHtmlInVariables) {
    Data d;
    d.set("heading", "<script>alert('x')</script>");
    d.set("help", "a & b \"c\"");
    d.set("status", "404");
    std::string html = render("error", d, i18n::Lang::fr);
    EXPECT_FALSE(contains(html, "<script>"));
    EXPECT_TRUE(contains(html, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"));
    EXPECT_TRUE(contains(html, "a &amp; b &quot;c&quot;"));
}

TEST(Render, HtmlEscapeHelper) {
    EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(html_escape("إدارة"), "إدارة");
}

TEST(Render, CatalogueMessagesByLanguage) {
    Data d;
    d.set("status", "404");
    EXPECT_TRUE(contains(render("error", d, i18n::Lang::fr), "Retour à l&apos;accueil"));
    EXPECT_TRUE(contains(render("error", d, i18n::Lang::ar), "العودة إلى الصفحة الرئيسية"));
}

TEST(Render, EveryTemplateKeyIsInBothCatalogues) {
    auto names = template_names();
    ASSERT_GE(names.size(), 8u);
    for (const auto& n : names)
        for (const auto& k : template_keys(n))
            for (auto l : i18n::kAllLangs) EXPECT_TRUE(i18n::catalogue().has(l, k)) << n << ": " << k;
}

TEST(Render, UnknownTemplateThrows) { EXPECT_THROW(render("no-such-template", Data{}, i18n::Lang::ar), std::runtime_error); }

TEST(Page, ArabicIsRightToLeft) {
    Data d;
    PageView v{.lang = i18n::Lang::ar, .title = msg(i18n::Lang::ar, "web.home.title"), .target = "/", .nav = "home"};
    std::string html = render_page(v, "home", d);
    EXPECT_TRUE(contains(html, R"(<html lang="ar" dir="rtl">)"));
    EXPECT_TRUE(contains(html, R"(href="/lang/fr?next=%2F")"));
    EXPECT_TRUE(contains(html, R"(lang="fr" hreflang="fr")"));
    EXPECT_TRUE(contains(html, ">Français</a>"));
    EXPECT_TRUE(contains(html, R"(href="#main")"));
    EXPECT_TRUE(contains(html, R"(aria-current="page")"));
    EXPECT_TRUE(contains(html, "href=\"/login\""));
    EXPECT_FALSE(has_raw_key(html)) << html;
}

TEST(Page, FrenchIsLeftToRightAndKeepsThePage) {
    Data d;
    PageView v{.lang = i18n::Lang::fr, .title = "Accueil", .target = "/account?tab=a&b=1"};
    std::string html = render_page(v, "home", d);
    EXPECT_TRUE(contains(html, R"(<html lang="fr" dir="ltr">)"));
    EXPECT_TRUE(contains(html, R"(href="/lang/ar?next=%2Faccount%3Ftab%3Da%26b%3D1")"));
    EXPECT_TRUE(contains(html, R"(lang="ar" hreflang="ar")"));
    EXPECT_TRUE(contains(html, ">العربية</a>"));
    EXPECT_TRUE(contains(html, "<title>Accueil – idara</title>"));
}

TEST(Page, SignedInNavigationEscapesTheNameAndCarriesTheCsrfToken) {
    auto p = staff_principal();
    Data d;
    d.set("greeting", "x");
    PageView v{.lang = i18n::Lang::fr, .title = "t", .principal = &p, .csrf = "tok123"};
    std::string html = render_page(v, "home", d);
    EXPECT_TRUE(contains(html, "<bdi>Salma &lt;b&gt;Bennani&lt;/b&gt;</bdi>"));
    EXPECT_TRUE(contains(html, R"(name="_csrf" value="tok123")"));
    EXPECT_TRUE(contains(html, R"(href="/staff")"));
    EXPECT_TRUE(contains(html, R"(action="/logout")"));
    EXPECT_FALSE(contains(html, R"(href="/login")"));
}

TEST(Page, ErrorTitleAndSummary) {
    std::string summary = render_error_summary(i18n::Lang::fr, {{"login", "Saisissez <x>"}});
    EXPECT_TRUE(contains(summary, R"(<a href="#login">Saisissez &lt;x&gt;</a>)"));
    EXPECT_TRUE(contains(summary, "role=\"alert\""));
    EXPECT_TRUE(render_error_summary(i18n::Lang::fr, {}).empty());
    Data d;
    d.set("error_summary", summary);
    PageView v{.lang = i18n::Lang::fr, .title = "Se connecter", .has_errors = true};
    std::string html = render_page(v, "login", d);
    EXPECT_TRUE(contains(html, "<title>Erreur : Se connecter – idara</title>"));
    EXPECT_TRUE(contains(html, "Le formulaire contient des erreurs"));
}

TEST(Page, NoTemplateLeavesARawKeyInEitherLanguage) {
    auto p = staff_principal();
    for (auto l : i18n::kAllLangs) {
        for (const auto& name : template_names()) {
            if (name == "layout") continue;
            Data d;
            d.set("status", "500");
            d.set("has_units", true);
            PageView v{.lang = l, .title = "x", .principal = name == "login" ? nullptr : &p, .csrf = "c"};
            std::string html = render_page(v, name, d);
            EXPECT_FALSE(has_raw_key(html)) << name << " in " << i18n::code(l);
        }
    }
}
