// The outgoing register: states and permissions, visibility, versions, letters through their
// e-parapheur circuit (numbered at submission, approved and sealed at completion, back to draft
// on rejection), every step all or nothing, numbering under concurrency, sealed PDFs, templates.
#include "outgoing_fixture.hpp"

#include "outgoing/template.hpp"
#include "shell.hpp"
#include "storage/db.hpp"
#include "trust/pdf_verify.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <set>
#include <thread>

namespace idara::testing {
namespace {

using outgoing::ApprovalStep;
using outgoing::LetterState;
using outgoing::RecipientKind;
using outgoing::Template;

const char* code(const Error& e) { return e.code.c_str(); }

TEST_P(OutgoingTest, ReplyGoesThroughEveryStateAndReachesTheDepositor) {
    const auto entry = incoming();
    auto l = out_->create(principal(mef_agent_), reply(entry)).value();
    EXPECT_EQ(l.state, LetterState::draft);
    EXPECT_EQ(l.version, 1);
    EXPECT_EQ(l.recipient.account_id, citizen_);
    EXPECT_EQ(l.recipient.name, "أمينة المنصوري");
    l = out_->submit(principal(mef_agent_), l.id, l.version).value();
    EXPECT_EQ(l.state, LetterState::pending_approval);
    EXPECT_EQ(l.register_number, "MEF-S-2026-000001");  // numbered when submitted
    ASSERT_TRUE(l.circuit_id);
    const auto first_circuit = *l.circuit_id;
    l = reject(l, "أضيفوا مرجع الشهادة").value();
    EXPECT_EQ(l.state, LetterState::draft);
    EXPECT_EQ(l.return_reason, "أضيفوا مرجع الشهادة");
    EXPECT_EQ(l.register_number, "MEF-S-2026-000001");  // kept for life
    auto n = reply(entry);
    n.content.body += "\nالمرجع: 2026/45";
    l = out_->update(principal(mef_agent_), l.id, l.version, n.recipient, n.content).value();
    l = out_->submit(principal(mef_agent_), l.id, l.version).value();
    EXPECT_FALSE(l.return_reason);
    EXPECT_EQ(l.register_number, "MEF-S-2026-000001");  // the same number on resubmission
    EXPECT_NE(*l.circuit_id, first_circuit);             // a new circuit on the new rendering
    EXPECT_EQ(outgoing_counter(), 1);
    EXPECT_EQ(out_->get(principal(citizen_), l.id).error().code, "resource.not_found");  // not yet dispatched

    clock_.advance(std::chrono::hours(2));
    l = approve(l).value();
    EXPECT_EQ(l.state, LetterState::dispatched);  // delivered to the depositor's space at once
    EXPECT_EQ(l.register_number, "MEF-S-2026-000001");
    EXPECT_EQ(l.approved_by, mef_signer_);
    EXPECT_TRUE(l.pdf_sha256);
    std::vector<std::string> kinds;
    for (const auto& e : l.events) kinds.push_back(e.kind);
    EXPECT_EQ(kinds, (std::vector<std::string>{"created", "submitted", "returned", "edited", "submitted", "approved",
                                               "dispatched"}));

    // The depositor sees it, in their entry's replies, with the PDF.
    auto seen = out_->get(principal(citizen_), l.id).value();
    EXPECT_EQ(seen.register_number, l.register_number);
    auto mine = out_->list_for_entry(principal(citizen_), entry).value();
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_FALSE(out_->pdf(principal(citizen_), l.id).value().empty());
    // The register lists it.
    auto reg = out_->list_register(identity::TenantScope::trusted(mef_), 2026).value();
    ASSERT_EQ(reg.size(), 1u);
    EXPECT_EQ(reg[0].in_reply_to_number.value_or(""), l.in_reply_to_number.value_or("-"));
    EXPECT_TRUE(out_->list_register(identity::TenantScope::trusted(mef_), 2025).value().empty());
    EXPECT_TRUE(out_->list_register(identity::TenantScope::trusted(men_), {}).value().empty());
}

TEST_P(OutgoingTest, LettersAreApprovedOnlyThroughTheirCircuit) {
    const auto entry = incoming();
    auto l = pending(entry, mef_admin_);
    ASSERT_TRUE(l.circuit_id);
    auto c = circuits_->get(principal(mef_signer_), *l.circuit_id).value();
    EXPECT_EQ(c.template_code, "outgoing_letter");
    EXPECT_EQ(c.purpose, "letter");
    EXPECT_EQ(c.subject_ref, "letter:" + std::to_string(l.id));
    ASSERT_EQ(c.steps.size(), 2u);
    EXPECT_EQ(c.steps[0].assignees.at(0).account_id, mef_head_);  // the author has no unit: a unit head
    auto as = [&](std::int64_t who) {
        principals_.push_back(std::make_unique<identity::Principal>(principal(who)));
        return parapheur::Actor{*principals_.back(), "test"};
    };
    // The signer cannot sign before the visa; others are not assignees; MEN sees nothing.
    EXPECT_EQ(circuits_->sign(as(mef_signer_), c.id, c.version, {"pass-word", "123456"}).error().code,
              "parapheur.not_your_turn");
    EXPECT_EQ(circuits_->approve(as(mef_agent_), c.id, c.version).error().code, "parapheur.not_assignee");
    EXPECT_EQ(circuits_->approve(as(men_signer_), c.id, c.version).error().code, "resource.not_found");
    EXPECT_EQ(out_->get(principal(men_signer_), l.id).error().code, "resource.not_found");
    EXPECT_EQ(out_->list_for_entry(principal(men_agent_), entry).error().code, "resource.not_found");
    // A signer does not draft.
    EXPECT_EQ(out_->create(principal(mef_signer_), reply(entry)).error().code, "outgoing.forbidden");
    EXPECT_EQ(out_->create(principal(citizen_), reply(entry)).error().code, "outgoing.forbidden");
    EXPECT_EQ(out_->get(principal(mef_agent_), l.id).value().state, LetterState::pending_approval);
    auto ok = approve(l, mef_signer2_);
    ASSERT_TRUE(ok) << code(ok.error());
    EXPECT_EQ(ok->state, LetterState::dispatched);
    EXPECT_EQ(ok->approved_by, mef_signer2_);
    // The circuit is finished; nothing more to do there.
    EXPECT_EQ(circuits_->get(principal(mef_signer_), c.id).value().state, parapheur::CircuitState::completed);
}

TEST_P(OutgoingTest, AnAdministrationWithoutTheTemplateCannotSubmit) {
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
        auto r = tx.exec("DELETE FROM circuit_templates WHERE administration_id = $1", {mef_});
        if (!r) return r.error();
        return {};
    }));
    const auto entry = incoming();
    auto l = out_->create(principal(mef_agent_), reply(entry)).value();
    auto r = out_->submit(principal(mef_agent_), l.id, l.version);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "parapheur.unknown_template");
    EXPECT_EQ(outgoing_counter(), 0);
    EXPECT_EQ(out_->get(principal(mef_agent_), l.id).value().state, LetterState::draft);
}

