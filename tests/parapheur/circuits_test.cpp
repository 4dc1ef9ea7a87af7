// Circuits end to end: visa then signature, three incremental signatures read back by pdfsig,
// parallel all/any, reject, return, opinions, delegation stamps, TOTP and TSA failures.
#include "parapheur_fixture.hpp"

#include "parapheur/stamp_layout.hpp"

namespace idara::testing {
namespace {

using parapheur::AssigneeStatus;
using parapheur::CircuitState;
using parapheur::StepKind;
using parapheur::StepMode;
using identity::Role;

class Circuits : public ParapheurTest {};

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST_P(Circuits, VisaThenSignatureProducesAValidSignedPdf) {
    put_template("note", {step(StepKind::visa, StepMode::any, {}, Role::unit_head),
                          step(StepKind::signature, StepMode::any, {}, Role::signer)});
    auto c = start("note");
    ASSERT_EQ(c.steps.size(), 2u);
    EXPECT_EQ(c.state, CircuitState::in_progress);
    EXPECT_EQ(c.current_step, 0);
    EXPECT_EQ(c.steps[0].assignees.size(), 2u);  // both heads of DB (the initiator's unit)
    EXPECT_EQ(c.steps[1].assignees.size(), 3u);  // the three signers
    EXPECT_EQ(c.versions.size(), 1u);
    const auto journal0 = journal_count();
    EXPECT_EQ(journal0, 1);  // circuit.started

    auto a = circuits_->approve(actor(mef_head_), c.id, c.version, "ok");
    ASSERT_TRUE(a) << a.error().code;
    EXPECT_EQ(a->current_step, 1);
    EXPECT_EQ(a->steps[0].assignees[0].status == AssigneeStatus::done ||
                  a->steps[0].assignees[1].status == AssigneeStatus::done,
              true);
    for (const auto& x : a->steps[0].assignees)
        EXPECT_TRUE(x.status == AssigneeStatus::done || x.status == AssigneeStatus::skipped);
    for (const auto& x : a->steps[1].assignees) EXPECT_EQ(x.status, AssigneeStatus::pending);

    auto s = circuits_->sign(actor(mef_signer_), c.id, a->version, good());
    ASSERT_TRUE(s) << s.error().code << " " << s.error().detail;
    EXPECT_EQ(s->state, CircuitState::completed);
    ASSERT_EQ(s->versions.size(), 2u);
    EXPECT_EQ(s->versions[1].kind, "signature");
    EXPECT_NE(s->versions[0].sha256, s->versions[1].sha256);
    EXPECT_TRUE(s->finished_at_ms.has_value());
    // started, approved, signed, completed
    EXPECT_EQ(journal_count(), 4);
    EXPECT_EQ(journal_count("circuit.signed"), 1);
    // The signed event's leaf names the circuit and the new version's digest.
    auto leaf = db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto r = tx.query_one("SELECT data, subject FROM journal_leaves WHERE kind = 'circuit.signed'");
        if (!r) return r.error();
        if (!*r) return std::string();
        EXPECT_EQ((*r)->as_text(1), "circuit:" + std::to_string(c.id));
        return (*r)->as_blob(0).bytes;
    });
    ASSERT_TRUE(leaf);
    EXPECT_NE(leaf->find(s->versions[1].sha256), std::string::npos);

    auto pdf = circuits_->document(principal(mef_agent_), c.id);
    ASSERT_TRUE(pdf);
    const std::string out = pdfsig(*pdf);
    EXPECT_EQ(count_of(out, "Signature is Valid"), 1) << out;
    EXPECT_NE(out.find("Total document signed"), std::string::npos) << out;
    // The first version is the original, unchanged.
    auto v1 = circuits_->document_version(principal(mef_agent_), c.id, 1);
    ASSERT_TRUE(v1);
    EXPECT_EQ(*v1, sample_pdf(1, "decision"));
    // The signed version starts with the original bytes (incremental update).
    EXPECT_EQ(pdf->compare(0, v1->size(), *v1), 0);
}

