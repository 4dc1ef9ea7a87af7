// The SVG writer (well-formed, escaped, accessible, isolated labels, contrast) and the CSV
// writer (RFC 4180 quoting, CRLF, BOM, formula neutralisation).
#include "dashboard/charts.hpp"
#include "dashboard/csv.hpp"
#include "dashboard/svg.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace idara::dashboard {
namespace {

// xmllint --noout on the text (libxml2-utils); falls back to a balanced-tag check.
bool well_formed(const std::string& xml) {
    static int n = 0;
    const std::string path = ::testing::TempDir() + "dashboard-" + std::to_string(++n) + ".svg";
    std::ofstream(path) << xml;
    if (std::system("command -v xmllint >/dev/null 2>&1") == 0)
        return std::system(("xmllint --noout " + path + " 2>&1").c_str()) == 0;
    std::vector<std::string> stack;  // element names of the open tags
    for (std::size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
        const auto end = xml.find('>', at);
        if (end == std::string::npos) return false;
        const bool closing = xml[at + 1] == '/', empty = xml[end - 1] == '/';
        const auto name_at = at + (closing ? 2 : 1);
        const std::string name = xml.substr(name_at, xml.find_first_of(" />", name_at) - name_at);
        if (empty) continue;
        if (!closing) stack.push_back(name);
        else if (stack.empty() || stack.back() != name) return false;
        else stack.pop_back();
    }
    return stack.empty();
}

TEST(Svg, GroupedBarChartIsWellFormedAccessibleAndEscaped) {
    svg::GroupedBarChart c;
    c.id = "chart-weeks";
    c.title = "In & out <weekly> \"all\"";
    c.desc = "desc & more";
    c.categories = {"W19", "W20", "<W21>"};
    c.series = {{"الواردة", {1, 12, 0}}, {"Envoyés & co", {3, 0, 7}}};
    const std::string s = svg::grouped_bar_chart(c);
    EXPECT_TRUE(well_formed(s)) << s;
    EXPECT_NE(s.find("role=\"img\""), std::string::npos);
    EXPECT_NE(s.find("aria-labelledby=\"chart-weeks-title chart-weeks-desc\""), std::string::npos);
    EXPECT_NE(s.find("<title id=\"chart-weeks-title\">In &amp; out &lt;weekly&gt; &quot;all&quot;</title>"),
              std::string::npos);
    EXPECT_NE(s.find("<desc id=\"chart-weeks-desc\">desc &amp; more</desc>"), std::string::npos);
    EXPECT_NE(s.find("&lt;W21&gt;"), std::string::npos);
    EXPECT_NE(s.find("viewBox=\"0 0 "), std::string::npos);
    EXPECT_NE(s.find("direction=\"ltr\""), std::string::npos);
    EXPECT_NE(s.find("direction=\"rtl\" unicode-bidi=\"isolate\">الواردة</text>"), std::string::npos);
    EXPECT_NE(s.find(">12</text>"), std::string::npos);  // values printed on the bars
    EXPECT_EQ(s.find("<script"), std::string::npos);
}

TEST(Svg, BarChartLabelsAndEmptyChart) {
    svg::BarChart c{"chart-types", "T", "D", {{"شكاية <\"&", 3}, {"Dossier d'investissement", 12.5}}, "none"};
    const std::string s = svg::bar_chart(c);
    EXPECT_TRUE(well_formed(s)) << s;
    EXPECT_NE(s.find("شكاية &lt;&quot;&amp;"), std::string::npos);
    EXPECT_NE(s.find("Dossier d&#39;investissement"), std::string::npos);
    EXPECT_NE(s.find(">12.5</text>"), std::string::npos);
    svg::BarChart empty{"chart-overdue", "T", "D", {}, "Aucun <retard>"};
    const std::string e = svg::bar_chart(empty);
    EXPECT_TRUE(well_formed(e)) << e;
    EXPECT_NE(e.find("Aucun &lt;retard&gt;"), std::string::npos);
}

TEST(Svg, ManyWeeksStillWellFormed) {
    svg::GroupedBarChart c{"w", "t", "d", {}, {{"a", {}}, {"b", {}}}};
    for (int i = 0; i < 106; ++i) {
        c.categories.push_back("W" + std::to_string(i));
        c.series[0].values.push_back(i);
        c.series[1].values.push_back(1000 - i);
    }
    EXPECT_TRUE(well_formed(svg::grouped_bar_chart(c)));
}

TEST(Svg, HelpersAndContrast) {
    EXPECT_TRUE(svg::starts_rtl("123 مكتب"));
    EXPECT_FALSE(svg::starts_rtl("DB مكتب"));
    EXPECT_FALSE(svg::starts_rtl("2026"));
    EXPECT_EQ(svg::number(3), "3");
    EXPECT_EQ(svg::number(2.25), "2.2");
    EXPECT_EQ(svg::nice_scale(0).top, 1);
    EXPECT_EQ(svg::nice_scale(12).top, 15);
    EXPECT_EQ(svg::nice_scale(12).step, 5);
    EXPECT_EQ(svg::nice_scale(930).top, 1000);
    EXPECT_NEAR(svg::contrast_ratio("#000000", "#ffffff"), 21.0, 1e-9);
    for (const char* c : svg::kPalette) EXPECT_GE(svg::contrast_ratio(c, "#ffffff"), 4.5) << c;
    EXPECT_GE(svg::contrast_ratio(svg::kTextColour, "#ffffff"), 4.5);
}

TEST(Svg, DashboardChartsInBothLanguages) {
    Dashboard d;
    d.weeks.resize(2);
    d.weeks[0].label = "2026-W19";
    d.weeks[1].label = "2026-W20";
    d.weeks[1].entries_in = 4;
    d.by_type = {{"complaint", "شكاية", "Réclamation", 4}};
    d.overdue_by_unit = {{std::nullopt, "", "", "", 2}};
    for (auto l : i18n::kAllLangs) {
        for (const auto& s : {weekly_chart(d, l), type_chart(d, l), overdue_chart(d, l)}) EXPECT_TRUE(well_formed(s)) << s;
        EXPECT_NE(weekly_chart(d, l).find(">W20</text>"), std::string::npos);
    }
    EXPECT_NE(type_chart(d, i18n::Lang::ar).find("شكاية"), std::string::npos);
    EXPECT_NE(overdue_chart(d, i18n::Lang::fr).find("Sans unité désignée"), std::string::npos);
}

TEST(Csv, QuotingAndFormulaNeutralisation) {
    EXPECT_EQ(csv::field("plain"), "plain");
    EXPECT_EQ(csv::field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv::field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv::field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv::field("=1+2"), "'=1+2");
    EXPECT_EQ(csv::field("+33"), "'+33");
    EXPECT_EQ(csv::field("-2"), "'-2");
    EXPECT_EQ(csv::field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(csv::field("\tx"), "'\tx");
    EXPECT_EQ(csv::field("\rx"), "\"'\rx\"");
    EXPECT_EQ(csv::field("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
    EXPECT_EQ(csv::field("مكتب الضبط"), "مكتب الضبط");
    csv::Writer w;
    w.row({"a", "b,c"});
    w.blank();
    w.row({"=x"});
    EXPECT_EQ(w.str(), std::string(csv::kBom) + "a,\"b,c\"\r\n\r\n'=x\r\n");
}

TEST(Csv, DashboardExportHasSectionsAndNoSubjects) {
    Dashboard d;
    d.from_ms = 1'777'849'200'000;  // 2026-05-04 00:00 Casablanca
    d.to_ms = d.from_ms + 7 * 86'400'000LL - 1;
    d.now_ms = d.to_ms;
    Week w;
    w.label = "2026-W19";
    w.monday = std::chrono::sys_days{std::chrono::year(2026) / 5 / 4};
    w.entries_in = 3;
    w.processing = percentiles({1.0, 2.5});
    d.weeks = {w};
    d.entries_in = 3;
    d.processing = w.processing;
    d.by_type = {{"complaint", "شكاية", "Réclamation", 3}};
    d.overdue_by_unit = {{7, "=DB", "=مديرية", "=Direction", 1}};
    d.overdue = 1;
    const std::string fr = csv::dashboard_csv(d, i18n::Lang::fr, {"MEF – Ministère", ""});
    EXPECT_EQ(fr.rfind(csv::kBom, 0), 0u);
    EXPECT_NE(fr.find("\r\n2026-W19,2026-05-04,3,0,2,1,2.5\r\n"), std::string::npos) << fr;
    EXPECT_NE(fr.find("Toute l'administration"), std::string::npos);
    EXPECT_NE(fr.find("complaint,Réclamation,3\r\n"), std::string::npos);
    EXPECT_NE(fr.find("'=DB,'=Direction,1\r\n"), std::string::npos);
    EXPECT_NE(fr.find("\r\n\r\n"), std::string::npos);
    for (std::size_t i = 0; i < fr.size(); ++i)
        if (fr[i] == '\n') {
            EXPECT_EQ(fr[i - 1], '\r');
        }
    const std::string ar = csv::dashboard_csv(d, i18n::Lang::ar, {"MEF", "DB"});
    EXPECT_NE(ar.find("شكاية"), std::string::npos);
    EXPECT_NE(ar.find("الأسبوع"), std::string::npos);
}

}  // namespace
}  // namespace idara::dashboard
