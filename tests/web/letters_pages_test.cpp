// The pages of the outgoing register and the depositor's side of the correspondence
// window, driven through a Router with the real services on SQLite (the page contracts
// are backend-agnostic; the services are tested on both backends elsewhere):
//   /letters (signer's queue, register), /letters/{id} (preview, approve, return, dispatch,
//   errors re-rendered with the summary), /letters/{id}/letter.pdf (staff, the depositor
//   once dispatched, nobody else), /deposits/{number} (state, missing documents, replies,
//   window link), POST /deposits/{number}/complete, /track (processing state).
#include "../outgoing/outgoing_fixture.hpp"

#include "http/multipart.hpp"
#include "http/router.hpp"
#include "processing/attestation.hpp"
#include "processing/workflow.hpp"
#include "web/page.hpp"
#include "web/pages.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace idara::testing {
namespace {

using outgoing::LetterState;

constexpr const char* kPassword = "a-long-enough-passphrase";

struct Browser {
    std::string session;
    std::string csrf;
    std::string lang = "fr";
};

class LettersPagesTest : public OutgoingTest {
protected:
    void SetUp() override {
        OutgoingTest::SetUp();
        processing::WorkflowOptions o;
        o.limits.max_bytes = 64 * 1024;
        flow_ = std::make_unique<processing::WorkflowService>(*db_, *blobs_, *svc_, o, clock_);
        // As app/runtime.cpp: a registered reply answers its incoming entry in the same transaction.
        out_->set_registered_hook([](storage::Tx& tx, const outgoing::Letter& l) -> Status {
            if (!l.in_reply_to || !l.register_number) return {};
            const bool answers = !l.tmpl || *l.tmpl == outgoing::Template::answer || *l.tmpl == outgoing::Template::refusal;
            return processing::WorkflowService::record_reply(tx, *l.in_reply_to, l.approved_by.value_or(l.author_id),
                                                             *l.register_number, answers,
                                                             l.approved_at_ms.value_or(l.updated_at_ms));
        });
        ctx_ = std::make_unique<web::PagesContext>(web::PagesContext{*ids_, false});
        ctx_->deposits = svc_.get();
        ctx_->workflow = flow_.get();
        ctx_->letters = out_.get();
        attest_ = std::make_unique<processing::AttestationService>(*db_, *blobs_, *keys_, clock_);
        ctx_->attestations = attest_.get();
        ctx_->attachment_limits.max_count = 3;
        ctx_->attachment_limits.max_bytes = 64 * 1024;
        ctx_->attachment_limits.max_total_bytes = 128 * 1024;
        web::register_pages(router_, *ctx_);
    }
    void TearDown() override {
        attest_.reset();
        flow_.reset();
        OutgoingTest::TearDown();
    }

    Browser sign_in(const std::string& login, const std::string& lang = "fr") {
        auto s = ids_->login(login, kPassword, "192.0.2.7").value();
        return {s.id, s.csrf_token, lang};
    }

    http::Response call(http::Method method, const std::string& target, const Browser* b, std::string body = "",
                        const std::string& content_type = "") {
        http::Request r;
        r.method = method;
        r.target = target;
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        if (b) r.headers.set("Cookie", "idara_session=" + b->session + "; idara_lang=" + b->lang);
        if (!content_type.empty()) r.headers.set("Content-Type", content_type);
        r.body = std::move(body);
        r.remote_addr = "192.0.2.7";
        r.request_id = "test-request";
        auto m = router_.match(method, r.path);
        if (m.handler == nullptr) {
            ADD_FAILURE() << "no route for " << target;
            return http::Response::text(404, "no route");
        }
        r.params = m.params;
        r.route = m.pattern;
        auto res = (*m.handler)(r);
        // Templates escape ' as &apos;, html_escape() as &#39;: one spelling for the checks.
        for (auto at = res.body.find("&apos;"); at != std::string::npos; at = res.body.find("&apos;", at))
            res.body.replace(at, 6, "&#39;");
        return res;
    }
    http::Response get(const std::string& target, const Browser& b) { return call(http::Method::get, target, &b); }
    // An url-encoded form with the browser's CSRF token (unless `csrf` is false).
    http::Response post(const std::string& target, const Browser& b,
                        std::vector<std::pair<std::string, std::string>> fields, bool csrf = true) {
        std::string body = csrf ? "_csrf=" + http::url_encode(b.csrf) : std::string();
        for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + k + "=" + http::url_encode(v);
        return call(http::Method::post, target, &b, body, "application/x-www-form-urlencoded");
    }

