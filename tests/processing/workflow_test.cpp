// The correspondence window on both backends: each status change and who may make it,
// optimistic concurrency, the tenant and confidentiality boundaries, the one
// missing-documents request with the clock paused, transfer between administrations,
// delegation during absence, inboxes and the digest.
#include "workflow_fixture.hpp"

#include "core/dates.hpp"
#include "deadline/holiday_store.hpp"
#include "processing/legal_clock.hpp"
#include "registry/numbering.hpp"
#include "storage/db.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace idara;
using namespace idara::processing;
using idara::testing::sample_pdf;
using idara::testing::WorkflowTest;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

bool has(const std::vector<InboxLine>& lines, const std::string& number) {
    return std::any_of(lines.begin(), lines.end(), [&](const InboxLine& l) { return l.register_number == number; });
}

std::int64_t events_of(storage::Database& db, const std::string& number) {
    return db.read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                 auto r = tx.query_one(
                     "SELECT COUNT(*) FROM entry_events ev JOIN entries e ON e.id = ev.entry_id WHERE e.register_number = $1",
                     {number});
                 if (!r) return r.error();
                 return (*r)->as_int(0);
             })
        .value();
}

TEST_P(WorkflowTest, ALetterGoesFromTheRegistryToAnAgentAndIsAnsweredWithAFullTimeline) {
    const auto n = deposit();
    auto inbox = flow_->inbox(principal(mef_clerk_), Inbox::registry);
    ASSERT_TRUE(inbox) << inbox.error().code;
    ASSERT_TRUE(has(*inbox, n));
    EXPECT_EQ(dossier(mef_clerk_, n).state, State::registered);

    std::int64_t v = version(n);
    v = flow_->qualify(as(mef_clerk_), n, v, {"request", Priority::urgent, false}).value();
    v = flow_->assign(as(mef_clerk_), n, v, {"DB", {"DRH"}}).value();
    EXPECT_FALSE(has(flow_->inbox(principal(mef_clerk_), Inbox::registry).value(), n));
    EXPECT_TRUE(has(flow_->inbox(principal(db_head_), Inbox::unit).value(), n));
    EXPECT_FALSE(has(flow_->inbox(principal(drh_head_), Inbox::unit).value(), n));  // a copy is not the lead

    v = flow_->dispatch(as(db_head_), n, v, mef_agent_).value();
    EXPECT_TRUE(has(flow_->inbox(principal(mef_agent_), Inbox::mine).value(), n));
    EXPECT_FALSE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
    v = flow_->start(as(mef_agent_), n, v).value();
    ASSERT_TRUE(flow_->annotate(as(mef_agent_), n, "الملف يحتاج إلى تدقيق", registry::IncomingFile{"note.pdf", sample_pdf()}));
    v = flow_->request_opinion(as(mef_agent_), n, v, "DRH", "ما رأيكم؟").value();
    EXPECT_TRUE(has(flow_->inbox(principal(drh_agent_), Inbox::opinions).value(), n));
    ASSERT_TRUE(flow_->give_opinion(as(drh_agent_), n, "لا مانع"));
    EXPECT_FALSE(has(flow_->inbox(principal(drh_agent_), Inbox::opinions).value(), n));
    ASSERT_TRUE(flow_->save_draft(as(mef_agent_), n, "جوابا على طلبكم..."));

    const auto d = dossier(mef_agent_, n);
    EXPECT_EQ(d.state, State::in_progress);
    EXPECT_EQ(d.priority, Priority::urgent);
    EXPECT_EQ(d.type_code, "request");
    EXPECT_EQ(d.assignee_name, "Staff agent@mef.gov.ma");
    ASSERT_GE(d.units.size(), 2u);
    EXPECT_EQ(d.units[0].unit_code, "DB");
    EXPECT_EQ(d.units[0].role, UnitRole::lead);
    ASSERT_EQ(d.notes.size(), 4u);  // annotation, the opinion question, the opinion, the draft
    EXPECT_TRUE(d.notes[0].file_name.has_value());
    auto file = flow_->note_file(principal(db_head_), n, d.notes[0].id);
    ASSERT_TRUE(file) << file.error().code;
    EXPECT_EQ(file->second, sample_pdf());

    const std::int64_t id = d.entry_id;
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) {
        return WorkflowService::mark_answered(tx, id, mef_agent_, "MEF-S-2026-000001", clock_.now_ms());
    }));
    v = version(n);
    EXPECT_FALSE(has(flow_->inbox(principal(mef_agent_), Inbox::mine).value(), n));
    ASSERT_TRUE(flow_->close(as(db_head_), n, v));

    const auto done = dossier(mef_clerk_, n);
    EXPECT_EQ(done.state, State::closed);
    EXPECT_EQ(kinds(done), (std::vector<std::string>{"registered", "qualified", "assigned", "dispatched", "started",
                                                     "annotated", "opinion_requested", "opinion_given", "draft_saved",
                                                     "answered", "closed"}));
    // Who, when, from where, and the version each change produced.
    EXPECT_EQ(done.timeline[1].actor_name, "Staff clerk@mef.gov.ma");
    EXPECT_EQ(done.timeline[1].origin, "test");
    EXPECT_EQ(done.timeline[4].actor_name, "Staff agent@mef.gov.ma");
    EXPECT_EQ(done.timeline.back().version, done.version);
    EXPECT_NE(done.timeline[2].detail.find("\"lead\":\"DB\""), std::string::npos);

    // The depositor sees the steps that concern them, not the internal notes or who did what.
    const auto mine = dossier(citizen_, n);
    EXPECT_TRUE(mine.notes.empty());
    EXPECT_EQ(kinds(mine), (std::vector<std::string>{"registered", "assigned", "started", "answered", "closed"}));
    for (const auto& e : mine.timeline) EXPECT_TRUE(e.actor_name.empty());
    // The register list shows the processing state.
    auto reg = svc_->list_mine(principal(citizen_));
    ASSERT_TRUE(reg);
    EXPECT_EQ(reg->at(0).state, "closed");
}

