// The maturity report's PDF (render_score_report, scoring.hpp) on sme-digital-maturity v2: its
// text through pdftotext (the title in both languages, each dimension with its percentage, the
// level, the advice below advice_below) and its charts through pdftoppm at 50 dpi (the bars'
// colour is there in proportion to the scores, and absent when every score is 0).
#include "portal_fixture.hpp"
#include "procedures/procedure.hpp"
#include "procedures/scoring.hpp"

#include "core/i18n.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

namespace idara::procedures {
namespace {

namespace fs = std::filesystem;

Procedure v2() {
    auto p = parse_procedure(testing::source_file("procedures/sme-digital-maturity/v2.json"), "v2.json");
    EXPECT_TRUE(p.has_value()) << p.error().detail;
    return p.has_value() ? std::move(*p) : Procedure{};
}

boost::json::object answers(const std::string& each, const std::map<std::string, std::string>& values = {}) {
    boost::json::object o;
    o["company_name"] = "Atlas Numérique SARL";
    o["ice"] = "001234567000089";
    for (const char* f : {"strategy_vision", "strategy_budget", "processes_digital", "processes_admin", "data_collection",
                          "data_use", "skills_training", "skills_roles", "cybersecurity", "customer_channels"})
        o[f] = each;
    for (const auto& [k, v] : values) o[k] = v;
    return o;
}

std::string render(const boost::json::object& a) {
    const auto p = v2();
    auto s = score(p, a);
    EXPECT_TRUE(s.has_value());
    ReportFacts f;
    f.application_id = "0123456789abcdef0123";
    f.register_number = "ADD-2026-000042";
    f.procedure_code = p.code;
    f.procedure_title = p.title;
    f.subject = "Atlas Numérique SARL";
    f.submitted_at_ms = 1790000000000;  // 2026-09-21
    if (s) f.score = *s;
    auto pdf = render_score_report(f);
    EXPECT_TRUE(pdf.has_value()) << pdf.error().detail;
    return pdf ? *pdf : std::string();
}

// A scratch directory, removed at the end.
class ReportFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("idara-score-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& bytes) {
        const auto path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    static std::string run(const std::string& cmd) {
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
            EXPECT_EQ(::pclose(p), 0) << cmd;
        }
        return out;
    }
    // The text with every run of white space as one space (pdftotext breaks lines as laid out).
    std::string text_of(const std::string& pdf) {
        std::string out;
        for (char c : run("pdftotext -q " + write("r.pdf", pdf) + " -")) {
            const bool space = c == ' ' || c == '\n' || c == '\f' || c == '\t';
            if (!space) out += c;
            else if (!out.empty() && out.back() != ' ') out += ' ';
        }
        return out;
    }

    // Pixels of page 1 at 50 dpi (pdftoppm's rasteriser, read as PPM) close to the bars' colour.
    std::size_t bar_pixels(const std::string& pdf, const std::string& name) {
        const auto in = write(name + ".pdf", pdf);
        const auto prefix = (dir_ / name).string();
        run("pdftoppm -r 50 -f 1 -l 1 -singlefile " + in + " " + prefix);
        std::ifstream f(prefix + ".ppm", std::ios::binary);
        std::string magic;
        int w = 0, h = 0, maxv = 0;
        f >> magic >> w >> h >> maxv;
        f.get();
        EXPECT_EQ(magic, "P6");
        EXPECT_EQ(maxv, 255);
        std::string px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3, '\0');
        f.read(px.data(), static_cast<std::streamsize>(px.size()));
        EXPECT_EQ(f.gcount(), static_cast<std::streamsize>(px.size()));
        std::size_t n = 0;
        for (std::size_t i = 0; i + 2 < px.size(); i += 3) {
            const int r = static_cast<unsigned char>(px[i]), g = static_cast<unsigned char>(px[i + 1]),
                      b = static_cast<unsigned char>(px[i + 2]);
            if (r < 25 && std::abs(g - 115) < 25 && std::abs(b - 179) < 25) ++n;  // rgb(0, 115, 179)
        }
        return n;
    }