    // The value of the first hidden input named `name` in a page.
    static std::string hidden(const std::string& html, const std::string& name) {
        const std::string prefix = "name=\"" + name + "\" value=\"";
        const auto at = html.find(prefix);
        if (at == std::string::npos) return {};
        const auto start = at + prefix.size();
        return html.substr(start, html.find('"', start) - start);
    }
    static std::string fr(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::fr, key)); }
    static std::string ar(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::ar, key)); }

    std::string number_of(std::int64_t entry_id) {
        return db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
                      auto row = tx.query_one("SELECT register_number FROM entries WHERE id = $1", {entry_id});
                      if (!row) return row.error();
                      return (*row)->as_text(0);
                  })
            .value();
    }
    processing::Actor as(std::int64_t who) {
        keep_.push_back(principal(who));
        return processing::Actor{keep_.back(), "test"};
    }
    std::int64_t version(const std::string& number) { return flow_->dossier(principal(mef_clerk_), number)->version; }
    // Assigned to DB, given to the agent, started; then the agent asks for documents.
    void ask_for_documents(const std::string& number, const std::string& what) {
        auto v = flow_->assign(as(mef_clerk_), number, version(number), {"DB", {}}).value();
        v = flow_->dispatch(as(mef_head_), number, v, mef_agent_).value();
        v = flow_->start(as(mef_agent_), number, v).value();
        flow_->request_documents(as(mef_agent_), number, v, what).value();
    }
    // A reply approved (and so dispatched to the depositor's space).
    outgoing::Letter dispatched_reply(std::int64_t entry) {
        auto l = pending(entry, mef_agent_);
        return approve(l).value();
    }

    std::unique_ptr<processing::WorkflowService> flow_;
    std::unique_ptr<processing::AttestationService> attest_;
    std::unique_ptr<web::PagesContext> ctx_;
    http::Router router_;
    std::deque<identity::Principal> keep_;
};

TEST_P(LettersPagesTest, TheSignersQueueAndTheRegisterAreForStaffOnly) {
    const auto entry = incoming();
    const auto letter = pending(entry, mef_agent_);
    const auto signer = sign_in("signer@mef.gov.ma");
    auto res = get("/letters", signer);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    EXPECT_NE(res.body.find("href=\"/letters/" + std::to_string(letter.id) + "\""), std::string::npos);
    EXPECT_NE(res.body.find("Staff agent@mef.gov.ma"), std::string::npos) << "the author is named";
    EXPECT_NE(res.body.find("href=\"/window/" + number_of(entry) + "\""), std::string::npos);
    ASSERT_TRUE(letter.register_number) << "numbered when submitted";
    EXPECT_NE(res.body.find(*letter.register_number), std::string::npos) << "in the register from submission on";
    EXPECT_NE(res.body.find(fr("parapheur_web.letters.queue_hint")), std::string::npos);
    EXPECT_NE(res.body.find("href=\"/parapheur\""), std::string::npos) << "approval is in the parapheur";

    // An agent sees the same list, read-only.
    res = get("/letters", sign_in("agent@mef.gov.ma"));
    ASSERT_EQ(res.status, 200);
    EXPECT_NE(res.body.find(fr("parapheur_web.letters.queue_hint")), std::string::npos);
    res = get("/letters/" + std::to_string(letter.id), sign_in("agent@mef.gov.ma"));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body.find("/approve\""), std::string::npos);
    // Staff of another administration: an empty queue of their own; the letter is not found.
    res = get("/letters", sign_in("signer@men.gov.ma"));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body.find("href=\"/letters/" + std::to_string(letter.id) + "\""), std::string::npos);
    EXPECT_EQ(get("/letters/" + std::to_string(letter.id), sign_in("signer@men.gov.ma")).status, 404);
    // Citizens: 403; anonymous visitors: to sign in.
    EXPECT_EQ(get("/letters", sign_in("amina@example.ma")).status, 403);
    res = call(http::Method::get, "/letters", nullptr);
    EXPECT_EQ(res.status, 303);
    EXPECT_EQ(res.headers.get("Location"), "/login?next=%2Fletters");
    EXPECT_EQ(get("/letters/abc", signer).status, 404);
}