TEST_P(WorkflowTest, EachChangeIsRefusedToWhoeverMayNotMakeIt) {
    const auto n = deposit();
    std::int64_t v = version(n);
    EXPECT_EQ(flow_->qualify(as(mef_agent_), n, v, {}).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->assign(as(db_head_), n, v, {"DB", {}}).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->transfer(as(mef_agent_), n, v, "MEN", "ليس من اختصاصنا").error().code, "auth.forbidden");
    EXPECT_EQ(flow_->reject(as(mef_agent_), n, v, "سبب").error().code, "auth.forbidden");
    EXPECT_EQ(flow_->inbox(principal(mef_agent_), Inbox::registry).error().code, "auth.forbidden");
    // Citizens are not staff; another administration does not see the entry at all.
    EXPECT_EQ(flow_->qualify(as(citizen_), n, v, {}).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->assign(as(men_clerk_), n, v, {"DB", {}}).error().code, "resource.not_found");
    EXPECT_EQ(flow_->dossier(principal(men_clerk_), n).error().code, "resource.not_found");
    EXPECT_EQ(flow_->dossier(principal(citizen2_), n).error().code, "resource.not_found");
    EXPECT_FALSE(has(flow_->inbox(principal(men_clerk_), Inbox::registry).value(), n));

    v = flow_->assign(as(mef_clerk_), n, v, {"DB", {}}).value();
    EXPECT_EQ(flow_->dispatch(as(mef_clerk_), n, v, mef_agent_).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->dispatch(as(drh_head_), n, v, mef_agent_).error().code, "auth.forbidden");
    // Only a member of the lead unit can be given the entry.
    EXPECT_EQ(flow_->dispatch(as(db_head_), n, v, drh_agent_).error().code, "processing.unknown_agent");
    EXPECT_EQ(flow_->start(as(mef_agent_), n, v).error().code, "auth.forbidden");  // not dispatched yet
    v = flow_->dispatch(as(db_head_), n, v, mef_agent_).value();
    EXPECT_EQ(flow_->start(as(db_agent2_), n, v).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->request_documents(as(drh_agent_), n, v, "نسخة").error().code, "auth.forbidden");
    EXPECT_EQ(flow_->give_opinion(as(drh_agent_), n, "رأي").error().code, "auth.forbidden");  // nobody asked
    EXPECT_EQ(flow_->close(as(mef_agent_), n, v).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->close(as(db_head_), n, v).error().code, "processing.invalid_transition");
    // Nothing above changed the entry.
    EXPECT_EQ(version(n), v);
    EXPECT_EQ(dossier(mef_clerk_, n).state, State::assigned);
}

