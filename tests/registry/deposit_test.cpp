// The registry office's deposit on both backends: each channel, validation errors that
// store nothing, visibility, tracking, cancellation, idempotency and gap-free numbers
// under concurrency.
#include "deposit_fixture.hpp"

#include "core/random.hpp"
#include "registry/numbering.hpp"
#include "trust/pdf_verify.hpp"
#include "trust/qr.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

using namespace idara;
using namespace idara::registry;
using idara::testing::DepositTest;
using idara::testing::sample_pdf;

namespace {

// Nothing of a registration may remain after a failure.
#define EXPECT_NOTHING_STORED()                                  \
    do {                                                         \
        EXPECT_EQ(count("entries"), 0);                          \
        EXPECT_EQ(count("entry_attachments"), 0);                \
        EXPECT_EQ(count("entry_events"), 0);                     \
        EXPECT_EQ(count("blobs"), 0);                            \
        EXPECT_EQ(count("idempotency_keys"), 0);                 \
        EXPECT_EQ(count("register_counters"), 0);                \
        EXPECT_EQ(blob_files(), 0u);                             \
    } while (0)

TEST_P(DepositTest, ACitizenDepositsThroughThePortalAndGetsASealedReceipt) {
    auto r = svc_->deposit(principal(citizen_), letter());
    ASSERT_TRUE(r) << r.error().code << " " << r.error().detail;
    const int year = casablanca_year(clock_.now());
    EXPECT_EQ(r->register_number, "MEF-" + std::to_string(year) + "-000001");
    EXPECT_EQ(r->registered_at_ms, clock_.now_ms());
    EXPECT_EQ(r->tracking_code.size(), 9u);
    EXPECT_EQ(r->tracking_code[4], '-');
    EXPECT_EQ(r->receipt_digest.size(), 64u);
    EXPECT_FALSE(r->replayed);

    auto e = svc_->get(principal(citizen_), r->register_number);
    ASSERT_TRUE(e) << e.error().code;
    EXPECT_EQ(e->channel, Channel::portal);
    EXPECT_EQ(e->unit_code, "BO");  // the registry office by default
    EXPECT_EQ(e->subject, "طلب شهادة إدارية");
    EXPECT_EQ(e->type_name_fr, "Lettre");
    EXPECT_EQ(e->due_at_ms, r->registered_at_ms + 60LL * 24 * 3600 * 1000);
    ASSERT_EQ(e->attachments.size(), 1u);
    EXPECT_EQ(e->attachments[0].media_type, "application/pdf");
    EXPECT_EQ(e->attachments[0].sha256, idara::random::sha256_hex(sample_pdf()));
    ASSERT_EQ(e->events.size(), 1u);
    EXPECT_EQ(e->events[0].kind, "registered");
    EXPECT_EQ(e->receipt_digest, r->receipt_digest);

    auto pdf = svc_->receipt_pdf(principal(citizen_), r->register_number);
    ASSERT_TRUE(pdf);
    EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
    EXPECT_EQ(idara::random::sha256_hex(*pdf), r->receipt_sha256);
    EXPECT_NE(pdf->find("/ETSI.CAdES.detached"), std::string::npos);
    EXPECT_EQ(count("entries"), 1);
}

TEST_P(DepositTest, ACompanyDepositsAComplaintToAUnitItNames) {
    auto d = letter("Réclamation sur un marché public");
    d.type_code = "complaint";
    d.unit_code = "DB";
    d.files.clear();
    auto r = svc_->deposit(principal(company_), d);
    ASSERT_TRUE(r) << r.error().code;
    auto e = svc_->get(principal(company_), r->register_number).value();
    EXPECT_EQ(e.unit_code, "DB");
    EXPECT_EQ(e.type_code, "complaint");
    EXPECT_EQ(e.depositor_name, "Atlas Numérique SARL");
    EXPECT_TRUE(e.attachments.empty());
}

TEST_P(DepositTest, AnAdministrationDepositsToAnotherOne) {
    auto d = letter("Transmission d'un dossier");
    d.channel = Channel::administration;
    auto r = svc_->deposit(principal(men_agent_), d);
    ASSERT_TRUE(r) << r.error().code;
    auto e = svc_->get(principal(mef_clerk_), r->register_number).value();
    EXPECT_EQ(e.channel, Channel::administration);
    EXPECT_EQ(e.depositor_administration_code, "MEN");
    EXPECT_NE(e.depositor_name.find("Ministère de l'Éducation nationale"), std::string::npos);
    // The sending administration's staff see it too; a third party does not.
    EXPECT_TRUE(svc_->get(principal(men_clerk_), r->register_number));
    EXPECT_EQ(svc_->get(principal(citizen_), r->register_number).error().status, 404);
    // Staff do not deposit to their own administration through this channel.
    d.administration_code = "MEN";
    EXPECT_EQ(svc_->deposit(principal(men_agent_), d).error().code, "deposit.channel_forbidden");
}

TEST_P(DepositTest, ARegistryClerkRegistersPaperMailAtTheCounter) {
    auto d = letter("Courrier papier");
    d.channel = Channel::counter;
    d.depositor_name = "  Hassan Ouali  ";
    d.depositor_id_number = "BK123456";
    auto r = svc_->deposit(principal(mef_clerk_), d);
    ASSERT_TRUE(r) << r.error().code;
    auto e = svc_->get(principal(mef_agent_), r->register_number).value();
    EXPECT_EQ(e.channel, Channel::counter);
    EXPECT_EQ(e.depositor_name, "Hassan Ouali");
    // The walk-in person has no account here; the clerk's own "my deposits" stays empty.
    EXPECT_TRUE(svc_->list_mine(principal(mef_clerk_)).value().empty());
    EXPECT_EQ(svc_->list_register(principal(mef_clerk_)).value().size(), 1u);
}

TEST_P(DepositTest, TheCounterIsOnlyForTheReceivingAdministrationsClerks) {
    auto d = letter();
    d.channel = Channel::counter;
    d.depositor_name = "Hassan Ouali";
    d.depositor_id_number = "BK123456";
    EXPECT_EQ(svc_->deposit(principal(mef_agent_), d).error().code, "deposit.channel_forbidden");
    EXPECT_EQ(svc_->deposit(principal(men_clerk_), d).error().code, "deposit.channel_forbidden");
    EXPECT_EQ(svc_->deposit(principal(citizen_), d).error().code, "deposit.channel_forbidden");
    auto p = letter();
    EXPECT_EQ(svc_->deposit(principal(mef_clerk_), p).error().code, "deposit.channel_forbidden");  // portal is for the public
    EXPECT_NOTHING_STORED();
}

TEST_P(DepositTest, EachInvalidFieldHasItsOwnErrorAndStoresNothing) {
    struct Case {
        const char* code;
        int status;
        std::function<void(NewDeposit&)> change;
    };
    const std::vector<Case> cases = {
        {"deposit.subject", 400, [](NewDeposit& d) { d.subject = "   "; }},
        {"deposit.subject", 400, [](NewDeposit& d) { d.subject = std::string(301, 'x'); }},
        {"deposit.subject", 400, [](NewDeposit& d) { d.subject = "a\x01" "b"; }},
        {"deposit.subject", 400, [](NewDeposit& d) { d.subject = "\xC3\x28"; }},
        {"deposit.body", 400, [](NewDeposit& d) { d.body = std::string(20001, 'x'); }},
        {"deposit.unknown_administration", 400, [](NewDeposit& d) { d.administration_code = "XYZ"; }},
        {"deposit.unknown_administration", 400, [](NewDeposit& d) { d.administration_code.clear(); }},
        {"deposit.unknown_type", 400, [](NewDeposit& d) { d.type_code = "poem"; }},
        {"deposit.unknown_type", 400, [](NewDeposit& d) { d.type_code.clear(); }},
        {"deposit.unknown_unit", 400, [](NewDeposit& d) { d.unit_code = "NOPE"; }},
        {"deposit.idempotency_key", 400, [](NewDeposit& d) { d.idempotency_key = "has space"; }},
        {"deposit.too_many_files", 413,
         [](NewDeposit& d) {
             for (int i = 0; i < 3; ++i) d.files.push_back({"p" + std::to_string(i) + ".pdf", sample_pdf(1, "p" + std::to_string(i))});
         }},
        {"deposit.attachment_type", 415, [](NewDeposit& d) { d.files = {{"lettre.pdf", "just some text, not a PDF"}}; }},
        {"deposit.attachment_corrupt", 422,
         [](NewDeposit& d) { d.files = {{"cassé.pdf", sample_pdf().substr(0, 120)}}; }},
        {"deposit.attachment_too_large", 413,
         [](NewDeposit& d) { d.files = {{"grand.pdf", sample_pdf(1, std::string(70 * 1024, 'x'))}}; }},
    };
    for (const auto& c : cases) {
        auto d = letter();
        c.change(d);
        auto r = svc_->deposit(principal(citizen_), d);
        ASSERT_FALSE(r) << c.code;
        EXPECT_EQ(r.error().code, c.code);
        EXPECT_EQ(r.error().status, c.status) << c.code;
        // Every code has a message in both languages.
        for (auto l : {i18n::Lang::ar, i18n::Lang::fr})
            EXPECT_TRUE(i18n::catalogue().has(l, "error." + r.error().code)) << r.error().code;
    }
    EXPECT_NOTHING_STORED();
    auto counter = letter();
    counter.channel = Channel::counter;
    EXPECT_EQ(svc_->deposit(principal(mef_clerk_), counter).error().code, "deposit.depositor_name");
    counter.depositor_name = "Hassan";
    counter.depositor_id_number = "12";
    EXPECT_EQ(svc_->deposit(principal(mef_clerk_), counter).error().code, "deposit.depositor_id_number");
    EXPECT_NOTHING_STORED();
}

TEST_P(DepositTest, AFailureAtAnyStepLeavesNoEntryNoReceiptAndNoGap) {
    for (Step failing : {Step::numbered, Step::files_stored, Step::receipt_rendered, Step::receipt_sealed,
                         Step::receipt_stored, Step::entry_inserted}) {
        svc_->set_fault_hook([failing](Step s) -> Status {
            if (s == failing) return Error{"test.injected", 500, "injected"};
            return {};
        });
        auto r = svc_->deposit(principal(citizen_), letter());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "test.injected");
        EXPECT_EQ(count("entries"), 0);
        EXPECT_EQ(count("blobs"), 0);
        EXPECT_EQ(blob_files(), 0u);
        // An exception thrown there rolls back just the same.
        svc_->set_fault_hook([failing](Step s) -> Status {
            if (s == failing) throw std::runtime_error("crash");
            return {};
        });
        EXPECT_FALSE(svc_->deposit(principal(citizen_), letter()));
        EXPECT_EQ(count("entries"), 0);
        EXPECT_EQ(count("blobs"), 0);
    }
    svc_->set_fault_hook({});
    auto r = svc_->deposit(principal(citizen_), letter());
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->register_number.ends_with("-000001")) << r->register_number;  // no number was consumed
}