TEST_P(OutgoingTest, DepositorSeesOnlyDispatchedRepliesToTheirOwnEntry) {
    const auto entry = incoming();
    auto l = pending(entry, mef_agent_);
    auto draft = out_->create(principal(mef_agent_), reply(entry)).value();
    EXPECT_EQ(out_->list_for_entry(principal(citizen_), entry).value().size(), 0u);
    EXPECT_EQ(out_->list_for_entry(principal(mef_clerk_), entry).value().size(), 2u);
    l = approve(l).value();
    EXPECT_EQ(out_->list_for_entry(principal(citizen_), entry).value().size(), 1u);
    EXPECT_EQ(out_->get(principal(citizen_), draft.id).error().code, "resource.not_found");
    // Another citizen sees nothing, not even that the entry exists.
    EXPECT_EQ(out_->get(principal(citizen2_), l.id).error().code, "resource.not_found");
    EXPECT_EQ(out_->pdf(principal(citizen2_), l.id).error().code, "resource.not_found");
    EXPECT_EQ(out_->list_for_entry(principal(citizen2_), entry).error().code, "resource.not_found");
    EXPECT_EQ(out_->get(principal(men_agent_), l.id).error().code, "resource.not_found");
}

TEST_P(OutgoingTest, StaleVersionIsAConflictAndChangesNothing) {
    const auto entry = incoming();
    auto l = out_->create(principal(mef_agent_), reply(entry)).value();
    auto n = reply(entry);
    auto edited = out_->update(principal(mef_head_), l.id, l.version, n.recipient, n.content).value();
    EXPECT_EQ(edited.version, 2);
    auto stale = out_->update(principal(mef_agent_), l.id, l.version, n.recipient, n.content);
    EXPECT_EQ(stale.error().code, "outgoing.version_conflict");
    EXPECT_EQ(stale.error().status, 409);
    EXPECT_EQ(out_->submit(principal(mef_agent_), l.id, l.version).error().code, "outgoing.version_conflict");
    EXPECT_EQ(outgoing_counter(), 0);  // the refused submission consumed no number
    auto p = out_->submit(principal(mef_agent_), l.id, edited.version).value();
    EXPECT_EQ(out_->get(principal(mef_agent_), l.id).value().state, LetterState::pending_approval);
    EXPECT_EQ(outgoing_counter(), 1);
    // Wrong state: editing or submitting what is pending.
    EXPECT_EQ(out_->submit(principal(mef_agent_), l.id, p.version).error().code, "outgoing.invalid_state");
    EXPECT_EQ(out_->update(principal(mef_agent_), l.id, p.version, n.recipient, n.content).error().code,
              "outgoing.invalid_state");
    EXPECT_EQ(out_->dispatch(principal(mef_clerk_), l.id, p.version).error().code, "outgoing.invalid_state");
}