TEST_P(WorkflowTest, InvalidTransitionsAndBadTextAreRefused) {
    const auto n = deposit();
    std::int64_t v = version(n);
    EXPECT_EQ(flow_->close(as(mef_clerk_), n, v).error().code, "processing.invalid_transition");
    EXPECT_EQ(flow_->reject(as(mef_clerk_), n, v, "").error().code, "processing.reason");
    EXPECT_EQ(flow_->reject(as(mef_clerk_), n, v, "   ").error().code, "processing.reason");
    EXPECT_EQ(flow_->reject(as(mef_clerk_), n, v, "a\x01b").error().code, "processing.reason");
    EXPECT_EQ(flow_->assign(as(mef_clerk_), n, v, {"NOPE", {}}).error().code, "processing.unknown_unit");
    EXPECT_EQ(flow_->qualify(as(mef_clerk_), n, v, {"no_such_type", Priority::normal, false}).error().code,
              "deposit.unknown_type");
    EXPECT_EQ(flow_->dossier(principal(mef_clerk_), "not-a-number").error().code, "resource.not_found");
    v = route_to_agent(n);
    EXPECT_EQ(flow_->transfer(as(mef_clerk_), n, v, "MEN", "سبب").error().code, "processing.invalid_transition");
    EXPECT_EQ(flow_->start(as(mef_agent_), n, v).error().code, "processing.invalid_transition");
    v = flow_->reject(as(db_head_), n, v, "الطلب غير مستوف للشروط القانونية").value();
    EXPECT_EQ(dossier(citizen_, n).state, State::rejected);
    EXPECT_EQ(flow_->reject(as(db_head_), n, v, "مرة ثانية").error().code, "processing.invalid_transition");
    EXPECT_EQ(flow_->annotate(as(mef_agent_), n, "").error().code, "processing.text");
    ASSERT_TRUE(flow_->close(as(mef_clerk_), n, v));
    EXPECT_EQ(flow_->annotate(as(mef_agent_), n, "بعد الإغلاق").error().code, "processing.invalid_transition");
    // The rejection's reason reaches the depositor.
    const auto mine = dossier(citizen_, n);
    ASSERT_GE(mine.timeline.size(), 2u);
    EXPECT_NE(mine.timeline[mine.timeline.size() - 2].detail.find("الطلب غير مستوف"), std::string::npos);
}

TEST_P(WorkflowTest, TwoPeopleActingAtOnceGetAConflictAndNothingIsLost) {
    const auto n = deposit();
    const std::int64_t v = version(n);
    // The clerk and the admin both open the entry at version v.
    auto first = flow_->assign(as(mef_clerk_), n, v, {"DB", {}});
    ASSERT_TRUE(first);
    const auto events = events_of(*db_, n);
    auto second = flow_->assign(as(mef_admin_), n, v, {"DRH", {}});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "processing.version_conflict");
    EXPECT_EQ(second.error().status, 409);
    // The first change stands; the second left no trace.
    EXPECT_EQ(dossier(mef_clerk_, n).units.at(0).unit_code, "DB");
    EXPECT_EQ(events_of(*db_, n), events);
    EXPECT_EQ(version(n), *first);
    // With the fresh version the admin can act.
    EXPECT_TRUE(flow_->assign(as(mef_admin_), n, *first, {"DRH", {}}));
}

