// The catalogue on both backends: publishing versions, immutability, the current version,
// unknown administrations, search with Arabic normalisation and filters, and load_dir.
#include "portal_fixture.hpp"

#include "core/random.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace idara::testing {
namespace {

namespace fs = std::filesystem;
using procedures::CatalogueQuery;
using procedures::LoadOutcome;

class CatalogueTest : public PortalTest {
protected:
    std::vector<std::string> codes(const CatalogueQuery& q) {
        auto r = env().catalogue->list(q);
        EXPECT_TRUE(r.has_value()) << r.error().detail;
        std::vector<std::string> out;
        if (r)
            for (const auto& p : *r) out.push_back(p.procedure->code + "@" + std::to_string(p.procedure->version));
        return out;
    }
    // The reference (UNIV, studies) and two variants (ADD innovation, CNRST research).
    void load_three() {
        env().load_reference();
        ASSERT_TRUE(env().catalogue->load(variant_procedure("label-test", 1, "ADD", "innovation",
                                                            "عَلامَة المُقاوَلة النّاشِئة", "Label jeune entreprise"),
                                          "label-test/v1.json"));
        ASSERT_TRUE(env().catalogue->load(variant_procedure("research-test", 1, "CNRST", "research",
                                                            "إنجاز مشروع بحث", "Financement d'un projet de recherche"),
                                          "research-test/v1.json"));
    }
};

TEST_P(CatalogueTest, LoadPublishesWithItsFacts) {
    const auto text = reference_procedure();
    auto r = env().catalogue->load(text, "procedures/student-registration/v1.json");
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(r->code, "student-registration");
    EXPECT_EQ(r->version, 1);
    EXPECT_EQ(r->outcome, LoadOutcome::added);
    EXPECT_EQ(env().count("procedures"), 1);

    auto cur = env().catalogue->current("student-registration");
    ASSERT_TRUE(cur.has_value()) << cur.error().detail;
    ASSERT_NE(cur->procedure, nullptr);
    EXPECT_EQ(cur->procedure->version, 1);
    EXPECT_EQ(cur->procedure->administration, "UNIV");
    EXPECT_EQ(cur->sha256.size(), 64u);
    EXPECT_EQ(cur->administration_name_fr, "Université Mohammed V de Rabat");
    EXPECT_EQ(cur->administration_name_ar, "جامعة محمد الخامس بالرباط");
    EXPECT_GT(cur->loaded_at_ms, 0);

    auto unknown = env().catalogue->current("no-such-procedure");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, "resource.not_found");
    EXPECT_EQ(unknown.error().status, 404);
    auto v9 = env().catalogue->version("student-registration", 9);
    ASSERT_FALSE(v9.has_value());
    EXPECT_EQ(v9.error().code, "resource.not_found");
}

TEST_P(CatalogueTest, UnchangedReloadIsANoOp) {
    env().load_reference();
    const auto before = env().catalogue->current("student-registration").value();
    env().clock.advance(std::chrono::minutes(5));
    auto again = env().catalogue->load(reference_procedure(), "elsewhere/v1.json");
    ASSERT_TRUE(again.has_value()) << again.error().detail;
    EXPECT_EQ(again->outcome, LoadOutcome::unchanged);
    EXPECT_EQ(env().count("procedures"), 1);
    const auto after = env().catalogue->current("student-registration").value();
    EXPECT_EQ(after.loaded_at_ms, before.loaded_at_ms);
    EXPECT_EQ(after.sha256, before.sha256);
}

TEST_P(CatalogueTest, ChangedTextUnderTheSameVersionIsRefused) {
    env().load_reference();
    const auto changed = replace_once(reference_procedure(), "\"fr\": \"Gratuit\"", "\"fr\": \"200 dirhams\"");
    auto r = env().catalogue->load(changed, "student-registration/v1.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.version_exists");
    EXPECT_EQ(r.error().status, 409);
    EXPECT_EQ(env().catalogue->current("student-registration")->procedure->cost.fr, "Gratuit");
    EXPECT_EQ(env().count("procedures"), 1);
}

TEST_P(CatalogueTest, NewVersionBecomesCurrentOldStaysReadable) {
    env().load_reference();
    auto v2text = replace_once(reference_procedure(), R"("version": 1,)", R"("version": 2,)");
    v2text = replace_once(v2text, "\"days\": 15", "\"days\": 10");
    auto r = env().catalogue->load(v2text, "student-registration/v2.json");
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(r->version, 2);
    EXPECT_EQ(r->outcome, LoadOutcome::added);

    auto cur = env().catalogue->current("student-registration");
    ASSERT_TRUE(cur.has_value());
    EXPECT_EQ(cur->procedure->version, 2);
    EXPECT_EQ(cur->procedure->deadline_days, 10);
    auto v1 = env().catalogue->version("student-registration", 1);
    ASSERT_TRUE(v1.has_value()) << v1.error().detail;
    EXPECT_EQ(v1->procedure->deadline_days, 15);
    EXPECT_NE(v1->sha256, cur->sha256);

    auto all = env().catalogue->versions("student-registration");
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].procedure->version, 2);
    EXPECT_EQ((*all)[1].procedure->version, 1);
    // The list shows only the current version.
    EXPECT_EQ(codes({}), std::vector<std::string>{"student-registration@2"});
}

