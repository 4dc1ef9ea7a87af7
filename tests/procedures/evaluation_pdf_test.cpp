// The ranking decision's PDF (render_decision_pdf), read back with poppler: both languages, every
// line of the ranking with its score and outcome, the method, pagination of a long ranking, an
// empty ranking, and the bottom of the last page left free for the parapheur's stamps.
#include "shell.hpp"
#include "parapheur/stamp_layout.hpp"
#include "procedures/evaluation.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace idara::procedures;
namespace fs = std::filesystem;

namespace {

constexpr double kPageH = 841.89, kStampRoom = 200;

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd, true); }

// Whitespace and bidi controls removed (pdftotext splits Arabic and wrapped cells).
std::string squeeze(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\f') continue;
        if (c == 0xE2 && i + 2 < s.size()) {
            const unsigned char b = static_cast<unsigned char>(s[i + 1]), d = static_cast<unsigned char>(s[i + 2]);
            if ((b == 0x80 && (d == 0x8E || d == 0x8F || (d >= 0xAA && d <= 0xAE))) || (b == 0x81 && d >= 0xA6 && d <= 0xA9)) {
                i += 2;
                continue;
            }
        }
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // no-break space
            ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

Criterion criterion(const char* id, const char* fr, const char* ar, int max, int weight) {
    Criterion c;
    c.id = id;
    c.title = {ar, fr};
    c.max = max;
    c.weight = weight;
    return c;
}

std::string reg(int i) {
    std::string n = std::to_string(i);
    return "MESRSI-2026-" + std::string(6 - n.size(), '0') + n;
}

DecisionFacts facts(int lines, int funded) {
    DecisionFacts f;
    f.decision_id = 42;
    f.administration_name_fr = "Ministère de l'Enseignement supérieur";
    f.administration_name_ar = "وزارة التعليم العالي";
    f.procedure_code = "ai-research-call";
    f.procedure_title = {"طلب مشاريع البحث في الذكاء الاصطناعي", "Appel à projets de recherche en IA"};
    f.granted = {"مشروع مقبول للتمويل", "Projet retenu pour financement"};
    f.refused = {"مشروع غير مقبول", "Projet non retenu"};
    f.pass_mark = 60;
    f.reviews = 2;
    f.criteria = {criterion("scientific_quality", "Qualité scientifique", "الجودة العلمية", 10, 3),
                  criterion("ai_relevance", "Pertinence pour l'IA", "الصلة بالذكاء الاصطناعي", 10, 2),
                  criterion("feasibility", "Faisabilité", "قابلية الإنجاز", 20, 1)};
    for (int i = 1; i <= lines; ++i) {
        DecisionLine l;
        l.rank = i;
        l.register_number = reg(i);
        l.subject_fr = "Projet <b>" + std::to_string(i) + "</b> : apprentissage frugal";
        l.subject_ar = "مشروع التعلم المقتصد";
        l.score_bp = 9000 - 50 * i - (i == 1 ? 5 : 0);  // 1: 8945 -> 89,5 %; 2: 8900 -> 89,0 %
        l.outcome = i <= funded ? Outcome::granted : Outcome::refused;
        f.lines.push_back(l);
    }
    f.drawn_up_by = "Karim Benali";
    f.drawn_up_at_ms = 1'779'000'000'000;
    return f;
}

class DecisionPdf : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("idara-decision-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    // IDARA_KEEP=1 keeps the PDFs in /tmp/idara-decision-<pid>/ for people to look at.
    void TearDown() override {
        if (!std::getenv("IDARA_KEEP")) fs::remove_all(dir_);
    }

    // Renders and writes the PDF; its path.
    fs::path render(const DecisionFacts& f, const std::string& name) {
        auto pdf = render_decision_pdf(f);
        EXPECT_TRUE(pdf) << pdf.error().detail;
        if (!pdf) return {};
        EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
        const fs::path p = dir_ / name;
        idara::testing::write_file(p, *pdf);
        pdf_ = *pdf;
        return p;
    }
    static int pages(const fs::path& p) {
        const std::string info = run("pdfinfo " + p.string());
        const auto at = info.find("Pages:");
        return at == std::string::npos ? 0 : std::stoi(info.substr(at + 6));
    }
    // The lowest point (from the top) of any word on page n.
    static double lowest_word(const fs::path& p, int n) {
        const std::string html = run("pdftotext -bbox -f " + std::to_string(n) + " -l " + std::to_string(n) + " " + p.string() + " -");
        double low = 0;
        for (auto at = html.find("<word "); at != std::string::npos; at = html.find("<word ", at + 1)) {
            const auto y = html.find("yMax=\"", at);
            if (y == std::string::npos) break;
            low = std::max(low, std::stod(html.substr(y + 6, 20)));
        }
        return low;
    }
    // The number of non-white pixels in the bottom kStampRoom points of page n (72 dpi, grey).
    int inked_bottom_pixels(const fs::path& p, int n) {
        const fs::path out = dir_ / "bottom";
        run("pdftoppm -r 72 -gray -singlefile -f " + std::to_string(n) + " -l " + std::to_string(n) + " -x 0 -y " +
            std::to_string(static_cast<int>(kPageH - kStampRoom)) + " -W 595 -H " + std::to_string(static_cast<int>(kStampRoom)) +
            " " + p.string() + " " + out.string());
        std::ifstream in(out.string() + ".pgm", std::ios::binary);
        std::string magic;
        int w = 0, h = 0, maxval = 0;
        in >> magic >> w >> h >> maxval;
        in.get();
        EXPECT_EQ(magic, "P5");
        EXPECT_GE(h, static_cast<int>(kStampRoom) - 1);
        int inked = 0;
        for (int i = 0; i < w * h; ++i) {
            const int c = in.get();
            if (c == EOF) return -1;
            if (c < 250) ++inked;
        }
        return inked;
    }
    fs::path dir_;
    std::string pdf_;
};

TEST_F(DecisionPdf, CarriesTheCallTheMethodAndEveryLineInBothLanguages) {
    const auto file = render(facts(5, 2), "d.pdf");
    ASSERT_FALSE(file.empty());
    EXPECT_GE(pages(file), 1);
    const std::string text = run("pdftotext -enc UTF-8 " + file.string() + " -");
    const std::string flat = squeeze(text);
    for (const char* s : {"Décision de financement", "Ministère de l'Enseignement supérieur", "Appel à projets de recherche en IA",
                          "ai-research-call", "Décision n° 42", "Qualité scientifique", "Pertinence pour l'IA", "Faisabilité",
                          "sur 20, coefficient 1", "coefficient 3", "60 % du maximum pondéré", "Karim Benali",
                          "Projet retenu pour financement", "Projet non retenu", "89,5 %", "89,0 %", "88,5 %", "87,5 %",
                          "parapheur électronique"})
        EXPECT_NE(flat.find(squeeze(s)), std::string::npos) << "missing: " << s << "\n" << text;
    for (const char* s : {"مقررالتمويل", "وزارةالتعليمالعالي", "طريقةالتقييم", "الجودةالعلمية", "مشروعمقبولللتمويل",
                          "مشروعغيرمقبول", "الترتيب", "رقمالتسجيل"})
        EXPECT_NE(flat.find(s), std::string::npos) << "missing Arabic: " << s << "\n" << text;
    for (int i = 1; i <= 5; ++i) EXPECT_NE(text.find(reg(i)), std::string::npos) << reg(i);
    // Two granted, three refused, in that order of rank.
    EXPECT_LT(text.find(reg(2)), text.find(reg(3)));
    EXPECT_NE(flat.find(squeeze("Projet retenu pour financement : 2")), std::string::npos) << text;
    EXPECT_NE(flat.find(squeeze("Projet non retenu : 3")), std::string::npos) << text;
    // Subjects are text, never markup.
    EXPECT_NE(text.find("<b>1</b>"), std::string::npos) << text;
    // The drawing-up date, in Casablanca time: 1779000000 is 17 May 2026, 07:40 UTC.
    EXPECT_NE(flat.find("2026"), std::string::npos);
    EXPECT_NE(pdf_.find("idara-evaluation-decision 42"), std::string::npos) << "keywords";
}

TEST_F(DecisionPdf, SixtyLinesPaginateAndTheLastPageKeepsItsBottomFree) {
    const auto file = render(facts(60, 10), "long.pdf");
    ASSERT_FALSE(file.empty());
    const int n = pages(file);
    ASSERT_GE(n, 2);
    const std::string all = run("pdftotext " + file.string() + " -");
    for (int i = 1; i <= 60; ++i) EXPECT_NE(all.find(reg(i)), std::string::npos) << reg(i);
    // The header is repeated on every page of the table.
    const std::string second = run("pdftotext -f 2 -l 2 " + file.string() + " -");
    EXPECT_NE(second.find("Rang"), std::string::npos) << second;
    EXPECT_NE(second.find("d'enregistrement"), std::string::npos) << second;
    // The last page: text ends above the stamps' room, and nothing at all is drawn there.
    EXPECT_GT(lowest_word(file, n), 0.0);
    EXPECT_LE(lowest_word(file, n), kPageH - kStampRoom);
    EXPECT_EQ(inked_bottom_pixels(file, n), 0);
    // Earlier pages do use their bottom (the check above is not vacuous).
    EXPECT_GT(lowest_word(file, 1), kPageH - kStampRoom);
    EXPECT_GT(inked_bottom_pixels(file, 1), 0);
    // The parapheur puts its stamps (visa, signature, seal) in that room of the last page.
    auto box = idara::parapheur::last_page_box(pdf_);
    ASSERT_TRUE(box) << box.error().detail;
    EXPECT_EQ(box->pages, n);
    for (int s = 0; s < 3; ++s) {
        const auto slot = idara::parapheur::stamp_slot(*box, s);
        EXPECT_EQ(slot.page, n);
        EXPECT_LE(slot.y + slot.height, kStampRoom) << s;  // PDF points from the bottom
    }
}

TEST_F(DecisionPdf, EveryLengthKeepsTheLastPageBottomFree) {
    // Whatever the length, the closing block moves to a new page rather than run into the room.
    for (int lines : {14, 18, 22, 26, 30, 34, 38}) {
        const auto file = render(facts(lines, 3), "n" + std::to_string(lines) + ".pdf");
        ASSERT_FALSE(file.empty());
        const int n = pages(file);
        EXPECT_LE(lowest_word(file, n), kPageH - kStampRoom) << lines;
        EXPECT_EQ(inked_bottom_pixels(file, n), 0) << lines;
        const std::string last = run("pdftotext -f " + std::to_string(n) + " -l " + std::to_string(n) + " " + file.string() + " -");
        EXPECT_NE(squeeze(last).find("Karim"), std::string::npos) << lines << ": the closing block is on the last page";
    }
}

TEST_F(DecisionPdf, AnEmptyRankingStillRenders) {
    const auto file = render(facts(0, 0), "empty.pdf");
    ASSERT_FALSE(file.empty());
    EXPECT_GE(pages(file), 1);
    const std::string flat = squeeze(run("pdftotext -enc UTF-8 " + file.string() + " -"));
    EXPECT_NE(flat.find(squeeze("Aucune demande classée.")), std::string::npos) << flat;
    EXPECT_NE(flat.find("يوجدأيطلبمرتب"), std::string::npos) << flat;  // "لا" is a ligature
    EXPECT_NE(flat.find(squeeze("Projet retenu pour financement : 0")), std::string::npos) << flat;
    EXPECT_EQ(flat.find("MESRSI-2026-"), std::string::npos);
}

TEST(DecisionPdfScore, ScoresAreRoundedToOneDecimal) {
    auto f = facts(4, 1);
    f.lines[0].score_bp = 10000;
    f.lines[1].score_bp = 8355;
    f.lines[2].score_bp = 8349;
    f.lines[3].score_bp = 0;
    auto pdf = render_decision_pdf(f);
    ASSERT_TRUE(pdf);
    const fs::path p = fs::temp_directory_path() / ("idara-decision-score-" + std::to_string(::getpid()) + ".pdf");
    idara::testing::write_file(p, *pdf);
    const std::string flat = squeeze(run("pdftotext -enc UTF-8 " + p.string() + " -"));
    fs::remove(p);
    for (const char* s : {"100,0%", "83,6%", "83,5%", "0,0%"}) EXPECT_NE(flat.find(s), std::string::npos) << s << "\n" << flat;
}

// The shipped packs that are evaluated (issue 7), read from procedures/ as the catalogue loads them.
Procedure shipped(const std::string& code, int version) {
    const fs::path p = fs::path(IDARA_TEST_SOURCE_DIR) / "procedures" / code / ("v" + std::to_string(version) + ".json");
    std::ifstream in(p, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto r = parse_procedure(text, p.string());
    EXPECT_TRUE(r) << p << ": " << (r ? "" : r.error().detail);
    return r ? *r : Procedure{};
}

TEST(EvaluatedPacks, LabelsAreDecidedOneByOneAndListedPublicly) {
    for (const auto& [code, version] : {std::pair{"startup-label", 2}, std::pair{"tech-sme-label", 3}}) {
        const Procedure p = shipped(code, version);
        EXPECT_EQ(p.version, version) << code;
        ASSERT_TRUE(p.evaluation.has_value()) << code;
        const auto& ev = *p.evaluation;
        EXPECT_EQ(ev.decision, DecisionMode::each) << code;
        EXPECT_EQ(ev.reviews, 2);
        EXPECT_EQ(ev.pass_mark, 60);
        EXPECT_GE(ev.criteria.size(), 4u);
        EXPECT_LE(ev.criteria.size(), 5u);
        for (const auto& c : ev.criteria) {
            EXPECT_EQ(c.max, 10) << code << " " << c.id;
            EXPECT_FALSE(c.title.ar.empty() || c.title.fr.empty() || c.hint.ar.empty() || c.hint.fr.empty()) << c.id;
        }
        EXPECT_FALSE(ev.circuit.has_value());
        ASSERT_TRUE(ev.directory.has_value()) << code;
        // Only what a company publishes anyway: never the register numbers, the ICE or its figures.
        EXPECT_EQ(ev.directory->fields, (std::vector<std::string>{"company_name", "sector", "creation_date"})) << code;
    }
    EXPECT_EQ(shipped("startup-label", 2).evaluation->granted.fr, "Label Startup attribué");
    // The tech-SME label keeps the fee of its version 2.
    const Procedure tech = shipped("tech-sme-label", 3);
    ASSERT_TRUE(tech.fee.has_value());
    EXPECT_EQ(tech.fee->amount_centimes, 50000);
    // The published versions stay as they were.
    EXPECT_FALSE(shipped("startup-label", 1).evaluation.has_value());
    EXPECT_FALSE(shipped("tech-sme-label", 2).evaluation.has_value());
}

TEST(EvaluatedPacks, TheResearchCallIsRankedAndItsDecisionPrintsItsMethod) {
    const Procedure p = shipped("ai-research-call", 2);
    ASSERT_TRUE(p.evaluation.has_value());
    const auto& ev = *p.evaluation;
    EXPECT_EQ(ev.decision, DecisionMode::ranking);
    EXPECT_EQ(ev.circuit.value_or(""), "evaluation_decision");
    EXPECT_FALSE(ev.directory.has_value());
    EXPECT_EQ(ev.reviews, 2);
    EXPECT_EQ(ev.pass_mark, 60);
    EXPECT_EQ(ev.granted.fr, "Projet retenu pour financement");
    EXPECT_EQ(ev.refused.fr, "Projet non retenu");
    std::vector<std::string> ids;
    for (const auto& c : ev.criteria) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"scientific_quality", "ai_relevance", "team", "feasibility", "impact"}));
    EXPECT_TRUE(p.window.has_value());
    EXPECT_FALSE(shipped("ai-research-call", 1).evaluation.has_value());

    auto f = facts(3, 1);
    f.procedure_title = p.title;
    f.criteria = ev.criteria;
    f.granted = ev.granted;
    f.refused = ev.refused;
    auto pdf = render_decision_pdf(f);
    ASSERT_TRUE(pdf);
    const fs::path file = fs::temp_directory_path() / ("idara-decision-pack-" + std::to_string(::getpid()) + ".pdf");
    idara::testing::write_file(file, *pdf);
    const std::string flat = squeeze(run("pdftotext -enc UTF-8 " + file.string() + " -"));
    fs::remove(file);
    for (const auto& c : ev.criteria) {
        EXPECT_NE(flat.find(squeeze(c.title.fr)), std::string::npos) << c.id << "\n" << flat;
        // pdftotext reads the lam-alef ligature back in visual order: such titles are not compared.
        if (c.title.ar.find("\u0644\u0627") == std::string::npos && c.title.ar.find("\u0644\u0625") == std::string::npos &&
            c.title.ar.find("\u0644\u0623") == std::string::npos) {
            EXPECT_NE(flat.find(squeeze(c.title.ar)), std::string::npos) << c.id;
        }
    }
    EXPECT_NE(flat.find(squeeze(p.title.fr)), std::string::npos) << flat;
}

}  // namespace