TEST_P(WorkflowTest, ConfidentialEntriesAreReadOnlyByTheirUnits) {
    const auto n = deposit("شكاية سرية بخصوص موظف");
    route_to_agent(n, /*confidential=*/true);

    // The lead unit reads it; another unit of the same administration does not.
    EXPECT_TRUE(dossier(db_agent2_, n).content_visible);
    const auto other = dossier(drh_agent_, n);
    EXPECT_FALSE(other.content_visible);
    EXPECT_TRUE(other.subject.empty());
    EXPECT_TRUE(other.body.empty());
    EXPECT_TRUE(other.timeline.empty());
    EXPECT_EQ(flow_->annotate(as(drh_agent_), n, "فضول").error().code, "resource.not_found");
    EXPECT_EQ(svc_->get(principal(drh_agent_), n).error().code, "resource.not_found");
    EXPECT_EQ(svc_->receipt_pdf(principal(drh_agent_), n).error().code, "resource.not_found");
    EXPECT_FALSE(flow_->content_visible(principal(drh_agent_), dossier(mef_agent_, n).entry_id).value());
    // The registry office still sees the register line, masked.
    auto reg = svc_->list_register(principal(mef_clerk_));
    ASSERT_TRUE(reg);
    EXPECT_EQ(reg->at(0).register_number, n);
    EXPECT_TRUE(reg->at(0).subject.empty());
    EXPECT_FALSE(dossier(mef_clerk_, n).content_visible);
    // Staff of the lead unit see the subject in the register list; the depositor always sees their entry.
    EXPECT_EQ(svc_->list_register(principal(db_head_))->at(0).subject, "شكاية سرية بخصوص موظف");
    EXPECT_TRUE(svc_->get(principal(citizen_), n));

    // Asking DRH for an opinion opens it to DRH.
    ASSERT_TRUE(flow_->request_opinion(as(mef_agent_), n, version(n), "DRH", "رأيكم"));
    EXPECT_TRUE(dossier(drh_agent_, n).content_visible);
    EXPECT_TRUE(svc_->get(principal(drh_agent_), n));
}

TEST_P(WorkflowTest, OneMissingDocumentsRequestPausesTheClockAndASecondIsRefused) {
    const auto n = deposit();
    std::int64_t v = route_to_agent(n);
    const auto before = dossier(mef_agent_, n);

    clock_.advance(std::chrono::days(10));
    v = flow_->request_documents(as(mef_agent_), n, v, "نسخة من البطاقة الوطنية").value();
    auto d = dossier(citizen_, n);
    EXPECT_EQ(d.state, State::missing_documents);
    ASSERT_TRUE(d.paused_at_ms);
    ASSERT_TRUE(d.missing_requested_at_ms);
    // The depositor sees what to bring.
    EXPECT_NE(d.timeline.back().detail.find("نسخة من البطاقة الوطنية"), std::string::npos);
    // Overdue lists skip paused entries.
    clock_.advance(std::chrono::days(20));
    EXPECT_EQ(flow_->request_documents(as(mef_agent_), n, v, "وثيقة أخرى").error().code,
              "processing.documents_already_requested");

    // Only the depositor completes the file, with at least one valid document.
    EXPECT_EQ(flow_->complete_documents(as(citizen2_), n, v, {{"cin.pdf", sample_pdf()}}, "").error().code,
              "resource.not_found");
    EXPECT_EQ(flow_->complete_documents(as(citizen_), n, v, {}, "").error().code, "processing.documents_missing");
    EXPECT_EQ(flow_->complete_documents(as(citizen_), n, v, {{"cin.pdf", "not a pdf"}}, "").error().code.rfind("deposit.", 0),
              0u);
    const auto attachments = count("entry_attachments");
    v = flow_->complete_documents(as(citizen_), n, v, {{"cin.pdf", sample_pdf()}}, "ها هي الوثيقة").value();
    EXPECT_EQ(count("entry_attachments"), attachments + 1);
    d = dossier(mef_agent_, n);
    EXPECT_EQ(d.state, State::in_progress);
    EXPECT_FALSE(d.paused_at_ms);
    ASSERT_TRUE(d.completed_at_ms);
    // 60 calendar days, 10 used before the pause: 50 left from the completion (20 days later).
    EXPECT_EQ(d.due_at_ms, *d.completed_at_ms + 50 * kDay);
    EXPECT_EQ(d.due_at_ms - before.due_at_ms, 20 * kDay);
    EXPECT_EQ(svc_->get(principal(citizen_), n)->due_at_ms, d.due_at_ms);  // the register follows
    // Even after completion there is no second request.
    EXPECT_EQ(flow_->request_documents(as(mef_agent_), n, v, "أخرى").error().code,
              "processing.documents_already_requested");
    EXPECT_EQ(kinds(d).back(), "documents_completed");
}