TEST_P(DepositTest, OnlyTheDepositorAndTheAdministrationsSeeAnEntry) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    EXPECT_TRUE(svc_->get(principal(citizen_), r.register_number));
    EXPECT_TRUE(svc_->get(principal(mef_agent_), r.register_number));
    EXPECT_TRUE(svc_->receipt_pdf(principal(mef_clerk_), r.register_number));
    for (auto who : {citizen2_, company_, men_clerk_, men_agent_}) {
        EXPECT_EQ(svc_->get(principal(who), r.register_number).error().code, "resource.not_found");
        EXPECT_EQ(svc_->receipt_pdf(principal(who), r.register_number).error().code, "resource.not_found");
    }
    EXPECT_EQ(svc_->get(principal(citizen_), "MEF-2026-999999").error().code, "resource.not_found");
    EXPECT_EQ(svc_->get(principal(citizen_), "not a number").error().code, "resource.not_found");
    EXPECT_EQ(svc_->list_mine(principal(citizen_)).value().size(), 1u);
    EXPECT_TRUE(svc_->list_mine(principal(citizen2_)).value().empty());
    EXPECT_TRUE(svc_->list_register(principal(men_clerk_)).value().empty());
    EXPECT_EQ(svc_->list_register(principal(citizen_)).error().status, 403);
}