// Letters are approved (or returned) in their e-parapheur circuit (outgoing/letters.hpp): the
// letter page offers no approval form and a forced POST is refused with the page and a 409.
TEST_P(LettersPagesTest, ALetterIsApprovedInItsCircuitNotOnItsPage) {
    const auto entry = incoming();
    const auto letter = pending(entry, mef_agent_);
    const auto signer = sign_in("signer@mef.gov.ma", "ar");
    const std::string href = "/letters/" + std::to_string(letter.id);
    auto page = get(href, signer);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("lang=\"ar\" dir=\"rtl\""), std::string::npos);
    EXPECT_NE(page.body.find("id=\"letter-text\" lang=\"ar\" dir=\"rtl\""), std::string::npos) << "the preview";
    EXPECT_NE(page.body.find("يسعدنا إخباركم بأن الشهادة جاهزة."), std::string::npos);
    EXPECT_NE(page.body.find(ar("outgoing.state.pending_approval")), std::string::npos);
    EXPECT_NE(page.body.find(ar("outgoing.event.submitted")), std::string::npos);
    EXPECT_EQ(page.body.find("action=\"" + href + "/approve\""), std::string::npos);
    EXPECT_EQ(page.body.find("action=\"" + href + "/return\""), std::string::npos);
    ASSERT_TRUE(letter.circuit_id);
    EXPECT_NE(page.body.find("href=\"/parapheur/" + std::to_string(*letter.circuit_id) + "\""), std::string::npos)
        << "the letter links to its circuit";
    EXPECT_NE(page.body.find(ar("parapheur_web.letter.heading")), std::string::npos);
    // Without the CSRF token: the 403 page; with it: 409 on the letter's page; nothing changes.
    EXPECT_EQ(post(href + "/approve", signer, {{"version", std::to_string(letter.version)}}, false).status, 403);
    auto res = post(href + "/approve", signer, {{"version", std::to_string(letter.version)}});
    EXPECT_EQ(res.status, 409);
    EXPECT_NE(res.body.find(ar("error.outgoing.invalid_state")), std::string::npos);
    res = post(href + "/return", signer, {{"version", std::to_string(letter.version)}, {"reason", "Ajoutez"}});
    EXPECT_EQ(res.status, 409);
    EXPECT_EQ(out_->get(principal(mef_signer_), letter.id)->state, LetterState::pending_approval);
    // Through the circuit: approved and dispatched, with its number and PDF on the page.
    const auto now = approve(letter).value();
    EXPECT_EQ(now.state, LetterState::dispatched);
    page = get(href, signer);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find(*now.register_number), std::string::npos);
    EXPECT_NE(page.body.find("href=\"" + href + "/letter.pdf\""), std::string::npos);
    page = get("/letters", signer);
    EXPECT_NE(page.body.find(*now.register_number), std::string::npos);
}

TEST_P(LettersPagesTest, ARejectedCircuitReturnsTheLetterWithItsReason) {
    const auto other = pending(incoming("طلب ثان"), mef_agent_);
    const auto back = reject(other, "Ajoutez la référence").value();
    EXPECT_EQ(back.state, LetterState::draft);
    auto page = get("/letters/" + std::to_string(other.id), sign_in("agent@mef.gov.ma"));
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Ajoutez la référence"), std::string::npos) << "the author reads the reason";
}

