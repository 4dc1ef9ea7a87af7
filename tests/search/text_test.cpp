// Full-text matching on both backends: Arabic spellings (vowels, hamza, alef maqsura, ta
// marbuta), French accents and case, prefixes, query syntax kept out of the index language.
// Sentences from ../shared/context/ (the Digital Morocco documents).
#include "search_fixture.hpp"

using namespace idara;
using namespace idara::testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

// 000_ca20a1ab24a35238.txt, line 53 (fully vowelled in the source).
const char* kVowelled =
    "بَوَابَة مَكْتَب الضَبْطِ الرَّقْمِي: عِبَارَة عَنْ مَنَصَة رَقْمِيَّة تُمَكِنُ الْإِدَارَاتِ وَالْمُؤَسَسَاتِ "
    "الْعُمُومِيَّة مِنْ إِحْدَاثِ بَوَابَة";
// 000_ca20a1ab24a35238.txt, line 21 (plain, with hamza forms and alef maqsura).
const char* kPlain =
    "تجدر الإشارة إلى أن خارطة طريق الوكالة تتمحور حول 15 ورشا منبثقا من المحاور الأساسية للاستراتيجية المغرب الرقمي";
// 000_ca20a1ab24a35238.txt, line 54 (vowelled, kasra on a plain alef).
const char* kWindow = "الشُّبَاك الْاِلِكْتْرُونِي لِلْمُرَاسَلاَتِ: يَسْمَحُ بِرَقْمَنَةِ عَمَلِيَّةِ مُعَالَجَةِ الْمُرَاسَلاَتِ";

class TextTest : public SearchTest {
protected:
    void SetUp() override {
        SearchTest::SetUp();
        vowelled_ = add({.subject = "مبادرات رقمية", .body = kVowelled});
        plain_ = add({.subject = "خارطة الطريق", .body = kPlain});
        window_ = add({.subject = "الشباك الإلكتروني للمراسلات", .body = kWindow});
        french_ = add({.subject = "Réclamation : ÉLECTRICITÉ du bâtiment administratif",
                       .body = "Le Ministère de l'Économie n'a pas répondu à ma demande d'attestation.",
                       .depositor = "Société Atlas Numérique"});
    }
    std::int64_t vowelled_ = 0, plain_ = 0, window_ = 0, french_ = 0;
};

TEST_P(TextTest, PlainQueryFindsVowelledText) {
    EXPECT_THAT(ids("بوابة مكتب الضبط الرقمي"), ElementsAre(vowelled_));
    EXPECT_THAT(ids("الادارات العموميه"), ElementsAre(vowelled_));
}

TEST_P(TextTest, VowelledQueryFindsPlainText) {
    EXPECT_THAT(ids("خَارِطَةُ طَرِيقِ الْوَكَالَة"), ElementsAre(plain_));
    EXPECT_THAT(ids("الشَّبَّاكُ"), ElementsAre(window_)) << "shadda is a mark, not a letter";
    EXPECT_THAT(ids("الشُّبَاك"), ElementsAre(window_));
}

TEST_P(TextTest, HamzaAlefVariantsMatch) {
    EXPECT_THAT(ids("الاشارة"), ElementsAre(plain_));   // text: الإشارة
    EXPECT_THAT(ids("الأساسيه"), ElementsAre(plain_));  // text: الأساسية
    EXPECT_THAT(ids("الإلكتروني"), ElementsAre(window_));  // text: الْاِلِكْتْرُونِي and الإلكتروني
    EXPECT_THAT(ids("الالكتروني"), ElementsAre(window_));
}

TEST_P(TextTest, AlefMaqsuraAndYaMatch) {
    EXPECT_THAT(ids("الي"), ElementsAre(plain_));  // text: إلى
    EXPECT_THAT(ids("إلى"), ElementsAre(plain_));
    EXPECT_THAT(ids("الى"), ElementsAre(plain_));
}

TEST_P(TextTest, TaMarbutaAndHaMatch) {
    EXPECT_THAT(ids("خارطه"), ElementsAre(plain_));
    EXPECT_THAT(ids("بوابه رقميه"), ElementsAre(vowelled_));
    EXPECT_THAT(ids("مَنَصَّة"), ElementsAre(vowelled_));
}

TEST_P(TextTest, FrenchAccentsAndCase) {
    EXPECT_THAT(ids("electricite"), ElementsAre(french_));
    EXPECT_THAT(ids("ÉLECTRICITÉ BÂTIMENT"), ElementsAre(french_));
    EXPECT_THAT(ids("économie"), ElementsAre(french_));
    EXPECT_THAT(ids("societe atlas"), ElementsAre(french_)) << "the depositor name is indexed";
    EXPECT_THAT(ids("attestation electricite absente"), IsEmpty()) << "every word must match";
}