TEST_P(DepositTest, TrackingNeedsTheRightCodeAndTellsNothingOtherwise) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    auto t = svc_->track(r.register_number, r.tracking_code);
    ASSERT_TRUE(t) << t.error().code;
    EXPECT_EQ(t->register_number, r.register_number);
    EXPECT_EQ(t->status, EntryStatus::registered);
    ASSERT_EQ(t->events.size(), 1u);
    EXPECT_EQ(t->events[0].kind, "registered");
    // Typed loosely: lower case, without the hyphen.
    std::string loose;
    for (char c : r.tracking_code)
        if (c != '-') loose += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(svc_->track(r.register_number, loose));
    std::string wrong = r.tracking_code;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    const auto a = svc_->track(r.register_number, wrong);
    const auto b = svc_->track("MEF-2026-999999", r.tracking_code);
    const auto c = svc_->track("garbage", "");
    ASSERT_FALSE(a);
    ASSERT_FALSE(b);
    ASSERT_FALSE(c);
    EXPECT_EQ(a.error().code, b.error().code);
    EXPECT_EQ(a.error().status, 404);
    EXPECT_EQ(b.error().status, 404);
    EXPECT_EQ(c.error().status, 404);
}

TEST_P(DepositTest, GuessingTrackingCodesIsThrottled) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    // Ten wrong codes for one number from one address: then even the right code waits.
    for (int i = 0; i < 10; ++i) EXPECT_EQ(svc_->track(r.register_number, "AAAA-AAA" + std::to_string(i % 8 + 2), "10.0.0.1").error().status, 404);
    EXPECT_EQ(svc_->track(r.register_number, r.tracking_code, "10.0.0.2").error().code, "auth.rate_limited");
    // Thirty misses from one address over many numbers: that address waits, others do not.
    auto other = svc_->deposit(principal(citizen_), letter("Autre")).value();
    for (int i = 0; i < 30; ++i) (void)svc_->track("MEF-2026-" + std::to_string(100000 + i), "AAAA-AAAA", "10.0.0.3");
    EXPECT_EQ(svc_->track(other.register_number, other.tracking_code, "10.0.0.3").error().code, "auth.rate_limited");
    EXPECT_TRUE(svc_->track(other.register_number, other.tracking_code, "10.0.0.4"));
    // The window passes.
    clock_.advance(std::chrono::minutes(16));
    EXPECT_TRUE(svc_->track(r.register_number, r.tracking_code, "10.0.0.1"));
}