TEST_P(WorkflowTest, ATransferRegistersTheEntryAtTheCompetentAdministration) {
    auto r = svc_->deposit(principal(citizen_), letter("طلب منحة دراسية"));
    ASSERT_TRUE(r);
    const auto n = r->register_number;
    const std::int64_t v = version(n);
    EXPECT_EQ(flow_->transfer(as(mef_clerk_), n, v, "MEF", "سبب").error().code, "processing.transfer_self");
    EXPECT_EQ(flow_->transfer(as(mef_clerk_), n, v, "XYZ", "سبب").error().code, "processing.unknown_administration");
    clock_.advance(std::chrono::days(3));
    auto to = flow_->transfer(as(mef_clerk_), n, v, "MEN", "المنح الدراسية من اختصاص وزارة التربية الوطنية");
    ASSERT_TRUE(to) << to.error().code << " " << to.error().detail;
    const int year = registry::casablanca_year(clock_.now());
    EXPECT_EQ(*to, "MEN-" + std::to_string(year) + "-000001");

    const auto src = dossier(mef_clerk_, n);
    EXPECT_EQ(src.state, State::transferred);
    EXPECT_EQ(src.transferred_to, *to);
    auto dst = flow_->dossier(principal(men_clerk_), *to);
    ASSERT_TRUE(dst) << dst.error().code;
    EXPECT_EQ(dst->state, State::registered);
    EXPECT_EQ(dst->transferred_from, n);
    EXPECT_EQ(dst->subject, "طلب منحة دراسية");
    // The deadline counts from the original deposit, not from the transfer.
    EXPECT_EQ(dst->due_at_ms, src.due_at_ms);
    EXPECT_TRUE(has(flow_->inbox(principal(men_clerk_), Inbox::registry).value(), *to));
    // The depositor finds both, and their tracking code works for the new number.
    auto mine = svc_->list_mine(principal(citizen_));
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->size(), 2u);
    EXPECT_TRUE(svc_->track(*to, r->tracking_code));
    auto e = svc_->get(principal(citizen_), *to);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->attachments.size(), 1u);
    EXPECT_EQ(e->administration_code, "MEN");
    // The new entry has its own sealed receipt in MEN's register.
    EXPECT_TRUE(svc_->receipt_pdf(principal(citizen_), *to));
    auto facts = svc_->register_facts(*to);
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->administration_code, "MEN");
    // MEF can close its side; MEN's clerk cannot act on MEF's entry.
    EXPECT_TRUE(flow_->close(as(mef_clerk_), n, src.version));
    EXPECT_EQ(flow_->close(as(men_clerk_), n, src.version).error().code, "resource.not_found");
}