TEST_P(TextTest, LastWordIsAPrefix) {
    EXPECT_THAT(ids("electri"), ElementsAre(french_));
    EXPECT_THAT(ids("منبث"), ElementsAre(plain_));
    EXPECT_THAT(ids("الرقم"), ElementsAre(vowelled_, plain_));
    EXPECT_THAT(ids("ب"), IsEmpty()) << "a one-letter word is matched whole, not as a prefix";
}

TEST_P(TextTest, RegisterNumberIsSearchable) {
    EXPECT_THAT(ids(register_number(french_)), ElementsAre(french_));
}

TEST_P(TextTest, QuerySyntaxIsHarmless) {
    for (const char* q : {"\"electricite", "electricite\"", "electri*", "NEAR(electricite batiment)",
                          "-electricite", "doc:electricite", "(electricite) AND (batiment", "electricite OR",
                          "^electricite", "electricite + batiment", "{doc}: electricite", "'electricite'"}) {
        auto p = search::search(*db_, {.text = q}, mef_admin());
        ASSERT_TRUE(p) << q << ": " << p.error().code;
        for (const auto& r : p->rows) EXPECT_EQ(r.entry_id, french_) << q;
    }
    EXPECT_THAT(ids("NEAR"), IsEmpty());
    EXPECT_THAT(ids("AND"), IsEmpty());
}

TEST_P(TextTest, UnsearchableOrLongQueriesAreRefused) {
    for (const char* q : {"\"*()", "-- : ^", "؟،!"}) {
        auto p = search::search(*db_, {.text = q}, mef_admin());
        ASSERT_FALSE(p) << q;
        EXPECT_EQ(p.error().code, "search.query");
        EXPECT_EQ(p.error().status, 400);
    }
    auto long_query = search::search(*db_, {.text = std::string(201, 'a')}, mef_admin());
    ASSERT_FALSE(long_query);
    EXPECT_EQ(long_query.error().code, "search.query");
    std::string arabic;
    for (int i = 0; i < 200; ++i) arabic += "ب";  // 200 characters, 400 bytes: allowed
    EXPECT_TRUE(search::search(*db_, {.text = arabic}, mef_admin()));
}

TEST_P(TextTest, ReindexingReplacesTheDocument) {
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        if (auto u = tx.exec("UPDATE entries SET subject = 'Demande de bourse' WHERE id = $1", {french_}); !u)
            return u.error();
        return search::index_entry(tx, french_, {"Attestation de scolarité jointe"});
    });
    ASSERT_TRUE(s);
    EXPECT_THAT(ids("electricite"), IsEmpty()) << "the old subject is gone from the index";
    EXPECT_THAT(ids("bourse scolarite"), ElementsAre(french_)) << "new subject and extra text";
    EXPECT_THAT(ids("attestation"), ElementsAre(french_)) << "the body is still there";
}

TEST_P(TextTest, SnippetShowsTheMatch) {
    auto p = find({.text = "attestation"}, mef_admin());
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_NE(p.rows[0].snippet.find("attestation"), std::string::npos) << p.rows[0].snippet;
    EXPECT_EQ(p.rows[0].register_number, register_number(french_));
}

TEST_P(TextTest, ReindexMissingFillsEntriesWithoutADocument) {
    auto wiped = db_->write_tx([&](storage::Tx& tx) -> Status {
        auto d = tx.exec(tx.backend() == storage::Backend::sqlite ? "DELETE FROM entry_search WHERE rowid = $1"
                                                                  : "DELETE FROM entry_search WHERE entry_id = $1",
                         {plain_});
        if (!d) return d.error();
        return {};
    });
    ASSERT_TRUE(wiped);
    EXPECT_THAT(ids("خارطة"), IsEmpty());
    auto blobs = storage::make_db_blob_store();
    auto n = search::reindex_missing(*db_, *blobs);
    ASSERT_TRUE(n) << n.error().detail;
    EXPECT_EQ(*n, 1);
    EXPECT_THAT(ids("خارطة"), ElementsAre(plain_));
    EXPECT_EQ(search::reindex_missing(*db_, *blobs).value(), 0);
}

TEST_P(TextTest, UnknownEntryCannotBeIndexed) {
    auto s = db_->write_tx([&](storage::Tx& tx) { return search::index_entry(tx, 987654); });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "resource.not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, TextTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