TEST_P(DepositTest, ACancelledEntryStaysInTheRegisterWithItsReason) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    EXPECT_EQ(svc_->cancel(principal(mef_agent_), r.register_number, "doublon").error().status, 403);
    EXPECT_EQ(svc_->cancel(principal(men_clerk_), r.register_number, "doublon").error().status, 404);
    EXPECT_EQ(svc_->cancel(principal(mef_clerk_), r.register_number, "").error().code, "entry.cancel_reason");
    ASSERT_TRUE(svc_->cancel(principal(mef_clerk_), r.register_number, "Dépôt en double"));
    EXPECT_EQ(svc_->cancel(principal(mef_admin_), r.register_number, "encore").error().code, "entry.already_cancelled");
    auto e = svc_->get(principal(citizen_), r.register_number).value();
    EXPECT_EQ(e.status, EntryStatus::cancelled);
    EXPECT_EQ(e.cancel_reason, "Dépôt en double");
    ASSERT_EQ(e.events.size(), 2u);
    EXPECT_EQ(e.events[1].kind, "cancelled");
    EXPECT_EQ(svc_->track(r.register_number, r.tracking_code)->status, EntryStatus::cancelled);
    // The number is never reused: the next deposit takes the next one.
    auto next = svc_->deposit(principal(citizen_), letter()).value();
    EXPECT_TRUE(next.register_number.ends_with("-000002"));
    EXPECT_EQ(count("entries"), 2);
}