TEST_P(OutgoingTest, PostalLetterStaysApprovedUntilTheClerkDispatchesIt) {
    outgoing::NewLetter n;
    n.recipient.kind = RecipientKind::address;
    n.recipient.name = "Société Atlas Bureautique";
    n.recipient.postal_address = "12, rue Ibn Sina\nRabat";
    n.content.lang = i18n::Lang::fr;
    n.content.subject = "Convocation à une réunion";
    n.content.tmpl = Template::information_request;
    n.content.body = "— le registre de commerce ;\n— l'attestation fiscale.";
    auto l = out_->create(principal(mef_clerk_), n).value();
    EXPECT_FALSE(l.in_reply_to);
    l = out_->submit(principal(mef_clerk_), l.id, l.version).value();
    l = approve(l).value();
    EXPECT_EQ(l.state, LetterState::approved);
    EXPECT_EQ(l.register_number, "MEF-S-2026-000001");
    EXPECT_EQ(out_->dispatch(principal(mef_agent_), l.id, l.version).error().code, "outgoing.forbidden");
    EXPECT_EQ(out_->dispatch(principal(men_clerk_), l.id, l.version).error().code, "resource.not_found");
    l = out_->dispatch(principal(mef_clerk_), l.id, l.version).value();
    EXPECT_EQ(l.state, LetterState::dispatched);
    EXPECT_TRUE(l.dispatched_at_ms);
    EXPECT_EQ(count("outgoing_mail"), 0);  // no e-mail address: nothing queued
}

TEST_P(OutgoingTest, InvalidDraftsAreRefused) {
    const auto entry = incoming();
    auto n = reply(entry);
    n.content.subject = "  ";
    EXPECT_EQ(out_->create(principal(mef_agent_), n).error().code, "outgoing.subject");
    n = reply(entry);
    n.content.upload = registry::IncomingFile{"r.pdf", sample_pdf()};
    EXPECT_EQ(out_->create(principal(mef_agent_), n).error().code, "outgoing.content");
    n = reply(entry);
    n.in_reply_to.reset();
    EXPECT_EQ(out_->create(principal(mef_agent_), n).error().code, "outgoing.recipient");
    n = reply(entry);
    n.recipient.email = "not an address";
    EXPECT_EQ(out_->create(principal(mef_agent_), n).error().code, "outgoing.recipient_email");
    // An entry of another administration cannot be answered from here.
    EXPECT_EQ(out_->create(principal(men_agent_), reply(entry)).error().code, "outgoing.in_reply_to");
    n = reply(entry);
    n.in_reply_to.reset();
    n.recipient = {RecipientKind::administration, {}, std::string("MEF"), "", "", ""};
    EXPECT_EQ(out_->create(principal(mef_agent_), n).error().code, "outgoing.recipient");  // not itself
    auto l = pending(entry, mef_agent_);
    EXPECT_EQ(reject(l, " ").error().code, "parapheur.reason_required");
    EXPECT_EQ(out_->get(principal(mef_agent_), l.id).value().state, LetterState::pending_approval);
    EXPECT_EQ(count("outgoing_letters"), 1);
}