TEST_P(Circuits, ThreeSignaturesStayValidAndOnlyTheLastCoversTheWholeFile) {
    put_template("three", {step(StepKind::signature, StepMode::any, {mef_signer_}),
                           step(StepKind::signature, StepMode::any, {mef_signer2_}),
                           step(StepKind::signature, StepMode::any, {mef_signer3_})});
    auto c = start("three");
    auto v = c.version;
    for (auto who : {mef_signer_, mef_signer2_, mef_signer3_}) {
        auto r = circuits_->sign(actor(who), c.id, v, good());
        ASSERT_TRUE(r) << r.error().code << " " << r.error().detail;
        v = r->version;
    }
    auto pdf = circuits_->document(principal(mef_signer_), c.id).value();
    const std::string out = pdfsig(pdf);
    EXPECT_EQ(count_of(out, "Signature is Valid"), 3) << out;
    EXPECT_EQ(count_of(out, "Total document signed"), 1) << out;
    // The last signature (the third in the file) is the total one.
    const auto last = out.rfind("Signature #");
    EXPECT_NE(out.find("Total document signed", last), std::string::npos) << out;
    EXPECT_EQ(count_of(out, "Not total document signed"), 2) << out;
    auto got = circuits_->get(principal(mef_signer_), c.id).value();
    EXPECT_EQ(got.versions.size(), 4u);
    EXPECT_EQ(got.state, CircuitState::completed);
}

TEST_P(Circuits, StampsAreLaidOutWithoutOverlap) {
    parapheur::PageBox box{1, 595, 842};
    std::vector<trust::VisibleStamp> s;
    for (int i = 0; i < 8; ++i) s.push_back(parapheur::stamp_slot(box, i));
    for (std::size_t i = 0; i < s.size(); ++i) {
        EXPECT_GE(s[i].x, 0);
        EXPECT_LE(s[i].x + s[i].width, 595);
        EXPECT_LE(s[i].y + s[i].height, 842);
        for (std::size_t j = i + 1; j < s.size(); ++j) {
            const bool apart = s[i].x + s[i].width <= s[j].x || s[j].x + s[j].width <= s[i].x ||
                               s[i].y + s[i].height <= s[j].y || s[j].y + s[j].height <= s[i].y;
            EXPECT_TRUE(apart) << i << " " << j;
        }
    }
    // On the last page.
    EXPECT_EQ(parapheur::stamp_slot({3, 595, 842}, 0).page, 3);
    auto lines = parapheur::stamp_lines({false, "Amina", "توقيع", "Signature", "الوزارة", "Ministère", 1'790'000'000'000,
                                         std::string("Karim")});
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[0], "وقّعه Amina");
    EXPECT_EQ(lines[1], "Signé par Amina");
    EXPECT_EQ(lines[6], "بالتفويض عن Karim");
    EXPECT_EQ(lines[7], "Par délégation de Karim");
    EXPECT_NE(lines[5].find("2026"), std::string::npos);
}

TEST_P(Circuits, ParallelAllWaitsForEveryoneAnyForTheFirst) {
    put_template("par", {step(StepKind::visa, StepMode::all, {mef_head_, mef_head2_}),
                         step(StepKind::visa, StepMode::any, {mef_signer_, mef_signer2_}),
                         step(StepKind::visa, StepMode::any, {mef_admin_})});
    auto c = start("par");
    auto a = circuits_->approve(actor(mef_head_), c.id, c.version).value();
    EXPECT_EQ(a.current_step, 0);  // still waiting for head2
    auto b = circuits_->approve(actor(mef_head2_), c.id, a.version).value();
    EXPECT_EQ(b.current_step, 1);
    auto d = circuits_->approve(actor(mef_signer2_), c.id, b.version).value();
    EXPECT_EQ(d.current_step, 2);  // any: the first is enough
    for (const auto& x : d.steps[1].assignees)
        EXPECT_EQ(x.status, x.account_id == mef_signer2_ ? AssigneeStatus::done : AssigneeStatus::skipped);
    // The skipped one cannot act any more on that step: it is not current.
    auto late = circuits_->approve(actor(mef_signer_), c.id, d.version);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, "parapheur.not_your_turn");
    auto e = circuits_->approve(actor(mef_admin_), c.id, d.version).value();
    EXPECT_EQ(e.state, CircuitState::completed);
    EXPECT_EQ(e.versions.size(), 1u);  // visas do not change the document
}

