// The silence attestation on both backends: each refusal (type, deadline, paused clock,
// answer or decision, anyone but the depositor), the sealed PDF that pdfsig and
// trust::verify_pdf accept with the facts pdftotext reads back, issued once, the counter
// deposit's registry clerk, and the completion date after the missing-documents request.
// The due-date recomputation after a holiday adjustment (processing/due_dates.hpp) too.
// (The LeakSanitizer suppressions for fontconfig/pango live in workflow_test.cpp.)
#include "workflow_fixture.hpp"

#include "core/dates.hpp"
#include "deadline/holiday_store.hpp"
#include "processing/attestation.hpp"
#include "processing/due_dates.hpp"
#include "processing/legal_clock.hpp"
#include "shell.hpp"
#include "storage/db.hpp"
#include "trust/pdf_verify.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace idara;
using namespace idara::processing;
using idara::testing::sample_pdf;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

class AttestationTest : public idara::testing::WorkflowTest {
protected:
    void SetUp() override {
        WorkflowTest::SetUp();
        attest_ = std::make_unique<AttestationService>(*db_, *blobs_, *keys_, clock_);
        dir_ = std::filesystem::temp_directory_path() / ("idara-attest-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        attest_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        WorkflowTest::TearDown();
    }

    // A portal deposit by citizen_ of a type where silence is approval (60 calendar days).
    std::string application() {
        auto d = letter("طلب رخصة");
        d.type_code = "application";
        return svc_->deposit(principal(citizen_), d).value().register_number;
    }
    Result<std::string> attest(std::int64_t who, const std::string& number) {
        return attest_->silence_attestation(principal(who), number, "test");
    }
    std::string error_of(std::int64_t who, const std::string& number) {
        auto r = attest(who, number);
        return r ? std::string("ok") : r.error().code;
    }
    // Past the entry's due date.
    void pass_due(const std::string& number) {
        const auto d = dossier(mef_clerk_, number);
        clock_.advance(std::chrono::milliseconds(d.due_at_ms - clock_.now_ms() + 1000));
    }
    std::int64_t attested_events(const std::string& number) {
        return db_->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                      auto r = tx.query_one(
                          "SELECT COUNT(*) FROM entry_events ev JOIN entries e ON e.id = ev.entry_id "
                          "WHERE e.register_number = $1 AND ev.kind = 'silence_attested'",
                          {number});
                      if (!r) return r.error();
                      return (*r)->as_int(0);
                  })
            .value();
    }
    // The PDF's text with runs of white space made one space.
    std::string text_of(const std::string& pdf) {
        idara::testing::write_file(dir_ / "a.pdf", pdf);
        const std::string raw = idara::testing::run_command("pdftotext -enc UTF-8 " + (dir_ / "a.pdf").string() + " -", true);
        std::string out;
        for (char c : raw) {
            const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
            if (!space) out += c;
            else if (!out.empty() && out.back() != ' ') out += ' ';
        }
        return out;
    }
    std::string fr_date(std::int64_t ms) {
        return i18n::format_date(std::chrono::sys_seconds(std::chrono::seconds(ms / 1000)), i18n::Lang::fr);
    }

    std::unique_ptr<AttestationService> attest_;
    std::filesystem::path dir_;
};

TEST_P(AttestationTest, SilenceMustBeApprovalForTheType) {
    const auto n = deposit();  // a letter: silence is not approval
    clock_.advance(std::chrono::milliseconds(120 * kDay));
    EXPECT_EQ(error_of(citizen_, n), "attestation.not_applicable");
    EXPECT_EQ(attest(citizen_, n).error().status, 409);
    EXPECT_EQ(attested_events(n), 0);
}

TEST_P(AttestationTest, NotBeforeTheDueDate) {
    const auto n = application();
    EXPECT_EQ(error_of(citizen_, n), "attestation.not_due");
    const auto due = dossier(mef_clerk_, n).due_at_ms;
    clock_.advance(std::chrono::milliseconds(due - clock_.now_ms()));  // exactly the due instant
    EXPECT_EQ(error_of(citizen_, n), "attestation.not_due");
    clock_.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(error_of(citizen_, n), "ok");
}

