// Assisted filing on both backends: an agent of an administration (the proximity centre) files a
// student registration for a citizen whose identity they checked at the desk. Recorded as such
// (who, for whom, which document, when checked); registered through the `assisted` channel with
// the citizen as depositor and the agent's account and administration; visible to the agent and
// the receiving administration only; refused to citizens and to staff without the agent role;
// every field of the person checked.
#include "application_steps.hpp"

#include "processing/workflow.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using procedures::AssistedPerson;

class AssistedTest : public ApplicationTest {
protected:
    static AssistedPerson person() {
        AssistedPerson p;
        p.full_name = "  Fatima Ait Ouarab  ";
        p.id_document = "cin";
        p.id_number = "bk 123456";
        p.email = "fatima.aitouarab@example.ma";
        p.identity_checked = true;
        return p;
    }
    // MEF's agent: the proximity centre is another administration than the university.
    identity::Principal agent() { return env().principal("agent@mef.gov.ma"); }

    // The whole journey by `who` on application `id` (as ApplicationTest::complete does for Amina).
    void journey(const identity::Principal& who, const std::string& id) {
        auto ok = [](const auto& r) {
            ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
        };
        ok(apps().answer(who, id, "student", {{"student_number", kDemoStudent}}));
        ok(apps().decide_lookup(who, id, "bac", true));
        ok(apps().answer(who, id, "faculty", {{"faculty", "fsr"}}));
        ok(apps().answer(who, id, "programme", {{"programme", "Mathématiques et informatique"}}));
        ok(apps().answer(who, id, "contact", {{"phone", "0612345678"}}));
        ok(apps().put_document(who, id, "photo", pdf()));
        auto s = apps().documents_seen(who, id);
        ASSERT_TRUE(s.has_value()) << s.error().code;
    }
};