TEST_P(Circuits, RejectEndsTheCircuitWithItsReasonAndCallsTheHook) {
    put_template("rej", {step(StepKind::visa, StepMode::any, {mef_head_}),
                         step(StepKind::signature, StepMode::any, {mef_signer_})});
    std::vector<parapheur::Outcome> outcomes;
    circuits_->set_outcome_hook("test", [&](storage::Tx&, const parapheur::Outcome& o) -> Status {
        outcomes.push_back(o);
        return {};
    });
    parapheur::NewCircuit n{"rej", "مذكرة", "n.pdf", sample_pdf(), "test", "thing:1"};
    auto id = db_->write<std::int64_t>([&](storage::Tx& tx) { return circuits_->start_in_tx(tx, actor(mef_agent_), n); });
    ASSERT_TRUE(id) << id.error().code;
    auto c = circuits_->get(principal(mef_agent_), *id).value();
    auto empty = circuits_->reject(actor(mef_head_), c.id, c.version, "   ");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, "parapheur.reason_required");
    auto r = circuits_->reject(actor(mef_head_), c.id, c.version, "pièce manquante");
    ASSERT_TRUE(r) << r.error().code;
    EXPECT_EQ(r->state, CircuitState::rejected);
    EXPECT_EQ(r->reject_reason.value_or(""), "pièce manquante");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].state, CircuitState::rejected);
    EXPECT_EQ(outcomes[0].subject_ref, "thing:1");
    EXPECT_EQ(outcomes[0].reason, "pièce manquante");
    // Nothing more happens on a rejected circuit.
    auto s = circuits_->sign(actor(mef_signer_), c.id, r->version, good());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "parapheur.invalid_state");
    EXPECT_EQ(journal_count("circuit.rejected"), 1);
}

TEST_P(Circuits, AFailingOutcomeHookRollsTheActionBack) {
    put_template("hook", {step(StepKind::visa, StepMode::any, {mef_head_})});
    circuits_->set_outcome_hook("test", [](storage::Tx&, const parapheur::Outcome&) -> Status {
        return Error{"test.hook", 500, "refused"};
    });
    parapheur::NewCircuit n{"hook", "مذكرة", "n.pdf", sample_pdf(), "test", "thing:2"};
    auto id = db_->write<std::int64_t>([&](storage::Tx& tx) { return circuits_->start_in_tx(tx, actor(mef_agent_), n); });
    ASSERT_TRUE(id);
    const auto events = count("circuit_events");
    const auto leaves = journal_count();
    auto r = circuits_->approve(actor(mef_head_), *id, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "test.hook");
    EXPECT_EQ(count("circuit_events"), events);
    EXPECT_EQ(journal_count(), leaves);
    EXPECT_EQ(circuits_->get(principal(mef_head_), *id).value().state, CircuitState::in_progress);
}