TEST_P(AttestationTest, NotWhileTheClockIsPaused) {
    const auto n = application();
    auto v = route_to_agent(n);
    flow_->request_documents(as(mef_agent_), n, v, "نسخة من البطاقة الوطنية").value();
    clock_.advance(std::chrono::milliseconds(200 * kDay));
    EXPECT_EQ(error_of(citizen_, n), "attestation.not_due");
}

TEST_P(AttestationTest, NotOnceTheAdministrationAnsweredOrDecided) {
    const auto rejected = application();
    flow_->reject(as(mef_clerk_), rejected, version(rejected), "ليس من اختصاص هذه الإدارة").value();
    const auto answered = application();
    route_to_agent(answered);
    // An answer registered through the outgoing register sets answered_at.
    db_->write_tx([&](storage::Tx& tx) -> Status {
           auto r = tx.exec(
               "UPDATE entry_flow SET answered_at = $1 WHERE entry_id = (SELECT id FROM entries WHERE register_number = $2)",
               {clock_.now_ms(), answered});
           if (!r) return r.error();
           return {};
       })
        .value();
    const auto cancelled = application();
    svc_->cancel(principal(mef_clerk_), cancelled, "خطأ في الإيداع").value();
    clock_.advance(std::chrono::milliseconds(100 * kDay));
    EXPECT_EQ(error_of(citizen_, rejected), "attestation.answered");
    EXPECT_EQ(error_of(citizen_, answered), "attestation.answered");
    EXPECT_EQ(error_of(citizen_, cancelled), "attestation.answered");
}

TEST_P(AttestationTest, OnlyTheDepositorGetsIt) {
    const auto n = application();
    pass_due(n);
    for (std::int64_t other : {citizen2_, company_, mef_clerk_, mef_admin_, mef_agent_, men_clerk_})
        EXPECT_EQ(error_of(other, n), "resource.not_found") << other;
    EXPECT_EQ(error_of(citizen_, "MEF-2026-999999"), "resource.not_found");
    EXPECT_EQ(error_of(citizen_, "not a number"), "resource.not_found");
    EXPECT_EQ(attested_events(n), 0);
}