TEST_P(OutgoingTest, FailureAtAnySubmissionStepLeavesNothing) {
    const auto entry = incoming();
    auto l = out_->create(principal(mef_agent_), reply(entry)).value();
    const auto blobs_before = count("blobs");
    const auto files_before = blob_files();
    int calls = 0;
    for (auto step : {ApprovalStep::numbered, ApprovalStep::rendered, ApprovalStep::circuit_started}) {
        SCOPED_TRACE(static_cast<int>(step));
        out_->set_fault_hook([&calls, step](ApprovalStep s) -> Status {
            ++calls;
            if (s == step) return Error{"test.fault", 500, "injected"};
            return {};
        });
        auto r = out_->submit(principal(mef_agent_), l.id, l.version);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "test.fault");
        auto now = out_->get(principal(mef_agent_), l.id).value();
        EXPECT_EQ(now.state, LetterState::draft);
        EXPECT_EQ(now.version, l.version);
        EXPECT_FALSE(now.register_number);
        EXPECT_FALSE(now.circuit_id);
        EXPECT_EQ(now.events.size(), l.events.size());
        EXPECT_EQ(outgoing_counter(), 0);
        EXPECT_EQ(count("circuits"), 0);
        EXPECT_EQ(count("blobs"), blobs_before);
        EXPECT_EQ(blob_files(), files_before);
    }
    EXPECT_GE(calls, 6);
    out_->set_fault_hook({});
    auto ok = out_->submit(principal(mef_agent_), l.id, l.version).value();
    EXPECT_EQ(ok.register_number, "MEF-S-2026-000001");  // no gap left by the failures
}

TEST_P(OutgoingTest, FailureAtAnyApprovalStepLeavesNothing) {
    const auto entry = incoming();
    auto l = pending(entry, mef_agent_);
    // The visa first: the signature is the completing action.
    auto c = circuits_->get(principal(mef_head_), *l.circuit_id).value();
    principals_.push_back(std::make_unique<identity::Principal>(principal(mef_head_)));
    c = circuits_->approve(parapheur::Actor{*principals_.back(), "test"}, c.id, c.version).value();
    l = out_->get(principal(mef_agent_), l.id).value();
    const auto blobs_before = count("blobs");
    const auto files_before = blob_files();
    const auto versions_before = count("circuit_versions");
    int calls = 0;
    auto fail_at = [&](ApprovalStep at) {
        out_->set_fault_hook([&calls, at](ApprovalStep s) -> Status {
            ++calls;
            if (s == at) return Error{"test.fault", 500, "injected"};
            return {};
        });
        auto r = approve(l);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "test.fault");
    };
    for (auto step : {ApprovalStep::sealed, ApprovalStep::stored, ApprovalStep::recorded, ApprovalStep::mail_queued}) {
        SCOPED_TRACE(static_cast<int>(step));
        fail_at(step);
        auto now = out_->get(principal(mef_agent_), l.id).value();
        EXPECT_EQ(now.state, LetterState::pending_approval);
        EXPECT_EQ(now.version, l.version);
        EXPECT_FALSE(now.pdf_sha256);
        EXPECT_EQ(now.events.size(), l.events.size());
        EXPECT_EQ(outgoing_counter(), 1);
        EXPECT_EQ(count("blobs"), blobs_before);
        EXPECT_EQ(blob_files(), files_before);
        EXPECT_EQ(count("circuit_versions"), versions_before);  // the signature is undone too
        EXPECT_EQ(count("outgoing_mail"), 0);
        EXPECT_EQ(circuits_->get(principal(mef_head_), c.id).value().version, c.version);
    }
    EXPECT_GE(calls, 4);
    out_->set_fault_hook({});
    // The registered hook runs last, in the same transaction: its failure undoes all.
    out_->set_registered_hook([](storage::Tx& tx, const outgoing::Letter& r) -> Status {
        auto q = tx.query_one("SELECT state FROM outgoing_letters WHERE id = $1", {r.id});
        if (!q || !*q || (*q)->as_text(0) != "dispatched") return Error{"test.unexpected", 500};
        return Error{"test.hook", 500, "processing refused"};
    });
    EXPECT_EQ(approve(l).error().code, "test.hook");
    EXPECT_EQ(count("blobs"), blobs_before);
    EXPECT_EQ(count("outgoing_mail"), 0);
    std::optional<std::string> hooked;
    out_->set_registered_hook([&](storage::Tx&, const outgoing::Letter& r) -> Status {
        hooked = r.register_number;
        return {};
    });
    auto ok = approve(l).value();
    EXPECT_EQ(ok.register_number, "MEF-S-2026-000001");
    EXPECT_EQ(hooked, ok.register_number);
    EXPECT_EQ(count("outgoing_mail"), 1);  // to the depositor's login
}