TEST_P(WorkflowTest, ADelegateWorksThePersonsInboxDuringTheAbsenceOnly) {
    const auto n = deposit();
    std::int64_t v = version(n);
    v = flow_->assign(as(mef_clerk_), n, v, {"DB", {}}).value();
    v = flow_->dispatch(as(db_head_), n, v, mef_agent_).value();
    EXPECT_FALSE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
    EXPECT_EQ(flow_->start(as(db_agent2_), n, v).error().code, "auth.forbidden");

    const std::string today = i18n::casablanca_date_iso(clock_.now_ms());
    const std::string later = i18n::casablanca_date_iso(clock_.now_ms() + 5 * kDay);
    // Only for oneself (or by an admin), between members, with valid dates.
    EXPECT_EQ(flow_->delegate(principal(db_agent2_), mef_agent_, db_agent2_, today, later).error().code, "auth.forbidden");
    EXPECT_EQ(flow_->delegate(principal(mef_agent_), mef_agent_, men_agent_, today, later).error().code,
              "processing.delegation");
    EXPECT_EQ(flow_->delegate(principal(mef_agent_), mef_agent_, db_agent2_, later, today).error().code,
              "processing.delegation");
    EXPECT_EQ(flow_->delegate(principal(mef_agent_), mef_agent_, db_agent2_, "2026-02-30", later).error().code,
              "processing.delegation");
    auto id = flow_->delegate(principal(mef_agent_), mef_agent_, db_agent2_, today, later);
    ASSERT_TRUE(id) << id.error().code;

    EXPECT_TRUE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
    v = flow_->start(as(db_agent2_), n, v).value();
    const auto d = dossier(mef_clerk_, n);
    EXPECT_EQ(d.timeline.back().kind, "started");
    EXPECT_EQ(d.timeline.back().actor_name, "Staff agent2.db@mef.gov.ma");
    EXPECT_NE(d.timeline.back().detail.find("\"on_behalf_of\":" + std::to_string(mef_agent_)), std::string::npos);
    EXPECT_EQ(flow_->delegations(principal(db_agent2_))->size(), 1u);

    // After the absence, the inbox is the agent's again.
    clock_.advance(std::chrono::days(6));
    EXPECT_FALSE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
    EXPECT_EQ(flow_->request_documents(as(db_agent2_), n, v, "وثيقة").error().code, "auth.forbidden");
    // A revoked delegation stops at once.
    const std::string now = i18n::casablanca_date_iso(clock_.now_ms());
    auto again = flow_->delegate(principal(mef_admin_), mef_agent_, db_agent2_, now, now);
    ASSERT_TRUE(again);
    EXPECT_TRUE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
    EXPECT_EQ(flow_->revoke_delegation(principal(db_agent2_), *again).error().code, "auth.forbidden");
    ASSERT_TRUE(flow_->revoke_delegation(principal(mef_agent_), *again));
    EXPECT_FALSE(has(flow_->inbox(principal(db_agent2_), Inbox::mine).value(), n));
}

TEST_P(WorkflowTest, OverdueAndDueSoonListsAndTheDailyDigestFollowTheDeadline) {
    const auto n = deposit();
    const auto m = deposit("طلب ثان");
    route_to_agent(n);
    route_to_agent(m);
    const auto mef = identity::TenantScope::trusted(mef_);
    auto dg = flow_->digest(mef, "DB");
    ASSERT_TRUE(dg);
    EXPECT_EQ(dg->arrived.size(), 2u);
    EXPECT_TRUE(dg->overdue.empty());
    EXPECT_EQ(flow_->digest(mef, "NOPE").error().code, "processing.unknown_unit");

    clock_.advance(std::chrono::days(55));  // due in 5 days
    EXPECT_TRUE(has(flow_->inbox(principal(db_head_), Inbox::due_soon).value(), n));
    EXPECT_FALSE(has(flow_->inbox(principal(db_head_), Inbox::overdue).value(), n));
    EXPECT_FALSE(has(flow_->inbox(principal(drh_head_), Inbox::due_soon).value(), n));  // not their unit
    clock_.advance(std::chrono::days(6));
    EXPECT_TRUE(has(flow_->inbox(principal(db_head_), Inbox::overdue).value(), n));
    EXPECT_TRUE(has(flow_->inbox(principal(mef_clerk_), Inbox::overdue).value(), n));  // the whole administration
    EXPECT_FALSE(has(flow_->inbox(principal(men_clerk_), Inbox::overdue).value(), n));
    dg = flow_->digest(mef, "DB");
    ASSERT_TRUE(dg);
    EXPECT_TRUE(dg->arrived.empty());
    EXPECT_EQ(dg->overdue.size(), 2u);
    // Answered entries leave the lists.
    const std::int64_t id = dossier(mef_agent_, n).entry_id;
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) {
        return WorkflowService::mark_answered(tx, id, mef_agent_, "MEF-S-2026-000001", clock_.now_ms());
    }));
    EXPECT_FALSE(has(flow_->inbox(principal(db_head_), Inbox::overdue).value(), n));
    EXPECT_TRUE(has(flow_->inbox(principal(db_head_), Inbox::overdue).value(), m));
    // A second answer is refused.
    EXPECT_EQ(db_->write_tx([&](storage::Tx& tx) {
                  return WorkflowService::mark_answered(tx, id, mef_agent_, "MEF-S-2026-000002", clock_.now_ms());
              }).error().code,
              "processing.invalid_transition");
}