TEST_P(AssistedTest, AnAgentFilesForACitizenAndItIsRecordedAsSuch) {
    const auto ag = agent();
    env().clock.advance(std::chrono::minutes(5));
    auto a = apps().start_assisted(ag, "student-registration", person());
    ASSERT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
    EXPECT_EQ(a->applicant_account_id, ag.account_id);
    ASSERT_TRUE(a->assisted.has_value());
    EXPECT_EQ(a->assisted->agent_account_id, ag.account_id);
    EXPECT_EQ(a->assisted->person.full_name, "Fatima Ait Ouarab");  // trimmed
    EXPECT_EQ(a->assisted->person.id_document, "cin");
    EXPECT_EQ(a->assisted->person.id_number, "BK123456");            // upper-case, no spaces
    EXPECT_EQ(a->assisted->person.email.value_or(""), "fatima.aitouarab@example.ma");
    EXPECT_TRUE(a->assisted->person.identity_checked);
    EXPECT_EQ(a->assisted->checked_at_ms, env().clock.now_ms());

    // The agent sees it in their list, for whom; the citizen (who has no account here), other
    // citizens and other staff do not see it.
    auto mine = apps().list_mine(ag);
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ(mine->at(0).id, a->id);
    EXPECT_EQ(mine->at(0).assisted_name.value_or(""), "Fatima Ait Ouarab");
    EXPECT_TRUE(apps().list_mine(env().amina())->empty());
    EXPECT_EQ(apps().get(env().amina(), a->id).error().code, "resource.not_found");
    EXPECT_EQ(apps().get(env().principal("agent@men.gov.ma"), a->id).error().code, "resource.not_found");
    EXPECT_EQ(apps().get(env().univ_agent(), a->id).error().code, "resource.not_found");  // not submitted yet
    auto stranger = apps().answer(env().men_agent(), a->id, "student", {{"student_number", kDemoStudent}});
    ASSERT_FALSE(stranger.has_value());
    EXPECT_EQ(stranger.error().code, "resource.not_found");

    // The journey works for the agent; submission registers through the assisted channel.
    journey(ag, a->id);
    auto s = apps().submit(ag, a->id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    EXPECT_FALSE(s->tracking_code.empty());

    auto e = env().deposits->get(ag, s->register_number);
    ASSERT_TRUE(e.has_value()) << e.error().code;
    EXPECT_EQ(e->channel, registry::Channel::assisted);
    EXPECT_EQ(e->depositor_name, "Fatima Ait Ouarab");
    EXPECT_EQ(e->depositor_administration_code.value_or(""), "MEF");  // where it was filed
    EXPECT_EQ(e->administration_code, "UNIV");
    ASSERT_EQ(e->attachments.size(), 1u);
    EXPECT_EQ(e->events.front().kind, "registered");
    EXPECT_EQ(e->events.front().detail, "assisted");
    // As stored: 'counter' with the citizen's ID number, the agent's account and administration.
    auto row = env().db->read<storage::Rows>([&](storage::Tx& tx) {
        return tx.query("SELECT e.channel, e.depositor_id_number, e.depositor_account_id, e.registered_by, a.code "
                        "FROM entries e JOIN administrations a ON a.id = e.depositor_administration_id "
                        "WHERE e.register_number = $1",
                        {s->register_number});
    });
    ASSERT_TRUE(row.has_value());
    ASSERT_EQ(row->size(), 1u);
    EXPECT_EQ(row->at(0).as_text(0), "counter");
    EXPECT_EQ(row->at(0).as_text(1), "BK123456");
    EXPECT_EQ(row->at(0).as_int(2), ag.account_id);
    EXPECT_EQ(row->at(0).as_int(3), ag.account_id);
    EXPECT_EQ(row->at(0).as_text(4), "MEF");

    // The agent has the receipt (to print); the receiving administration sees the entry;
    // citizens and staff of other administrations do not.
    auto pdf_bytes = env().deposits->receipt_pdf(ag, s->register_number);
    ASSERT_TRUE(pdf_bytes.has_value());
    EXPECT_EQ(pdf_bytes->rfind("%PDF", 0), 0u);
    EXPECT_TRUE(env().deposits->get(env().univ_clerk(), s->register_number).has_value());
    EXPECT_EQ(env().deposits->get(env().amina(), s->register_number).error().code, "resource.not_found");
    EXPECT_EQ(env().deposits->get(env().men_agent(), s->register_number).error().code, "resource.not_found");
    auto received = apps().get_received(env().univ_agent(), a->id);
    ASSERT_TRUE(received.has_value());
    ASSERT_TRUE(received->assisted.has_value());
    EXPECT_EQ(received->assisted->person.id_number, "BK123456");
    const auto after = apps().get(ag, a->id).value();
    EXPECT_EQ(after.state, procedures::State::submitted);
    EXPECT_EQ(after.entry_state.value_or(""), "registered");
}

TEST_P(AssistedTest, OnlyAgentsFileForACitizen) {
    const auto before = env().count("applications");
    for (const auto& who : {env().amina(), env().company(), env().operator_(), env().univ_clerk(),
                            env().principal("chef.service@mef.gov.ma"), env().principal("admin@mef.gov.ma")}) {
        auto r = apps().start_assisted(who, "student-registration", person());
        ASSERT_FALSE(r.has_value()) << who.login;
        EXPECT_EQ(r.error().code, "application.forbidden") << who.login;
        EXPECT_EQ(r.error().status, 403);
    }
    // And staff cannot apply for themselves through the ordinary start.
    EXPECT_EQ(apps().start(agent(), "student-registration").error().code, "application.forbidden");
    // The assisted channel of the registry office is refused to citizens too.
    registry::NewDeposit d;
    d.channel = registry::Channel::assisted;
    d.administration_code = "UNIV";
    d.type_code = "application";
    d.subject = "Inscription";
    d.depositor_name = "Fatima Ait Ouarab";
    d.depositor_id_number = "BK123456";
    auto dep = env().deposits->deposit(env().amina(), d);
    ASSERT_FALSE(dep.has_value());
    EXPECT_EQ(dep.error().code, "deposit.channel_forbidden");
    EXPECT_EQ(env().count("applications"), before);
    EXPECT_EQ(env().count("entries"), 0);
}

TEST_P(AssistedTest, EveryFieldOfThePersonIsChecked) {
    struct Case {
        std::function<void(AssistedPerson&)> change;
        const char* code;
    };
    const std::vector<Case> cases = {
        {[](AssistedPerson& p) { p.full_name = "   "; }, "assisted.name"},
        {[](AssistedPerson& p) { p.full_name = std::string(201, 'a'); }, "assisted.name"},
        {[](AssistedPerson& p) { p.full_name = "Fatima\nAit"; }, "assisted.name"},
        {[](AssistedPerson& p) { p.id_document = "permis"; }, "assisted.id_type"},
        {[](AssistedPerson& p) { p.id_number = "AB1"; }, "assisted.id_number"},
        {[](AssistedPerson& p) { p.id_number = "AB12#34"; }, "assisted.id_number"},
        {[](AssistedPerson& p) { p.email = "fatima"; }, "assisted.email"},
        {[](AssistedPerson& p) { p.email = "a@b"; }, "assisted.email"},
        {[](AssistedPerson& p) { p.identity_checked = false; }, "assisted.identity_not_checked"},
    };
    for (const auto& c : cases) {
        auto p = person();
        c.change(p);
        auto r = apps().start_assisted(agent(), "student-registration", p);
        ASSERT_FALSE(r.has_value()) << c.code;
        EXPECT_EQ(r.error().code, c.code);
        EXPECT_EQ(r.error().status, 400);
    }
    EXPECT_EQ(env().count("applications"), 0);
    // The e-mail is optional (an empty one is none); passports work.
    auto p = person();
    p.email = "  ";
    p.id_document = "passport";
    p.id_number = "ZX9988776";
    auto r = apps().start_assisted(agent(), "student-registration", p);
    ASSERT_TRUE(r.has_value()) << r.error().code;
    EXPECT_FALSE(r->assisted->person.email.has_value());
    EXPECT_EQ(r->assisted->person.id_document, "passport");
    EXPECT_EQ(apps().start_assisted(agent(), "no-such-procedure", person()).error().code, "resource.not_found");
}

// The single missing-documents request on an assisted application: the agent (its account)
// completes the file for the citizen, and the clock resumes.
TEST_P(AssistedTest, TheAgentCompletesTheFileAfterTheSingleRequest) {
    processing::WorkflowService flow(*env().db, *env().blobs, *env().deposits, processing::WorkflowOptions{}, env().clock);
    const auto ag = agent();
    auto a = apps().start_assisted(ag, "student-registration", person());
    ASSERT_TRUE(a.has_value());
    journey(ag, a->id);
    auto s = apps().submit(ag, a->id);
    ASSERT_TRUE(s.has_value()) << s.error().code;
    const std::string n = s->register_number;
    const auto clerk = env().univ_clerk(), univ = env().univ_agent();
    std::int64_t v = flow.dossier(clerk, n).value().version;
    v = flow.assign({clerk, "t"}, n, v, {"SCOL-INS", {}}).value();
    v = flow.dispatch({env().principal("chef.service@um5.ac.ma"), "t"}, n, v, univ.account_id).value();
    v = flow.start({univ, "t"}, n, v).value();
    v = flow.request_documents({univ, "t"}, n, v, "Relevé de notes").value();
    EXPECT_EQ(apps().get(ag, a->id)->entry_state.value_or(""), "missing_documents");
    EXPECT_EQ(apps().list_mine(ag)->at(0).entry_state.value_or(""), "missing_documents");
    EXPECT_EQ(flow.request_documents({univ, "t"}, n, v, "Autre").error().code, "processing.documents_already_requested");
    EXPECT_TRUE(flow.allowed(ag, n)->complete_documents);
    v = flow.complete_documents({ag, "t"}, n, v, {pdf("releve.pdf", "releve")}, "").value();
    EXPECT_EQ(flow.dossier(univ, n)->state, processing::State::in_progress);
    EXPECT_EQ(apps().get(ag, a->id)->entry_state.value_or(""), "in_progress");
}

// The receipt e-mailed to the citizen: queued in the outbox with the sealed receipt attached.
TEST_P(AssistedTest, TheReceiptIsQueuedForTheCitizensAddress) {
    const auto ag = agent();
    auto a = apps().start_assisted(ag, "student-registration", person());
    ASSERT_TRUE(a.has_value());
    // Not registered yet.
    auto early = apps().email_receipt(ag, a->id);
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().code, "application.invalid_state");
    journey(ag, a->id);
    const auto n = apps().submit(ag, a->id).value().register_number;
    // Nobody else may send it.
    EXPECT_EQ(apps().email_receipt(env().principal("agent@men.gov.ma"), a->id).error().code, "resource.not_found");
    EXPECT_EQ(apps().email_receipt(env().amina(), a->id).error().code, "resource.not_found");
    EXPECT_EQ(env().count("outgoing_mail"), 0);

    env().clock.advance(std::chrono::minutes(1));
    auto to = apps().email_receipt(ag, a->id);
    ASSERT_TRUE(to.has_value()) << to.error().code << ": " << to.error().detail;
    EXPECT_EQ(*to, "fatima.aitouarab@example.ma");
    auto rows = env().db->read<storage::Rows>([&](storage::Tx& tx) {
        return tx.query("SELECT m.recipient, m.subject, m.text, m.attachment_name, m.status, "
                        "CASE WHEN m.attachment_blob = e.receipt_blob THEN 1 ELSE 0 END "
                        "FROM outgoing_mail m, entries e WHERE e.register_number = $1",
                        {n});
    });
    ASSERT_TRUE(rows.has_value());
    ASSERT_EQ(rows->size(), 1u);
    const auto& m = rows->at(0);
    EXPECT_EQ(m.as_text(0), "fatima.aitouarab@example.ma");
    EXPECT_NE(m.as_text(1).find(n), std::string::npos);
    EXPECT_NE(m.as_text(2).find("Fatima Ait Ouarab"), std::string::npos);
    EXPECT_NE(m.as_text(2).find(n), std::string::npos);
    EXPECT_EQ(m.as_text(3), n + ".pdf");
    EXPECT_EQ(m.as_text(4), "queued");
    EXPECT_EQ(m.as_int(5), 1) << "the sealed receipt of the entry is attached";
    EXPECT_EQ(apps().get(ag, a->id)->assisted->receipt_mailed_at_ms.value_or(0), env().clock.now_ms());

    // Without an address, or for an ordinary application, there is nothing to send.
    auto p = person();
    p.email.reset();
    auto b = apps().start_assisted(ag, "student-registration", p).value();
    journey(ag, b.id);
    ASSERT_TRUE(apps().submit(ag, b.id));
    EXPECT_EQ(apps().email_receipt(ag, b.id).error().code, "assisted.no_email");
    const auto own = complete();
    ASSERT_TRUE(apps().submit(env().amina(), own));
    EXPECT_EQ(apps().email_receipt(env().amina(), own).error().code, "assisted.not_assisted");
    EXPECT_EQ(env().count("outgoing_mail"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, AssistedTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