TEST_P(Circuits, ReturnSendsTheCircuitBackOneStep) {
    put_template("ret", {step(StepKind::visa, StepMode::any, {mef_head_}),
                         step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c = start("ret");
    auto first = circuits_->return_to_previous(actor(mef_head_), c.id, c.version, "revoir");
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, "parapheur.no_previous_step");
    auto a = circuits_->approve(actor(mef_head_), c.id, c.version).value();
    auto noreason = circuits_->return_to_previous(actor(mef_signer_), c.id, a.version, "");
    ASSERT_FALSE(noreason);
    EXPECT_EQ(noreason.error().code, "parapheur.reason_required");
    auto r = circuits_->return_to_previous(actor(mef_signer_), c.id, a.version, "Revoir le montant");
    ASSERT_TRUE(r) << r.error().code;
    EXPECT_EQ(r->current_step, 0);
    EXPECT_EQ(r->steps[0].assignees[0].status, AssigneeStatus::pending);
    EXPECT_EQ(r->steps[1].assignees[0].status, AssigneeStatus::waiting);
    EXPECT_EQ(r->history.back().kind, "returned");
    EXPECT_EQ(r->history.back().text, "Revoir le montant");
    // The head approves again and the signer can sign.
    auto a2 = circuits_->approve(actor(mef_head_), c.id, r->version).value();
    auto s = circuits_->sign(actor(mef_signer_), c.id, a2.version, good());
    ASSERT_TRUE(s) << s.error().code;
    EXPECT_EQ(s->state, CircuitState::completed);
}

TEST_P(Circuits, SecondOpinionIsRecordedAndDoesNotBlock) {
    put_template("op", {step(StepKind::visa, StepMode::any, {mef_head_})});
    auto c = start("op");
    auto bad = circuits_->request_opinion(actor(mef_head_), c.id, men_signer_, "Votre avis ?");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "parapheur.opinion_colleague");
    auto notmine = circuits_->request_opinion(actor(mef_signer_), c.id, mef_signer2_, "Votre avis ?");
    ASSERT_FALSE(notmine);
    EXPECT_EQ(notmine.error().code, "parapheur.not_assignee");
    auto q = circuits_->request_opinion(actor(mef_head_), c.id, mef_signer2_, "Votre avis sur le montant ?");
    ASSERT_TRUE(q) << q.error().code;
    EXPECT_EQ(q->version, c.version);  // non-blocking: the version does not move
    auto inbox = circuits_->queue(principal(mef_signer2_), parapheur::Box::mine).value();
    ASSERT_EQ(inbox.size(), 1u);
    EXPECT_TRUE(inbox[0].opinion_requested);
    EXPECT_TRUE(circuits_->get(principal(mef_signer2_), c.id).value().allowed.give_opinion);
    auto o = circuits_->give_opinion(actor(mef_signer2_), c.id, "Favorable.");
    ASSERT_TRUE(o) << o.error().code;
    ASSERT_EQ(o->opinions.size(), 1u);
    EXPECT_EQ(o->opinions[0].opinion.value_or(""), "Favorable.");
    auto twice = circuits_->give_opinion(actor(mef_signer2_), c.id, "Encore");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, "parapheur.already_acted");
    auto stranger = circuits_->give_opinion(actor(mef_signer3_), c.id, "Moi aussi");
    ASSERT_FALSE(stranger);
    EXPECT_EQ(stranger.error().code, "parapheur.not_assignee");
    EXPECT_EQ(journal_count("circuit.opinion"), 2);
    auto done = circuits_->approve(actor(mef_head_), c.id, c.version);
    ASSERT_TRUE(done) << done.error().code;
}

TEST_P(Circuits, ADelegateSignsOnBehalfAndTheStampSaysSo) {
    put_template("dlg", {step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c = start("dlg");
    delegate(mef_signer_, mef_signer2_);
    auto q = circuits_->queue(principal(mef_signer2_), parapheur::Box::mine).value();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].acting_for.value_or(0), mef_signer_);
    auto view = circuits_->get(principal(mef_signer2_), c.id).value();
    EXPECT_TRUE(view.allowed.sign);
    EXPECT_EQ(view.allowed.acting_for.value_or(0), mef_signer_);
    auto s = circuits_->sign(actor(mef_signer2_), c.id, c.version, good());
    ASSERT_TRUE(s) << s.error().code << " " << s.error().detail;
    const auto& ev = s->history.at(1);
    EXPECT_EQ(ev.kind, "signed");
    EXPECT_EQ(ev.actor_id, mef_signer2_);
    EXPECT_EQ(ev.on_behalf_of.value_or(0), mef_signer_);
    EXPECT_EQ(s->steps[0].assignees[0].account_id, mef_signer_);
    EXPECT_EQ(s->steps[0].assignees[0].acted_by.value_or(0), mef_signer2_);
    auto pdf = circuits_->document(principal(mef_signer_), c.id).value();
    const std::string signer_name = principal(mef_signer_).display_name;
    EXPECT_NE(pdf.find(utf16be_hex("Par délégation de " + signer_name)), std::string::npos);
    EXPECT_NE(pdf.find(utf16be_hex("بالتفويض عن " + signer_name)), std::string::npos);
    EXPECT_EQ(count_of(pdfsig(pdf), "Signature is Valid"), 1);
}

TEST_P(Circuits, WrongTotpWritesNothing) {
    put_template("totp", {step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c = start("totp");
    const auto events = count("circuit_events"), versions = count("circuit_versions"), blobs = count("blobs");
    const auto leaves = journal_count();
    auto missing = circuits_->sign(actor(mef_signer_), c.id, c.version, {"pass-word", ""});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "parapheur.reauth_required");
    EXPECT_EQ(missing.error().status, 401);
    auto wrong = circuits_->sign(actor(mef_signer_), c.id, c.version, {"pass-word", "000000"});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "identity.reauth_failed");
    EXPECT_EQ(count("circuit_events"), events);
    EXPECT_EQ(count("circuit_versions"), versions);
    EXPECT_EQ(count("blobs"), blobs);
    EXPECT_EQ(journal_count(), leaves);
    auto now = circuits_->get(principal(mef_signer_), c.id).value();
    EXPECT_EQ(now.version, c.version);
    EXPECT_EQ(now.steps[0].assignees[0].status, AssigneeStatus::pending);
}