TEST_P(CatalogueTest, UnknownAdministrationIsRefused) {
    auto r = env().catalogue->load(variant_procedure("ghost", 1, "GHOST", "other", "إجراء", "Procédure fantôme"),
                                   "ghost/v1.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.unknown_administration");
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(env().count("procedures"), 0);
    // A file that does not parse is refused the same way as parse_procedure refuses it.
    auto bad = env().catalogue->load("{", "broken.json");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, "procedure.invalid");
    EXPECT_EQ(env().count("procedures"), 0);
}

TEST_P(CatalogueTest, ListIsOrderedByFrenchTitle) {
    load_three();
    EXPECT_EQ(codes({}), (std::vector<std::string>{"research-test@1", "student-registration@1", "label-test@1"}));
}

TEST_P(CatalogueTest, SearchIgnoresVowelsHamzaAndAccents) {
    load_three();
    // The title is written with vowels and shadda; the query without.
    EXPECT_EQ(codes({"علامة المقاولة الناشئة", "", ""}), std::vector<std::string>{"label-test@1"});
    // "إنجاز" with hamza below, queried with a bare alef.
    EXPECT_EQ(codes({"انجاز مشروع", "", ""}), std::vector<std::string>{"research-test@1"});
    // "الأولى" queried as "الاولى".
    auto first = codes({"السنة الاولى", "", ""});
    EXPECT_NE(std::find(first.begin(), first.end(), "student-registration@1"), first.end());
    // French without accents or capitals.
    EXPECT_EQ(codes({"FINANCEMENT d'un projet", "", ""}), std::vector<std::string>{"research-test@1"});
    // The administration's names are searched too.
    EXPECT_EQ(codes({"developpement du digital", "", ""}), std::vector<std::string>{"label-test@1"});
    EXPECT_EQ(codes({"محمد الخامس", "", ""}), std::vector<std::string>{"student-registration@1"});
    // Keywords.
    EXPECT_EQ(codes({"nothing-like-this", "", ""}), std::vector<std::string>{});
}

TEST_P(CatalogueTest, FiltersByLifeEventAndAdministration) {
    load_three();
    EXPECT_EQ(codes({"", "innovation", ""}), std::vector<std::string>{"label-test@1"});
    EXPECT_EQ(codes({"", "studies", ""}), std::vector<std::string>{"student-registration@1"});
    EXPECT_EQ(codes({"", "", "CNRST"}), std::vector<std::string>{"research-test@1"});
    EXPECT_EQ(codes({"", "research", "ADD"}), std::vector<std::string>{});
    EXPECT_EQ(codes({"", "family", ""}), std::vector<std::string>{});
    // Free text and a filter together: every procedure mentions the baccalauréat in its summary.
    EXPECT_EQ(codes({"baccalaureat", "", "UNIV"}), std::vector<std::string>{"student-registration@1"});
    EXPECT_EQ(codes({"baccalaureat", "", ""}).size(), 3u);
}

TEST_P(CatalogueTest, LoadDirNamesTheBrokenFile) {
    const fs::path dir = fs::temp_directory_path() / ("idara-procs-" + random::hex_token(6));
    fs::create_directories(dir / "a-good");
    fs::create_directories(dir / "b-broken");
    fs::create_directories(dir / "c-later");
    auto write = [](const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; };
    write(dir / "a-good" / "v1.json", variant_procedure("a-good", 1, "ADD", "business", "أ", "A"));
    write(dir / "a-good" / "notes.txt", "not a procedure");
    write(dir / "procedure.schema.json", "{ this is skipped }");
    write(dir / "b-broken" / "v1.json", replace_once(variant_procedure("b-broken", 1, "ADD", "business", "ب", "B"),
                                                     R"("version": 1,)", R"("version": "one",)"));
    write(dir / "c-later" / "v1.json", variant_procedure("c-later", 1, "ADD", "business", "ج", "C"));
    auto r = env().catalogue->load_dir(dir.string());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.invalid");
    EXPECT_NE(r.error().detail.find("b-broken/v1.json"), std::string::npos) << r.error().detail;
    EXPECT_NE(r.error().detail.find("line 3"), std::string::npos) << r.error().detail;
    // What came before stays published; what came after was not loaded.
    EXPECT_TRUE(env().catalogue->current("a-good").has_value());
    EXPECT_FALSE(env().catalogue->current("c-later").has_value());

    fs::remove_all(dir / "b-broken");
    auto ok = env().catalogue->load_dir(dir.string());
    ASSERT_TRUE(ok.has_value()) << ok.error().detail;
    ASSERT_EQ(ok->size(), 2u);
    EXPECT_EQ((*ok)[0].code, "a-good");
    EXPECT_EQ((*ok)[0].outcome, LoadOutcome::unchanged);
    EXPECT_EQ((*ok)[1].code, "c-later");
    EXPECT_EQ((*ok)[1].outcome, LoadOutcome::added);
    fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogueTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