TEST_P(LettersPagesTest, APostalLetterIsDispatchedByTheRegistryClerk) {
    auto n = reply(incoming());
    n.recipient = {};
    n.recipient.kind = outgoing::RecipientKind::address;
    n.recipient.name = "Cabinet Alami";
    n.recipient.postal_address = "12, rue de Fès\nRabat";
    auto l = out_->create(principal(mef_agent_), n).value();
    l = out_->submit(principal(mef_agent_), l.id, l.version).value();
    l = approve(l).value();
    ASSERT_EQ(l.state, LetterState::approved);
    const auto clerk = sign_in("clerk@mef.gov.ma");
    const std::string href = "/letters/" + std::to_string(l.id);
    auto page = get(href, clerk);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("action=\"" + href + "/dispatch\""), std::string::npos);
    EXPECT_NE(page.body.find("12, rue de Fès\nRabat"), std::string::npos);
    EXPECT_EQ(get(href, sign_in("agent@mef.gov.ma")).body.find("/dispatch\""), std::string::npos);
    auto res = post(href + "/dispatch", clerk, {{"version", hidden(page.body, "version")}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(res.headers.get("Location"), href + "?done=dispatched");
    EXPECT_EQ(out_->get(principal(mef_clerk_), l.id)->state, LetterState::dispatched);

    // The sealed PDF for staff.
    res = get(href + "/letter.pdf", clerk);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.get("Content-Type"), "application/pdf");
    EXPECT_EQ(res.headers.get("Content-Disposition"), "attachment; filename=\"" + *l.register_number + ".pdf\"");
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res.body.substr(0, 5), "%PDF-");
}

TEST_P(LettersPagesTest, TheDepositorDownloadsTheReplyFromTheirEntryPage) {
    const auto entry = incoming();
    const std::string number = number_of(entry);
    const auto citizen = sign_in("amina@example.ma");
    // Before any reply: the state, no replies.
    auto page = get("/deposits/" + number, citizen);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find(fr("processing.state.registered")), std::string::npos);
    EXPECT_NE(page.body.find(fr("web.deposit.entry.no_replies")), std::string::npos);
    EXPECT_EQ(page.body.find("/window/"), std::string::npos) << "no window link for the depositor";

    const auto pending_letter = pending(entry, mef_agent_);
    EXPECT_EQ(get("/letters/" + std::to_string(pending_letter.id) + "/letter.pdf", citizen).status, 404);
    const auto l = approve(pending_letter).value();
    page = get("/deposits/" + number, citizen);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find(*l.register_number), std::string::npos);
    const std::string pdf = "/letters/" + std::to_string(l.id) + "/letter.pdf";
    EXPECT_NE(page.body.find("href=\"" + pdf + "\""), std::string::npos);
    EXPECT_NE(page.body.find(fr("processing.state.answered")), std::string::npos);
    EXPECT_NE(page.body.find(fr("processing.event.answered")), std::string::npos);
    auto res = get(pdf, citizen);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body.substr(0, 5), "%PDF-");
    EXPECT_EQ(res.body, out_->pdf(principal(mef_signer_), l.id).value());
    // Another citizen: not found, on the PDF and the letter page alike.
    const auto other = sign_in("youssef@example.ma");
    EXPECT_EQ(get(pdf, other).status, 404);
    EXPECT_EQ(get("/letters/" + std::to_string(l.id), other).status, 404);
    // The depositor may open the letter page: no forms, the entry link to their own page.
    page = get("/letters/" + std::to_string(l.id), citizen);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("href=\"/deposits/" + number + "\""), std::string::npos);
    EXPECT_EQ(page.body.find("<form method=\"post\" action=\"/letters"), std::string::npos);

    // Staff of the administration: the link to the correspondence window.
    page = get("/deposits/" + number, sign_in("clerk@mef.gov.ma"));
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("href=\"/window/" + number + "\""), std::string::npos);
}

