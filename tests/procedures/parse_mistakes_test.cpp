// Procedure files that do not parse: for each kind of mistake, procedure.invalid (400) whose
// detail names the file, the right line and the reason.
#include "portal_fixture.hpp"
#include "procedures/procedure.hpp"
#include "refusal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace idara::procedures {
namespace {

using testing::line_of;
using testing::refused;

// The reference file with the first occurrence of `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to, std::string text = testing::reference_procedure()) {
    const auto at = text.find(from);
    if (at == std::string::npos) {
        ADD_FAILURE() << "not in the reference file: " << from;
        return text;
    }
    return text.replace(at, from.size(), to);
}

TEST(ProcedureMistakes, JsonSyntaxError) {
    const auto t = with(R"("fr": "Gratuit"})", R"("fr": Gratuit})");
    EXPECT_TRUE(refused(t, line_of(t, "Gratuit}"), "not valid JSON"));
    // A truncated file.
    const auto cut = testing::reference_procedure().substr(0, 200);
    auto r = parse_procedure(cut, "bad.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.invalid");
    EXPECT_NE(r.error().detail.find("not valid JSON"), std::string::npos) << r.error().detail;
    // Not an object at all.
    r = parse_procedure("[]", "bad.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.invalid");
    EXPECT_NE(r.error().detail.find("line 1,"), std::string::npos) << r.error().detail;
}

TEST(ProcedureMistakes, MissingRequiredKey) {
    // A field without its "error" text: reported at the field's object.
    const std::string err = R"(,
      "error": {"ar": "أدخل رقم هاتف مغربي من 10 أرقام يبدأ بـ 05 أو 06 أو 07", "fr": "Saisissez un numéro marocain de 10 chiffres commençant par 05, 06 ou 07"})";
    const auto t = with(err, "");
    EXPECT_TRUE(refused(t, line_of(t, R"("phone": {)"), "error"));
    EXPECT_TRUE(refused(t, line_of(t, R"("phone": {)"), "/fields/phone"));
    // The document without "receipt": reported at the document (line 1).
    auto no_receipt = testing::reference_procedure();
    const auto at = no_receipt.find(",\n  \"receipt\"");
    ASSERT_NE(at, std::string::npos);
    no_receipt = no_receipt.substr(0, at) + "\n}\n";
    EXPECT_TRUE(refused(no_receipt, 1, "receipt"));
}

TEST(ProcedureMistakes, WrongType) {
    auto t = with(R"("version": 1,)", R"("version": "1",)");
    EXPECT_TRUE(refused(t, 3, "/version"));
    t = with(R"("working_days": true)", R"("working_days": "yes")");
    EXPECT_TRUE(refused(t, line_of(t, "\"yes\""), "/deadline/working_days"));
    t = with(R"("required": true})", R"("required": 1})");
    EXPECT_TRUE(refused(t, line_of(t, "\"required\": 1"), "/documents/1/required"));
}

TEST(ProcedureMistakes, BadCodePattern) {
    auto t = with(R"("code": "student-registration")", R"("code": "Student_Registration")");
    EXPECT_TRUE(refused(t, 2, "/code"));
    t = with(R"("administration": "UNIV")", R"("administration": "univ")");
    EXPECT_TRUE(refused(t, line_of(t, "\"univ\""), "/administration"));
    t = with(R"({"id": "contact")", R"({"id": "Contact Info")");
    EXPECT_TRUE(refused(t, line_of(t, "Contact Info"), "/steps/3/id"));
}

TEST(ProcedureMistakes, StepNamingUnknownField) {
    const auto t = with(R"("fields": ["programme"])", R"("fields": ["programme", "cin"])");
    EXPECT_TRUE(refused(t, line_of(t, "\"cin\""), "unknown field \"cin\""));
    EXPECT_TRUE(refused(t, line_of(t, "\"cin\""), "/steps/2/fields/1"));
    // A field filled by a lookup cannot be asked.
    const auto t2 = with(R"("fields": ["programme"])", R"("fields": ["programme", "bac_year"])");
    EXPECT_TRUE(refused(t2, line_of(t2, "\"programme\", \"bac_year\""), "cannot be asked"));
}

TEST(ProcedureMistakes, FromNamingUnknownLookup) {
    const auto t = with(R"("error": {"ar": "سنة غير صالحة", "fr": "Année non valide"}, "from": "bac")",
                        R"("error": {"ar": "سنة غير صالحة", "fr": "Année non valide"}, "from": "massar")");
    EXPECT_TRUE(refused(t, line_of(t, "\"massar\""), "unknown lookup \"massar\""));
    EXPECT_TRUE(refused(t, line_of(t, "\"massar\""), "/fields/bac_year/from"));
    // A document fetched by an unknown lookup.
    const auto d = with(R"("fetched_by": "bac")", R"("fetched_by": "men")");
    EXPECT_TRUE(refused(d, line_of(d, "\"men\""), "unknown lookup \"men\""));
    // A step followed by an unknown lookup.
    const auto s = with(R"("lookup": "bac")", R"("lookup": "bacc")");
    EXPECT_TRUE(refused(s, line_of(s, "\"bacc\""), "unknown lookup \"bacc\""));
}