TEST_P(WorkflowTest, ReassigningMovesTheEntryToTheNewUnitWithoutItsAgent) {
    const auto n = deposit();
    std::int64_t v = route_to_agent(n);
    v = flow_->assign(as(mef_clerk_), n, v, {"DRH", {"DB"}}).value();
    const auto d = dossier(drh_head_, n);
    EXPECT_EQ(d.state, State::assigned);
    EXPECT_FALSE(d.assignee_id);
    EXPECT_EQ(d.units.at(0).unit_code, "DRH");
    EXPECT_EQ(d.units.at(1).role, UnitRole::copy);
    EXPECT_FALSE(has(flow_->inbox(principal(mef_agent_), Inbox::mine).value(), n));
    EXPECT_TRUE(has(flow_->inbox(principal(drh_head_), Inbox::unit).value(), n));
    EXPECT_TRUE(flow_->dispatch(as(drh_head_), n, v, drh_agent_));
}

TEST_P(WorkflowTest, TheLegalClockSkipsMoroccanHolidaysAndResumesAfterCompletion) {
    // The application's wiring: registry and workflow on the holiday calendar.
    deadline::HolidayStore holidays(*db_);
    registry::DepositOptions o;
    o.due_date = legal_due_date(holidays);
    registry::DepositService deposits(*db_, *blobs_, *keys_, *ids_, o, clock_);
    WorkflowOptions wo;
    wo.deadlines = legal_rules(holidays);
    WorkflowService flow(*db_, *blobs_, deposits, wo, clock_);
    ASSERT_TRUE(deposits.set_type(identity::TenantScope::trusted(mef_),
                                  {"permit", "رخصة", "Autorisation", 40, /*working_days=*/true, /*silence=*/true}));

    // Deposited Monday 21 September 2026; 40 working days skip the Green March (6 November):
    // due at the end of Tuesday 17 November, Casablanca time (UTC+1).
    auto d = letter("طلب رخصة");
    d.type_code = "permit";
    auto r = deposits.deposit(principal(citizen_), d);
    ASSERT_TRUE(r) << r.error().code;
    const std::int64_t due_17_nov = 1'794'956'399'999;  // 2026-11-17T22:59:59.999Z
    EXPECT_EQ(flow.dossier(principal(mef_clerk_), r->register_number)->due_at_ms, due_17_nov);
    EXPECT_EQ(deposits.get(principal(citizen_), r->register_number)->due_at_ms, due_17_nov);

    // Documents asked on 1 October (8 working days used), brought on 31 October:
    // 32 working days from then, skipping 6 and 18 November → Thursday 17 December.
    const auto n = r->register_number;
    std::int64_t v = flow.assign(as(mef_clerk_), n, flow.dossier(principal(mef_clerk_), n)->version, {"DB", {}}).value();
    v = flow.dispatch(as(db_head_), n, v, mef_agent_).value();
    v = flow.start(as(mef_agent_), n, v).value();
    clock_.advance(std::chrono::days(10));
    v = flow.request_documents(as(mef_agent_), n, v, "شهادة السكنى").value();
    clock_.advance(std::chrono::days(30));
    v = flow.complete_documents(as(citizen_), n, v, {{"residence.pdf", sample_pdf()}}, "").value();
    EXPECT_EQ(flow.dossier(principal(citizen_), n)->due_at_ms, 1'797'548'399'999);  // 2026-12-17T22:59:59.999Z
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
