// Procedure files that parse: the reference file with all its fields, the shipped packs,
// locate() on pointers, and the 1 MiB limit.
#include "portal_fixture.hpp"
#include "procedures/procedure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace idara::procedures {
namespace {

using testing::reference_procedure;
using testing::source_file;

TEST(ProcedureParse, ReferenceFileHasEveryField) {
    auto r = parse_procedure(reference_procedure(), "student-registration/v1.json");
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    const Procedure& p = *r;
    EXPECT_EQ(p.code, "student-registration");
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.title.fr, "Inscription en première année à l'université");
    EXPECT_EQ(p.title.ar, "التسجيل في السنة الأولى بالجامعة");
    EXPECT_EQ(p.title.in(i18n::Lang::ar), p.title.ar);
    EXPECT_NE(p.summary.fr.find("baccalauréat"), std::string::npos);
    EXPECT_NE(p.audience.ar.find("البكالوريا"), std::string::npos);
    EXPECT_NE(p.legal_basis.fr.find("55-19"), std::string::npos);
    EXPECT_EQ(p.cost.fr, "Gratuit");
    EXPECT_EQ(p.life_events, std::vector<std::string>{"studies"});
    EXPECT_EQ(p.keywords.size(), 7u);
    EXPECT_EQ(p.administration, "UNIV");
    ASSERT_TRUE(p.unit.has_value());
    EXPECT_EQ(*p.unit, "SCOL-INS");
    EXPECT_EQ(p.deposit_type, "application");
    EXPECT_EQ(p.deadline_days, 15);
    EXPECT_TRUE(p.working_days);
    EXPECT_EQ(p.silence, Silence::approval);
    EXPECT_FALSE(p.fee.has_value());
    EXPECT_FALSE(p.window.has_value());

    ASSERT_EQ(p.documents.size(), 2u);
    EXPECT_EQ(p.documents[0].code, "bac_result");
    EXPECT_EQ(p.documents[0].fetched_by.value_or(""), "bac");
    EXPECT_TRUE(p.documents[0].required);
    EXPECT_EQ(p.documents[1].code, "photo");
    EXPECT_FALSE(p.documents[1].fetched_by.has_value());
    ASSERT_EQ(p.uploads().size(), 1u);
    EXPECT_EQ(p.uploads()[0]->code, "photo");

    ASSERT_EQ(p.lookups.size(), 1u);
    const Lookup* bac = p.lookup("bac");
    ASSERT_NE(bac, nullptr);
    EXPECT_EQ(bac->service, "MA/GOV/MEN/bac-results/bac-result");
    EXPECT_EQ(bac->path, "/results/{student_number}");
    EXPECT_EQ(bac->fills.size(), 8u);
    EXPECT_EQ(bac->fills.at("bac_average"), "/average");
    EXPECT_NE(bac->purpose.fr.find("baccalauréat"), std::string::npos);
    EXPECT_FALSE(bac->provider.ar.empty());
    EXPECT_EQ(p.lookup("nope"), nullptr);

    // Fields in declaration order.
    ASSERT_EQ(p.fields.size(), 12u);
    EXPECT_EQ(p.fields.front().name, "student_number");
    EXPECT_EQ(p.fields.back().name, "phone");
    const Field* sn = p.field("student_number");
    ASSERT_NE(sn, nullptr);
    EXPECT_EQ(sn->widget, Widget::text);
    EXPECT_FALSE(sn->from.has_value());
    EXPECT_FALSE(sn->hint.empty());
    EXPECT_TRUE(sn->in_receipt);
    EXPECT_EQ(p.field("first_name")->from.value_or(""), "bac");
    EXPECT_TRUE(p.field("first_name")->hint.empty());
    const Field* faculty = p.field("faculty");
    ASSERT_NE(faculty, nullptr);
    EXPECT_EQ(faculty->widget, Widget::radio);
    EXPECT_EQ(widget_name(faculty->widget), "radio");
    ASSERT_EQ(faculty->options.size(), 3u);
    EXPECT_EQ(faculty->options[1].value, "fsjes");
    EXPECT_EQ(faculty->options[0].label.fr, "Faculté des sciences");
    EXPECT_EQ(faculty->error.fr, "Choisissez un établissement");

    ASSERT_EQ(p.steps.size(), 4u);
    EXPECT_EQ(p.steps[0].id, "student");
    EXPECT_EQ(p.steps[0].lookup.value_or(""), "bac");
    EXPECT_EQ(p.steps[0].fields, std::vector<std::string>{"student_number"});
    EXPECT_FALSE(p.steps[1].lookup.has_value());
    EXPECT_EQ(p.step("contact")->fields, std::vector<std::string>{"phone"});
    EXPECT_EQ(p.step("check"), nullptr);