TEST_P(OutgoingTest, ConcurrentSubmissionsNumberWithoutGaps) {
    const auto entry = incoming();
    constexpr int kLetters = 6;
    std::vector<outgoing::Letter> letters;
    for (int i = 0; i < kLetters; ++i) letters.push_back(out_->create(principal(mef_agent_), reply(entry)).value());
    // Two submissions race on the first letter as well: one wins, one conflicts.
    std::barrier start(kLetters + 1);
    std::vector<Result<outgoing::Letter>> results(kLetters + 1, Error{"unset", 500});
    std::vector<std::thread> threads;
    for (int i = 0; i <= kLetters; ++i)
        threads.emplace_back([&, i] {
            const auto& l = letters[i == kLetters ? 0 : i];
            const auto who = principal(mef_agent_);
            start.arrive_and_wait();
            results[i] = out_->submit(who, l.id, l.version);
        });
    for (auto& t : threads) t.join();
    std::set<std::string> numbers;
    int conflicts = 0;
    for (const auto& r : results) {
        if (r) numbers.insert(*r->register_number);
        else {
            EXPECT_TRUE(r.error().code == "outgoing.version_conflict" || r.error().code == "outgoing.invalid_state")
                << r.error().code;
            ++conflicts;
        }
    }
    EXPECT_EQ(conflicts, 1);
    ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kLetters));
    for (int i = 1; i <= kLetters; ++i) {
        char want[32];
        std::snprintf(want, sizeof want, "MEF-S-2026-%06d", i);
        EXPECT_TRUE(numbers.count(want)) << want;
    }
    EXPECT_EQ(outgoing_counter(), kLetters);
    EXPECT_EQ(count("circuits"), kLetters);
}