TEST_P(Circuits, TsaOutageFailsTheSignatureAndWritesNothing) {
    put_template("tsa", {step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c = start("tsa");
    const auto events = count("circuit_events"), versions = count("circuit_versions"), blobs = count("blobs");
    const auto files = blob_files();
    tsa_->down = true;
    auto s = circuits_->sign(actor(mef_signer_), c.id, c.version, good());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.tsa_unavailable");
    EXPECT_EQ(s.error().status, 503);
    EXPECT_EQ(count("circuit_events"), events);
    EXPECT_EQ(count("circuit_versions"), versions);
    EXPECT_EQ(count("blobs"), blobs);
    EXPECT_EQ(blob_files(), files);
    EXPECT_EQ(circuits_->get(principal(mef_signer_), c.id).value().version, c.version);
    tsa_->down = false;
    auto ok = circuits_->sign(actor(mef_signer_), c.id, c.version, good());
    ASSERT_TRUE(ok) << ok.error().code;
}

TEST_P(Circuits, SealStepUsesTheAdministrationSeal) {
    put_template("seal", {step(StepKind::visa, StepMode::any, {mef_head_}), step(StepKind::seal, StepMode::any, {})});
    auto c = start("seal");
    EXPECT_EQ(c.steps[1].assignees.size(), 3u);  // the signers of MEF
    auto a = circuits_->approve(actor(mef_head_), c.id, c.version).value();
    auto s = circuits_->sign(actor(mef_signer3_), c.id, a.version, good());
    ASSERT_TRUE(s) << s.error().code << " " << s.error().detail;
    EXPECT_EQ(s->versions.back().kind, "seal");
    EXPECT_EQ(s->history.at(2).kind, "sealed");
    const auto out = pdfsig(circuits_->document(principal(mef_head_), c.id).value());
    EXPECT_EQ(count_of(out, "Signature is Valid"), 1) << out;
}

TEST_P(Circuits, QueuesShowMineStartedAndAll) {
    put_template("q", {step(StepKind::visa, StepMode::any, {mef_head_}),
                       step(StepKind::signature, StepMode::any, {mef_signer_})});
    auto c1 = start("q");
    auto c2 = start("q", mef_clerk_);
    EXPECT_EQ(circuits_->queue(principal(mef_head_), parapheur::Box::mine).value().size(), 2u);
    EXPECT_EQ(circuits_->queue(principal(mef_signer_), parapheur::Box::mine).value().size(), 0u);
    auto started = circuits_->queue(principal(mef_agent_), parapheur::Box::started).value();
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].id, c1.id);
    EXPECT_EQ(started[0].step_count, 2);
    auto all = circuits_->queue(principal(mef_agent_), parapheur::Box::all);
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error().code, "parapheur.forbidden");
    EXPECT_EQ(circuits_->queue(principal(mef_admin_), parapheur::Box::all).value().size(), 2u);
    circuits_->approve(actor(mef_head_), c2.id, c2.version).value();
    auto mine = circuits_->queue(principal(mef_signer_), parapheur::Box::mine).value();
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].id, c2.id);
    EXPECT_EQ(mine[0].current_kind, StepKind::signature);
    EXPECT_TRUE(circuits_->queue(principal(men_signer_), parapheur::Box::all).error().code == "parapheur.forbidden");
}

TEST_P(Circuits, CancelByTheInitiator) {
    put_template("can", {step(StepKind::visa, StepMode::any, {mef_head_})});
    auto c = start("can");
    auto other = circuits_->cancel(actor(mef_head_), c.id, c.version, "non");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, "parapheur.forbidden");
    auto r = circuits_->cancel(actor(mef_agent_), c.id, c.version, "Document remplacé");
    ASSERT_TRUE(r) << r.error().code;
    EXPECT_EQ(r->state, CircuitState::cancelled);
    EXPECT_EQ(circuits_->queue(principal(mef_head_), parapheur::Box::mine).value().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Circuits, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