TEST_P(LettersPagesTest, TheDepositorCompletesAMissingDocumentsRequest) {
    const auto entry = incoming();
    const std::string number = number_of(entry);
    ask_for_documents(number, "نسخة من البطاقة الوطنية");
    const auto citizen = sign_in("amina@example.ma", "ar");
    auto page = get("/deposits/" + number, citizen);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find(ar("processing.state.missing_documents")), std::string::npos);
    EXPECT_NE(page.body.find("نسخة من البطاقة الوطنية"), std::string::npos);
    EXPECT_NE(page.body.find(ar("processing.event.documents_requested")), std::string::npos);
    EXPECT_EQ(page.body.find(ar("processing.event.dispatched")), std::string::npos) << "internal steps hidden";
    EXPECT_NE(page.body.find("action=\"/deposits/" + number + "/complete\""), std::string::npos);
    EXPECT_NE(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);
    const std::string version = hidden(page.body, "version");
    ASSERT_FALSE(version.empty());
    // Staff other than a clerk at the counter get no completion form.
    EXPECT_EQ(get("/deposits/" + number, sign_in("clerk@mef.gov.ma")).body.find("/complete\""), std::string::npos);

    auto send = [&](const Browser& b, std::vector<http::Part> files, const std::string& csrf) {
        std::vector<http::Part> parts{{"_csrf", std::nullopt, "text/plain", csrf},
                                      {"version", std::nullopt, "text/plain", version},
                                      {"note", std::nullopt, "text/plain", "تجدون رفقته النسخة المطلوبة\r\n"}};
        for (auto& f : files) parts.push_back(std::move(f));
        auto mp = http::build_multipart(parts);
        return call(http::Method::post, "/deposits/" + number + "/complete", &b, mp.body, mp.content_type);
    };
    const http::Part piece{"files", std::string("cin.pdf"), "application/pdf", sample_pdf()};
    EXPECT_EQ(send(citizen, {piece}, "wrong").status, 403);
    // No file: 400, the error next to the file input, the note kept.
    auto res = send(citizen, {{"files", std::string(""), "application/octet-stream", ""}}, citizen.csrf);
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.body.find("href=\"#files\""), std::string::npos);
    EXPECT_NE(res.body.find(ar("error.processing.documents_missing")), std::string::npos);
    EXPECT_NE(res.body.find("تجدون رفقته النسخة المطلوبة"), std::string::npos);
    // Another citizen cannot even see the entry.
    const auto other = sign_in("youssef@example.ma", "ar");
    EXPECT_EQ(send(other, {piece}, other.csrf).status, 404);

    res = send(citizen, {piece}, citizen.csrf);
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(res.headers.get("Location"), "/deposits/" + number + "?completed=1");
    const auto d = flow_->dossier(principal(citizen_), number).value();
    EXPECT_EQ(d.state, processing::State::in_progress);
    EXPECT_FALSE(d.paused_at_ms);
    page = get("/deposits/" + number + "?completed=1", citizen);
    EXPECT_NE(page.body.find(ar("web.deposit.entry.completed")), std::string::npos);
    EXPECT_NE(page.body.find("cin.pdf"), std::string::npos) << "the file joins the attachments";
    EXPECT_NE(page.body.find(ar("processing.event.documents_completed")), std::string::npos);
    EXPECT_EQ(page.body.find("/complete\""), std::string::npos);

    // A second submission (the page was open twice): 409 with the message, nothing added.
    res = send(citizen, {piece}, citizen.csrf);
    EXPECT_EQ(res.status, 409);
    EXPECT_NE(res.body.find("href=\"#processing-state\""), std::string::npos);
}

TEST_P(LettersPagesTest, TrackingShowsTheProcessingState) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    ask_for_documents(r.register_number, "pièce");
    const std::string target = "/track?number=" + r.register_number + "&code=" + r.tracking_code;
    auto res = call(http::Method::get, target, nullptr);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_NE(res.body.find(web::html_escape(web::msg(i18n::kDefaultLang, "processing.state.missing_documents"))),
              std::string::npos);
    EXPECT_NE(res.body.find(web::html_escape(web::msg(i18n::kDefaultLang, "processing.event.documents_requested"))),
              std::string::npos);
    EXPECT_EQ(res.body.find(">documents_requested<"), std::string::npos) << "no raw event kind";
}