TEST_P(OutgoingTest, SealedLetterVerifies) {
    const auto entry = incoming();
    auto l = pending(entry, mef_agent_);
    l = approve(l).value();
    const std::string pdf = out_->pdf(principal(mef_clerk_), l.id).value();
    auto report = trust::verify_pdf(pdf, trust_anchors()).value();
    // The signer's signature (visible stamp), then the administration's seal over everything.
    ASSERT_EQ(report.signatures.size(), 2u);
    EXPECT_TRUE(report.signatures[0].valid()) << report.signatures[0].chain_error;
    EXPECT_FALSE(report.signatures[0].total_document);
    EXPECT_TRUE(report.signatures[1].valid()) << report.signatures[1].chain_error;
    EXPECT_TRUE(report.signatures[1].total_document);
    EXPECT_EQ(report.sha256, *l.pdf_sha256);
    // poppler agrees.
    const auto dir = std::filesystem::temp_directory_path();
    const auto file = dir / ("idara-letter-" + std::to_string(l.id) + "-" + std::string(storage::backend_name(GetParam())) + ".pdf");
    {
        std::ofstream(file, std::ios::binary) << pdf;
    }
    auto out = run_command("pdfsig -nocert '" + file.string() + "'");
    std::filesystem::remove(file);
    EXPECT_NE(out.find("Signature #2"), std::string::npos) << out;
    EXPECT_EQ(out.find("Signature #3"), std::string::npos) << out;
    EXPECT_NE(out.find("Signature is Valid"), std::string::npos) << out;
    EXPECT_NE(out.find("Total document signed"), std::string::npos) << out;
    EXPECT_EQ(out.find("Signature is Invalid"), std::string::npos) << out;
    // An uploaded PDF is sealed as it is.
    auto up = reply(entry);
    up.content.tmpl.reset();
    up.content.upload = registry::IncomingFile{"reponse.pdf", sample_pdf(2, "reponse")};
    auto u = out_->create(principal(mef_agent_), up).value();
    EXPECT_TRUE(u.upload_sha256);
    EXPECT_EQ(out_->preview_text(principal(mef_agent_), u.id).error().code, "outgoing.content");
    u = out_->submit(principal(mef_agent_), u.id, u.version).value();
    u = approve(u).value();
    EXPECT_EQ(u.register_number, "MEF-S-2026-000002");
    auto r2 = trust::verify_pdf(out_->pdf(principal(citizen_), u.id).value(), trust_anchors()).value();
    ASSERT_EQ(r2.signatures.size(), 2u);
    EXPECT_TRUE(r2.signatures[0].valid());
    EXPECT_TRUE(r2.signatures[1].valid());
}

TEST_P(OutgoingTest, TemplatesRenderInArabicAndFrench) {
    const auto entry = incoming("طلب رخصة");
    auto ar = out_->create(principal(mef_agent_), reply(entry, Template::refusal, i18n::Lang::ar)).value();
    auto text_ar = out_->preview_text(principal(mef_agent_), ar.id).value();
    EXPECT_NE(text_ar.find("يؤسفنا"), std::string::npos) << text_ar;
    EXPECT_NE(text_ar.find(*ar.in_reply_to_number), std::string::npos);
    EXPECT_NE(text_ar.find("طلب رخصة"), std::string::npos);
    EXPECT_NE(text_ar.find("أمينة المنصوري"), std::string::npos);
    EXPECT_NE(text_ar.find("يسعدنا إخباركم"), std::string::npos);
    auto fr = out_->create(principal(mef_agent_), reply(entry, Template::acknowledgement, i18n::Lang::fr)).value();
    auto text_fr = out_->preview_text(principal(mef_agent_), fr.id).value();
    EXPECT_NE(text_fr.find("Nous accusons réception de votre courrier enregistré sous le n° " + *fr.in_reply_to_number),
              std::string::npos) << text_fr;
    EXPECT_NE(text_fr.find("Ministère de l'Économie et des Finances"), std::string::npos);
    EXPECT_NE(text_fr.find(" 2026"), std::string::npos) << text_fr;
    // Every template, both languages, renders; user text is never read as a template.
    for (auto lang : i18n::kAllLangs)
        for (auto t : {Template::acknowledgement, Template::answer, Template::refusal, Template::information_request}) {
            outgoing::TemplateVars v;
            v.recipient = "{{subject}}";
            v.subject = "S";
            v.body = "B";
            auto text = outgoing::render_template(lang, t, v).value();
            EXPECT_NE(text.find("{{subject}}"), std::string::npos) << text;
            EXPECT_EQ(text.find("{{#"), std::string::npos);
        }
    // Submitting renders the PDF in each language; the circuit takes it to approval.
    auto p = out_->submit(principal(mef_agent_), fr.id, fr.version).value();
    EXPECT_TRUE(approve(p));
    p = out_->submit(principal(mef_agent_), ar.id, ar.version).value();
    EXPECT_TRUE(approve(p));
}

INSTANTIATE_TEST_SUITE_P(Backends, OutgoingTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