TEST_P(DepositTest, ARetryWithTheSameIdempotencyKeyReturnsTheFirstResult) {
    auto d = letter();
    d.idempotency_key = "client-req-42";
    auto first = svc_->deposit(principal(citizen_), d).value();
    auto again = svc_->deposit(principal(citizen_), d).value();
    EXPECT_TRUE(again.replayed);
    EXPECT_EQ(again.register_number, first.register_number);
    EXPECT_EQ(again.tracking_code, first.tracking_code);
    EXPECT_EQ(again.receipt_sha256, first.receipt_sha256);
    EXPECT_EQ(count("entries"), 1);
    // The same key with another request is refused; another account's key space is its own.
    auto other = letter("Autre objet");
    other.idempotency_key = "client-req-42";
    EXPECT_EQ(svc_->deposit(principal(citizen_), other).error().code, "deposit.idempotency_mismatch");
    auto theirs = svc_->deposit(principal(citizen2_), d).value();
    EXPECT_FALSE(theirs.replayed);
    EXPECT_NE(theirs.register_number, first.register_number);
}

TEST_P(DepositTest, ConcurrentRetriesWithOneKeyMakeOneEntry) {
    auto d = letter();
    d.idempotency_key = "same-key";
    std::vector<std::string> numbers(4);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&, i] {
            auto r = svc_->deposit(principal(citizen_), d);
            if (r) numbers[i] = r->register_number;
            else numbers[i] = r.error().code;
        });
    for (auto& t : threads) t.join();
    for (const auto& n : numbers) EXPECT_EQ(n, numbers[0]);
    EXPECT_EQ(count("entries"), 1);
}

TEST_P(DepositTest, ConcurrentDepositsGetDistinctGapFreeNumbers) {
    constexpr int kThreads = 6, kEach = 4;
    std::mutex mu;
    std::set<std::string> numbers;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                auto r = svc_->deposit(principal(t % 2 ? citizen_ : citizen2_),
                                       letter("Objet " + std::to_string(t) + "-" + std::to_string(i)));
                std::lock_guard lock(mu);
                if (r) numbers.insert(r->register_number);
                else failures.push_back(r.error().code + " " + r.error().detail);
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_TRUE(failures.empty()) << failures.front();
    ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kThreads * kEach));
    // Receipts rendered ahead of their transaction carry the number the register gave them.
    for (const auto& n : numbers) {
        auto e = svc_->get(principal(mef_clerk_), n).value();
        auto pdf = svc_->receipt_pdf(principal(mef_clerk_), n).value();
        auto report = trust::verify_pdf(pdf, {}).value();
        ASSERT_TRUE(report.keywords) << n;
        auto claims = trust::parse_qr(trust::extract_payload(*report.keywords).value()).value();
        EXPECT_EQ(claims.register_number, n);
        EXPECT_EQ(claims.receipt_digest, e.receipt_digest) << n;
        EXPECT_EQ(claims.registered_at_ms, e.registered_at_ms) << n;
    }
    const int year = casablanca_year(clock_.now());
    for (int i = 1; i <= kThreads * kEach; ++i) {
        char want[32];
        std::snprintf(want, sizeof want, "MEF-%d-%06d", year, i);
        EXPECT_TRUE(numbers.count(want)) << want;
    }
}