TEST(ProcedureMistakes, PathPlaceholderNotAskedEarlier) {
    // "phone" is asked in the last step, after the lookup's page.
    auto t = with(R"("path": "/results/{student_number}")", R"("path": "/results/{phone}")");
    EXPECT_TRUE(refused(t, line_of(t, "/results/{phone}"), "\"{phone}\" must be a field asked at or before step \"student\""));
    // Not a field at all.
    t = with(R"("path": "/results/{student_number}")", R"("path": "/results/{massar}")");
    EXPECT_TRUE(refused(t, line_of(t, "/results/{massar}"), "{massar}"));
    // Of the account's data, only {account.national_id} may fill a path.
    t = with(R"("path": "/results/{student_number}")", R"("path": "/results/{account.email}")");
    EXPECT_TRUE(refused(t, line_of(t, "/results/{account.email}"), "{account.email}"));
}

TEST(ProcedureMistakes, OptionNotInSchemaEnum) {
    const auto t = with(R"({"value": "fsjes")", R"({"value": "ensam")");
    EXPECT_TRUE(refused(t, line_of(t, "\"ensam\""), "option \"ensam\" is not in the form schema's enum"));
    EXPECT_TRUE(refused(t, line_of(t, "\"ensam\""), "/fields/faculty/options/1/value"));
}

TEST(ProcedureMistakes, InvalidFormSchema) {
    // A type JSON Schema does not know: the form schema is not usable.
    const auto t = with(R"("programme": {"type": "string", "minLength": 2)",
                        R"("programme": {"type": "strnig", "minLength": 2)");
    EXPECT_TRUE(refused(t, line_of(t, "\"form\": {"), "/form"));
}

// A pattern that is not a regular expression would fail every answer: refused at load.
TEST(ProcedureMistakes, FormPatternMustCompile) {
    const auto re = with(R"("pattern": "^0[567][0-9]{8}$")", R"("pattern": "^0[567][0-9]{8$(")");
    EXPECT_TRUE(refused(re, line_of(re, "\"form\": {"), "/form"));
}

TEST(ProcedureMistakes, FormPropertyWithoutField) {
    const auto t2 = with(R"("phone": {"type": "string", "pattern")", R"("fax": {"type": "string"}, "phone": {"type": "string", "pattern")");
    EXPECT_TRUE(refused(t2, line_of(t2, "\"fax\""), "no field in \"fields\" describes \"fax\""));
}

TEST(ProcedureMistakes, FormMustBeAnObjectSchema) {
    const auto t3 = with(R"("form": {
    "type": "object")", R"("form": {
    "type": "array")");
    EXPECT_TRUE(refused(t3, line_of(t3, "\"array\""), "/form/type"));
}

TEST(ProcedureMistakes, BadDate) {
    const std::string deadline = R"("deadline": {"days": 15, "working_days": true, "silence": "approval"},)";
    // Not a real date (February 30th).
    auto t = with(deadline, deadline + "\n  \"window\": {\"opens_on\": \"2026-02-30\", \"closes_on\": \"2026-03-31\"},");
    EXPECT_TRUE(refused(t, line_of(t, "2026-02-30"), "/window/opens_on: not a real date"));
    // Not the YYYY-MM-DD form.
    t = with(deadline, deadline + "\n  \"window\": {\"opens_on\": \"2026-09-01\",\n    \"closes_on\": \"31/12/2026\"},");
    EXPECT_TRUE(refused(t, line_of(t, "31/12/2026"), "/window/closes_on"));
    // Closing before opening.
    t = with(deadline, deadline + "\n  \"window\": {\"opens_on\": \"2026-09-01\",\n    \"closes_on\": \"2026-08-31\"},");
    EXPECT_TRUE(refused(t, line_of(t, "2026-08-31"), "closes before it opens"));
    // A valid window parses.
    t = with(deadline, deadline + "\n  \"window\": {\"opens_on\": \"2026-09-01\", \"closes_on\": \"2026-09-30\"},");
    auto ok = parse_procedure(t);
    ASSERT_TRUE(ok.has_value()) << ok.error().detail;
    ASSERT_TRUE(ok->window.has_value());
    EXPECT_EQ(ok->window->closes_on, "2026-09-30");
}

TEST(ProcedureMistakes, LifeEventNotInList) {
    const auto t = with(R"("life_events": ["studies"])", R"("life_events": ["studies", "holidays"])");
    EXPECT_TRUE(refused(t, line_of(t, "\"holidays\""), "/life_events/1"));
}

TEST(ProcedureMistakes, ReceiptPlaceholderNotAField) {
    const auto t = with("— {student_number}\", \"fr\"", "— {cne}\", \"fr\"");
    EXPECT_TRUE(refused(t, line_of(t, "{cne}"), "\"{cne}\" is not a field"));
}

}  // namespace
}  // namespace idara::procedures