    fs::path dir_;
};

TEST_F(ReportFiles, TheReportSaysTheScoresInBothLanguages) {
    // strategy 4/6 = 67 %, processes 2/6 = 33 %, data 1/6 = 17 %, skills 5/6 = 83 %,
    // cybersecurity 1/3 = 33 %, customers 2/3 = 67 %; overall 15/30 = 50 %: "Avancé".
    const std::string pdf = render(answers("0", {{"strategy_vision", "3"}, {"strategy_budget", "1"}, {"processes_digital", "2"},
                                                 {"data_collection", "1"}, {"skills_training", "3"}, {"skills_roles", "2"},
                                                 {"cybersecurity", "1"}, {"customer_channels", "2"}}));
    ASSERT_EQ(pdf.rfind("%PDF-", 0), 0u);
    const std::string text = text_of(pdf);
    auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
    EXPECT_TRUE(has(i18n::catalogue().get(i18n::Lang::fr, "scoring.report.title"))) << text;
    EXPECT_TRUE(has(i18n::catalogue().get(i18n::Lang::ar, "scoring.report.title"))) << text;
    EXPECT_TRUE(has("Atlas Numérique SARL"));
    EXPECT_TRUE(has("ADD-2026-000042"));
    EXPECT_TRUE(has("50 %"));
    EXPECT_TRUE(has("Avancé"));
    EXPECT_TRUE(has("متقدم"));  // the level in Arabic
    const auto p = v2();
    const std::map<std::string, int> percents{{"strategy", 67}, {"processes", 33}, {"data", 17},
                                              {"skills", 83},   {"cybersecurity", 33}, {"customers", 67}};
    for (const auto& d : p.scoring->dimensions) {
        const std::string line = d.title.fr + " — " + std::to_string(percents.at(d.id)) + " %";
        EXPECT_TRUE(has(line)) << line << "\n" << text;
    }
    // Advice below 67 %: processes and data get theirs, strategy (67 %) does not. (Arabic words
    // with ligatures do not come back whole from pdftotext: the French ones are checked.)
    EXPECT_TRUE(has(p.scoring->dimensions[1].advice.fr)) << text;
    EXPECT_TRUE(has(p.scoring->dimensions[2].advice.fr));
    EXPECT_FALSE(has(p.scoring->dimensions[0].advice.fr));
    EXPECT_TRUE(has(i18n::catalogue().get(i18n::Lang::fr, "scoring.report.no_advice")));
}

TEST_F(ReportFiles, TheChartsAreDrawnInProportion) {
    const std::size_t zero = bar_pixels(render(answers("0")), "zero");
    const std::size_t half = bar_pixels(render(answers("0", {{"strategy_vision", "3"}, {"processes_digital", "3"},
                                                             {"data_collection", "3"}, {"skills_training", "3"},
                                                             {"cybersecurity", "2"}, {"customer_channels", "2"}})),
                                        "half");
    const std::size_t full = bar_pixels(render(answers("3")), "full");
    // Six bars of 7 pixels by up to 138 at 50 dpi, plus the radar's outline.
    EXPECT_LT(zero, 60u) << "no bar at 0 %";
    EXPECT_GT(half, 1500u);
    EXPECT_GT(full, half + 1500u);
}

TEST(ScoringReport, MarkupInTheSubjectIsEscaped) {
    auto p = v2();
    ReportFacts f;
    f.application_id = "ffffffffffffffffffff";
    f.procedure_title = p.title;
    f.subject = "<b>&'\"";  // escaped, never markup
    f.score = score(p, answers("2")).value();
    auto pdf = render_score_report(f);
    ASSERT_TRUE(pdf.has_value()) << pdf.error().detail;
    EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
}

}  // namespace
}  // namespace idara::procedures