TEST_P(AttestationTest, TheSealedAttestationStatesTheFactsAndIsIssuedOnce) {
    const auto n = application();
    const auto before = dossier(mef_clerk_, n);
    pass_due(n);
    const std::int64_t issued_at = clock_.now_ms();
    auto pdf = attest(citizen_, n);
    ASSERT_TRUE(pdf) << pdf.error().code << " " << pdf.error().detail;
    ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);

    // pdfsig: the PAdES signature is valid and covers the whole file.
    idara::testing::write_file(dir_ / "attestation.pdf", *pdf);
    const std::string sig = idara::testing::run_command("pdfsig " + (dir_ / "attestation.pdf").string());
    EXPECT_NE(sig.find("Signature is Valid"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;
    // In-process, chained to the platform's root.
    auto anchors = db_->read<std::vector<std::string>>([&](storage::Tx& tx) { return keys_->trust_anchors_pem(tx); });
    ASSERT_TRUE(anchors);
    auto report = trust::verify_pdf(*pdf, *anchors);
    ASSERT_TRUE(report);
    ASSERT_EQ(report->signatures.size(), 1u);
    EXPECT_TRUE(report->signatures[0].valid()) << report->signatures[0].chain_error;
    EXPECT_TRUE(report->signatures[0].total_document);

    // The facts, in French (and the Arabic title).
    const std::string text = text_of(*pdf);
    EXPECT_NE(text.find(n), std::string::npos) << text;
    EXPECT_NE(text.find(fr_date(before.registered_at_ms)), std::string::npos) << text;
    EXPECT_NE(text.find(fr_date(before.due_at_ms)), std::string::npos) << text;
    EXPECT_NE(text.find(fr_date(issued_at)), std::string::npos) << text;
    EXPECT_NE(text.find("60 jours calendaires"), std::string::npos) << text;
    EXPECT_NE(text.find("55-19"), std::string::npos) << text;
    EXPECT_NE(text.find("dossier complet dès le dépôt"), std::string::npos) << text;
    EXPECT_NE(text.find("Dossier de demande"), std::string::npos) << text;
    EXPECT_NE(text.find("Ministère de l'Économie et des Finances"), std::string::npos) << text;

    // One event, the entry's version unchanged; the same bytes on a later call, even after a decision.
    EXPECT_EQ(attested_events(n), 1);
    const auto after = dossier(mef_clerk_, n);
    EXPECT_EQ(after.version, before.version);
    EXPECT_EQ(after.timeline.back().kind, "silence_attested");
    EXPECT_EQ(after.timeline.back().version, before.version);
    clock_.advance(std::chrono::milliseconds(kDay));
    flow_->reject(as(mef_clerk_), n, after.version, "قرار متأخر").value();
    auto again = attest(citizen_, n);
    ASSERT_TRUE(again) << again.error().code;
    EXPECT_EQ(*again, *pdf);
    EXPECT_EQ(attested_events(n), 1);
}

TEST_P(AttestationTest, TheCompletionDateCountsAfterTheMissingDocumentsRequest) {
    const auto n = application();
    auto v = route_to_agent(n);
    clock_.advance(std::chrono::milliseconds(10 * kDay));
    v = flow_->request_documents(as(mef_agent_), n, v, "نسخة من البطاقة الوطنية").value();
    clock_.advance(std::chrono::milliseconds(20 * kDay));
    const std::int64_t completed = clock_.now_ms();
    flow_->complete_documents(as(citizen_), n, v, {{"cnie.pdf", sample_pdf()}}, "").value();
    const auto d = dossier(mef_clerk_, n);
    ASSERT_EQ(d.completed_at_ms, completed);
    pass_due(n);
    auto pdf = attest(citizen_, n);
    ASSERT_TRUE(pdf) << pdf.error().code;
    const std::string text = text_of(*pdf);
    EXPECT_NE(text.find(fr_date(completed)), std::string::npos) << text;
    EXPECT_NE(text.find("après la demande de pièces manquantes"), std::string::npos) << text;
    EXPECT_NE(text.find(fr_date(d.due_at_ms)), std::string::npos) << text;
}

TEST_P(AttestationTest, ForACounterDepositTheRegistryOfficeGetsIt) {
    auto d = letter("طلب رخصة");
    d.type_code = "application";
    d.channel = registry::Channel::counter;
    d.depositor_name = "محمد العلوي";
    d.depositor_id_number = "AB123456";
    const auto n = svc_->deposit(principal(mef_clerk_), d).value().register_number;
    pass_due(n);
    EXPECT_EQ(error_of(mef_agent_, n), "resource.not_found");
    EXPECT_EQ(error_of(men_clerk_, n), "resource.not_found");
    EXPECT_EQ(error_of(citizen_, n), "resource.not_found");
    auto by_admin = attest(mef_admin_, n);
    ASSERT_TRUE(by_admin) << by_admin.error().code;
    auto by_clerk = attest(mef_clerk_, n);
    ASSERT_TRUE(by_clerk) << by_clerk.error().code;
    EXPECT_EQ(*by_clerk, *by_admin);
    EXPECT_NE(text_of(*by_clerk).find("محمد العلوي"), std::string::npos);
}

// Stored due dates follow the calendar: a stale value is recomputed, and an adjustment that
// makes the last day of a deadline a holiday moves the due date to the next working day;
// an entry whose clock is paused keeps its value (it gets a new one on completion).
TEST_P(AttestationTest, DueDatesAreRecomputedWhenTheCalendarChanges) {
    deadline::HolidayStore holidays(*db_, clock_);
    const DeadlineRules rules = legal_rules(holidays);
    const auto open = application();
    const auto paused = application();
    flow_->request_documents(as(mef_agent_), paused, route_to_agent(paused), "وثيقة").value();
    db_->write_tx([&](storage::Tx& tx) -> Status {
           for (const char* sql : {"UPDATE entry_flow SET due_at = 1", "UPDATE entries SET due_at = 1"})
               if (auto r = tx.exec(sql); !r) return r.error();
           return {};
       })
        .value();
    auto n = recompute_open_due_dates(*db_, holidays, rules);
    ASSERT_TRUE(n) << n.error().code;
    EXPECT_EQ(*n, 1);
    const auto d = dossier(mef_clerk_, open);
    EXPECT_EQ(d.due_at_ms, rules.due(d.registered_at_ms, 60, false));
    EXPECT_EQ(dossier(mef_clerk_, paused).due_at_ms, 1);
    EXPECT_EQ(recompute_open_due_dates(*db_, holidays, rules).value(), 0);

    // A working day X that an adjustment of a Hijri holiday of 2027 turns into a holiday.
    using namespace std::chrono;
    const auto cal = holidays.calendar();
    std::optional<deadline::Adjustment> adj;
    sys_days x{};
    for (const auto& h : cal->holidays(2027)) {
        if (!h.hijri() || h.day != 1 || adj) continue;
        for (int shift : {1, 2, -1, -2}) {
            auto moved = deadline::HolidayCalendar::create({{h.code, h.hijri_year, shift}}).value();
            for (const auto& m : moved->holidays(2027))
                if (m.code == h.code && m.hijri_year == h.hijri_year && cal->is_working_day(sys_days(m.date)) &&
                    !moved->is_working_day(sys_days(m.date)) && !adj) {
                    adj = deadline::Adjustment{h.code, h.hijri_year, shift};
                    x = sys_days(m.date);
                }
            if (adj) break;
        }
    }
    ASSERT_TRUE(adj);
    // Deposited 60 days before X (10:00 UTC, the same civil day in Casablanca): due at the end of X.
    const std::int64_t deposit_ms = duration_cast<milliseconds>((x - days(60)).time_since_epoch()).count() + 10 * 3600 * 1000;
    ASSERT_GT(deposit_ms, clock_.now_ms());
    clock_.advance(milliseconds(deposit_ms - clock_.now_ms()));
    const auto later = application();
    // The fixture's registry counts without holidays: first bring it onto the legal calendar.
    EXPECT_EQ(recompute_open_due_dates(*db_, holidays, rules).value(), 1);
    const auto before = dossier(mef_clerk_, later).due_at_ms;
    EXPECT_EQ(i18n::casablanca_date_iso(before), i18n::casablanca_date_iso(
        duration_cast<milliseconds>(x.time_since_epoch()).count() + 12 * 3600 * 1000));
    holidays.set(*adj, std::nullopt).value();
    auto changed = recompute_open_due_dates(*db_, holidays, rules);
    ASSERT_TRUE(changed) << changed.error().code;
    EXPECT_EQ(*changed, 1);  // only the entry whose deadline ends on X
    const auto after = dossier(mef_clerk_, later);
    EXPECT_GT(after.due_at_ms, before);
    EXPECT_EQ(after.due_at_ms, rules.due(after.registered_at_ms, 60, false));
    EXPECT_EQ(dossier(mef_clerk_, paused).due_at_ms, 1);
    // Clearing it brings the date back.
    holidays.clear(adj->code, adj->hijri_year).value();
    EXPECT_EQ(recompute_open_due_dates(*db_, holidays, rules).value(), 1);
    EXPECT_EQ(dossier(mef_clerk_, later).due_at_ms, before);
}

INSTANTIATE_TEST_SUITE_P(Backends, AttestationTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