TEST_P(LettersPagesTest, TheDepositorGetsTheSilenceAttestationOnceTheDeadlinePassedUnanswered) {
    // "application": silence is approval (the platform default, 60 days).
    auto d = letter();
    d.type_code = "application";
    auto r = svc_->deposit(principal(citizen_), d).value();
    const auto citizen = sign_in("amina@example.ma");
    const std::string page = "/deposits/" + r.register_number;
    const std::string href = page + "/silence-attestation.pdf";
    auto before = call(http::Method::get, page, &citizen);
    ASSERT_EQ(before.status, 200);
    EXPECT_EQ(before.body.find(href), std::string::npos) << "not before the deadline";
    EXPECT_EQ(call(http::Method::get, href, &citizen).status, 409);

    clock_.advance(std::chrono::days(62));
    const auto again = sign_in("amina@example.ma");  // sessions do not last two months
    auto after = call(http::Method::get, page, &again);
    ASSERT_EQ(after.status, 200);
    EXPECT_NE(after.body.find(href), std::string::npos) << "offered once the deadline passed";
    EXPECT_NE(after.body.find(fr("web.deposit.entry.silence_link")), std::string::npos);
    auto pdf = call(http::Method::get, href, &again);
    ASSERT_EQ(pdf.status, 200) << pdf.body;
    EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
    EXPECT_EQ(pdf.headers.get("Cache-Control").value_or(""), "no-store");
    // Another citizen gets nothing, not even the link.
    const auto other = sign_in("youssef@example.ma");
    EXPECT_EQ(call(http::Method::get, href, &other).status, 404);
    // A letter type where silence is not approval never offers it.
    auto plain = svc_->deposit(principal(citizen_), letter()).value();
    clock_.advance(std::chrono::days(70));
    const auto later = sign_in("amina@example.ma");
    auto p2 = call(http::Method::get, "/deposits/" + plain.register_number, &later);
    ASSERT_EQ(p2.status, 200);
    EXPECT_EQ(p2.body.find("silence-attestation.pdf"), std::string::npos);
}

TEST_P(LettersPagesTest, StaffWriteALetterThatStartsInTheAdministration) {
    const auto agent = sign_in("agent@mef.gov.ma");
    auto form = get("/letters/new", agent);
    ASSERT_EQ(form.status, 200);
    EXPECT_NE(form.body.find("value=\"MEN\""), std::string::npos) << "other administrations offered";
    EXPECT_EQ(form.body.find("value=\"MEF\""), std::string::npos) << "not one's own";
    EXPECT_EQ(get("/letters/new", sign_in("amina@example.ma")).status, 403);

    auto send = [&](const std::string& subject, std::optional<std::string> pdf, const std::string& csrf) {
        std::vector<http::Part> parts{{"_csrf", std::nullopt, "text/plain", csrf},
                                      {"kind", std::nullopt, "text/plain", "administration"},
                                      {"administration", std::nullopt, "text/plain", "MEN"},
                                      {"lang", std::nullopt, "text/plain", "fr"},
                                      {"subject", std::nullopt, "text/plain", subject}};
        if (pdf) parts.push_back({"file", std::string("note.pdf"), "application/pdf", *pdf});
        auto mp = http::build_multipart(parts);
        return call(http::Method::post, "/letters/new", &agent, mp.body, mp.content_type);
    };
    EXPECT_EQ(send("Invitation", sample_pdf(), "wrong").status, 403);
    auto no_file = send("Invitation à la réunion de coordination", std::nullopt, agent.csrf);
    EXPECT_EQ(no_file.status, 400);
    EXPECT_NE(no_file.body.find("href=\"#file\""), std::string::npos);
    EXPECT_NE(no_file.body.find("Invitation à la réunion de coordination"), std::string::npos) << "subject kept";
    auto no_subject = send("", sample_pdf(), agent.csrf);
    EXPECT_EQ(no_subject.status, 400);
    EXPECT_NE(no_subject.body.find("href=\"#subject\""), std::string::npos);
    EXPECT_EQ(send("Invitation", std::string("not a pdf"), agent.csrf).status, 400);

    auto ok = send("Invitation à la réunion de coordination", sample_pdf(), agent.csrf);
    ASSERT_EQ(ok.status, 303) << ok.body;
    const std::string location(ok.headers.get("Location").value_or(""));
    EXPECT_NE(location.find("?done=submitted"), std::string::npos);
    // It waits in the signers' queue, not a reply, and the letter page says it was submitted.
    auto queue = out_->list_in_state(identity::TenantScope::trusted(mef_), LetterState::pending_approval).value();
    ASSERT_EQ(queue.size(), 1u);
    EXPECT_FALSE(queue[0].in_reply_to);
    EXPECT_EQ(queue[0].recipient.kind, outgoing::RecipientKind::administration);
    auto page = get(location, agent);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find(fr("web.letters.notice.submitted")), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LettersPagesTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