TEST_P(DepositTest, FailuresAmongConcurrentDepositsLeaveNoGapAndNoWrongReceipt) {
    // Every third registration fails inside its transaction: the numbers handed out ahead for
    // the ones behind it are wrong, and those must render their receipts again.
    std::atomic<int> attempt{0};
    svc_->set_fault_hook([&](Step s) -> Status {
        if (s == Step::receipt_stored && attempt.fetch_add(1) % 3 == 2) return Error{"test.injected", 500, "injected"};
        return {};
    });
    std::mutex mu;
    std::vector<DepositResult> ok;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 4; ++i) {
                auto r = svc_->deposit(principal(citizen_), letter("Objet " + std::to_string(t * 10 + i)));
                std::lock_guard lock(mu);
                if (r) ok.push_back(*r);
                else EXPECT_EQ(r.error().code, "test.injected");
            }
        });
    for (auto& th : threads) th.join();
    svc_->set_fault_hook({});
    ASSERT_FALSE(ok.empty());
    std::set<std::int64_t> seqs;
    for (const auto& r : ok) {
        seqs.insert(parse_register_number(r.register_number)->sequence);
        auto pdf = svc_->receipt_pdf(principal(citizen_), r.register_number).value();
        auto claims = trust::parse_qr(trust::extract_payload(*trust::verify_pdf(pdf, {}).value().keywords).value()).value();
        EXPECT_EQ(claims.register_number, r.register_number);
        EXPECT_EQ(claims.receipt_digest, r.receipt_digest);
    }
    EXPECT_EQ(seqs.size(), ok.size());
    EXPECT_EQ(*seqs.begin(), 1);
    EXPECT_EQ(*seqs.rbegin(), static_cast<std::int64_t>(ok.size()));  // gap-free
    EXPECT_EQ(count("entries"), static_cast<std::int64_t>(ok.size()));
}

TEST_P(DepositTest, TypesComeFromThePlatformDefaultsUnlessAnAdministrationOverridesThem) {
    auto types = svc_->types("MEF").value();
    ASSERT_GE(types.size(), 4u);
    auto find = [&](const std::string& code) {
        for (const auto& t : types)
            if (t.code == code) return t;
        return DepositType{};
    };
    EXPECT_EQ(find("letter").deadline_days, 60);
    EXPECT_EQ(find("investment").deadline_days, 30);
    EXPECT_TRUE(find("investment").silence_is_approval);
    const auto mef = identity::TenantScope::trusted(mef_);
    ASSERT_TRUE(svc_->set_type(mef, {"letter", "رسالة", "Lettre", 15, true, false}));
    for (const DepositType& bad : {DepositType{"Letter", "رسالة", "Lettre", 15, false, false},
                                   DepositType{"letter", "", "Lettre", 15, false, false},
                                   DepositType{"letter", "رسالة", "Lettre", 0, false, false},
                                   DepositType{"letter", "رسالة", "Lettre", 400, false, false}})
        EXPECT_EQ(svc_->set_type(mef, bad).error().code, "deposit.type_invalid");
    types = svc_->types("MEF").value();
    EXPECT_EQ(find("letter").deadline_days, 15);
    EXPECT_TRUE(find("letter").working_days);
    EXPECT_EQ(svc_->types("MEN").value().size(), types.size());
    EXPECT_EQ(svc_->types("XYZ").error().code, "deposit.unknown_administration");
    // A deposit to MEF now counts 15 working days (weekends skipped).
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    auto e = svc_->get(principal(citizen_), r.register_number).value();
    EXPECT_GE(e.due_at_ms - e.registered_at_ms, 19LL * 24 * 3600 * 1000);  // 15 working days span ≥ 3 weekends
    EXPECT_LE(e.due_at_ms - e.registered_at_ms, 21LL * 24 * 3600 * 1000);
}

INSTANTIATE_TEST_SUITE_P(Backends, DepositTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