    EXPECT_NE(p.form_schema.find("\"student_number\""), std::string::npos);
    EXPECT_NE(p.form_schema.find("^0[567][0-9]{8}$"), std::string::npos);
    EXPECT_EQ(p.receipt_subject.fr, "Demande d'inscription en première année — {student_number}");
}

// Every procedure file shipped under procedures/ parses (the packs of issue 7).
TEST(ProcedureParse, EveryShippedPackParses) {
    namespace fs = std::filesystem;
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(std::string(IDARA_TEST_SOURCE_DIR) + "/procedures")) {
        const auto path = e.path().string();
        if (!e.is_regular_file() || e.path().extension() != ".json" || path.ends_with(".schema.json")) continue;
        const auto rel = fs::relative(e.path(), IDARA_TEST_SOURCE_DIR).string();
        auto r = parse_procedure(source_file(rel), rel);
        EXPECT_TRUE(r.has_value()) << rel << ": " << r.error().detail;
        if (r) {
            // The directory is the code, the file name the version.
            EXPECT_EQ(e.path().parent_path().filename().string(), r->code) << rel;
            EXPECT_EQ(e.path().filename().string(), "v" + std::to_string(r->version) + ".json") << rel;
        }
        ++n;
    }
    EXPECT_GE(n, 1);
}

TEST(ProcedureLocate, PointersToLinesAndColumns) {
    const std::string text = reference_procedure();
    // `  "code": "student-registration",` : the value starts at column 11 of line 2.
    auto p = locate(text, "/code");
    EXPECT_EQ(p.line, 2);
    EXPECT_EQ(p.column, 11);
    p = locate(text, "/version");
    EXPECT_EQ(p.line, 3);
    EXPECT_EQ(p.column, 14);
    // The document itself.
    p = locate(text, "");
    EXPECT_EQ(p.line, 1);
    EXPECT_EQ(p.column, 1);
}

// Finds the 1-based line of the first occurrence of `needle` at or after `from`.
int line_of(const std::string& text, const std::string& needle, std::size_t from = 0) {
    const auto at = text.find(needle, from);
    EXPECT_NE(at, std::string::npos) << needle;
    if (at == std::string::npos) return 0;
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

TEST(ProcedureLocate, ArraysObjectsAndEscapes) {
    const std::string text = reference_procedure();
    const auto steps = text.find("\"steps\"");
    EXPECT_EQ(locate(text, "/steps/2/fields/0").line, line_of(text, "[\"programme\"]", steps));
    EXPECT_EQ(locate(text, "/steps/3").line, line_of(text, "{\"id\": \"contact\"", steps));
    EXPECT_EQ(locate(text, "/fields/faculty/options/2/value").line, line_of(text, "{\"value\": \"flsh\""));
    EXPECT_EQ(locate(text, "/lookups/0/fills/bac_year").line, line_of(text, "\"bac_year\": \"/year\""));
    // A key with '/' and '~' is written ~1 and ~0.
    const std::string esc = "{\n  \"a/b\": {\n    \"c~d\": [1,\n 2]\n  }\n}";
    EXPECT_EQ(locate(esc, "/a~1b").line, 2);
    auto p = locate(esc, "/a~1b/c~0d/1");
    EXPECT_EQ(p.line, 4);
    EXPECT_EQ(p.column, 2);
    // A pointer past the document: the nearest enclosing value found.
    EXPECT_EQ(locate(esc, "/a~1b/c~0d/7").line, 3);
    EXPECT_EQ(locate(esc, "/a~1b/nothing/deeper").line, 2);
    // Not JSON at all: {1,1}.
    EXPECT_EQ(locate("not json", "/a").line, 1);
}

TEST(ProcedureParse, OneMebibyteLimit) {
    std::string text = reference_procedure();
    const std::size_t mib = 1024 * 1024;
    text.append(mib - text.size(), ' ');  // exactly 1 MiB: accepted
    ASSERT_EQ(text.size(), mib);
    auto ok = parse_procedure(text, "big.json");
    EXPECT_TRUE(ok.has_value()) << ok.error().detail;
    text.push_back(' ');
    auto r = parse_procedure(text, "big.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.too_large");
    EXPECT_EQ(r.error().status, 413);
    EXPECT_NE(r.error().detail.find("big.json"), std::string::npos);
}

}  // namespace
}  // namespace idara::procedures
