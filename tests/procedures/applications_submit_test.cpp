// Documents and submission on both backends: attachment checks on uploads, registration through
// the registry office (the entry with the answers and the files), idempotent re-submission, an
// incomplete application, and the administration's list of received applications.
#include "application_steps.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using procedures::State;

class SubmitTest : public ApplicationTest {
protected:
    struct EntryRow {
        std::string number, type, subject, body, channel;
        std::int64_t depositor = 0, attachments = 0, administration = 0;
    };
    std::optional<EntryRow> entry(const std::string& number) {
        return env().db->read<std::optional<EntryRow>>([&](storage::Tx& tx) -> Result<std::optional<EntryRow>> {
            auto r = tx.query_one(
                "SELECT register_number, type_code, subject, body, channel, depositor_account_id, "
                "(SELECT COUNT(*) FROM entry_attachments WHERE entry_id = entries.id), administration_id "
                "FROM entries WHERE register_number = $1",
                {storage::Value{number}});
            if (!r) return r.error();
            if (!*r) return std::optional<EntryRow>{};
            const auto& row = **r;
            return std::optional<EntryRow>{EntryRow{row.as_text(0), row.as_text(1), row.as_text(2), row.as_text(3),
                                                    row.as_text(4), row.as_int(5), row.as_int(6), row.as_int(7)}};
        }).value();
    }
};

TEST_P(SubmitTest, PutAndRemoveDocuments) {
    const auto a = start();
    auto r = apps().put_document(env().amina(), a.id, "photo", pdf("C:\\Users\\amina\\photo.pdf"));
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    const auto* d = r->document("photo");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->name, "photo.pdf");  // the path is removed
    EXPECT_EQ(d->media_type, "application/pdf");
    EXPECT_EQ(d->size, static_cast<std::int64_t>(sample_pdf(1, "photo").size()));
    EXPECT_EQ(d->sha256.size(), 64u);
    auto bytes = apps().document_bytes(env().amina(), a.id, "photo");
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(*bytes, sample_pdf(1, "photo"));
    EXPECT_FALSE(apps().document_bytes(env().youssef(), a.id, "photo").has_value());

    // Replacing keeps one document.
    put(a.id, "photo", pdf("nouvelle.pdf", "second"));
    EXPECT_EQ(get(a.id).document("photo")->name, "nouvelle.pdf");
    EXPECT_EQ(env().count("application_documents"), 1);

    // Attachment checks: not a PDF/JPEG/PNG, empty, too large (the fixture allows 64 KiB).
    auto bad = apps().put_document(env().amina(), a.id, "photo", {"photo.pdf", "hello, this is not a PDF"});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, "deposit.attachment_type");
    auto empty = apps().put_document(env().amina(), a.id, "photo", {"photo.pdf", ""});
    ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, "deposit.attachment_empty");
    auto big = apps().put_document(env().amina(), a.id, "photo", {"photo.pdf", sample_pdf(1, std::string(70 * 1024, 'x'))});
    ASSERT_FALSE(big.has_value());
    EXPECT_EQ(big.error().code, "deposit.attachment_too_large");
    EXPECT_EQ(get(a.id).document("photo")->name, "nouvelle.pdf");

    // Unknown document codes; a document the lookup fetches is not an upload while agreed.
    auto unknown = apps().put_document(env().amina(), a.id, "passport", pdf());
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, "application.unknown_document");
    EXPECT_EQ(unknown.error().status, 404);

    auto removed = apps().remove_document(env().amina(), a.id, "photo");
    ASSERT_TRUE(removed.has_value()) << removed.error().detail;
    EXPECT_EQ(removed->document("photo"), nullptr);
    EXPECT_EQ(env().count("application_documents"), 0);
    EXPECT_FALSE(apps().document_bytes(env().amina(), a.id, "photo").has_value());
}

TEST_P(SubmitTest, SubmitRegistersTheApplication) {
    const auto id = complete();
    env().clock.advance(std::chrono::minutes(1));
    auto s = apps().submit(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    EXPECT_FALSE(s->replayed);
    EXPECT_EQ(s->register_number.rfind("UNIV-2026-", 0), 0u) << s->register_number;
    EXPECT_FALSE(s->tracking_code.empty());
    EXPECT_GT(s->registered_at_ms, 0);

    const auto a = get(id);
    EXPECT_EQ(a.state, State::submitted);
    EXPECT_EQ(a.register_number.value_or(""), s->register_number);
    ASSERT_TRUE(a.submitted_at_ms.has_value());

    const auto e = entry(s->register_number);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->type, "application");
    EXPECT_EQ(e->channel, "portal");
    EXPECT_EQ(e->depositor, env().amina().account_id);
    EXPECT_EQ(e->administration, env().ids->find_administration("UNIV")->id);
    // The receipt subject with its placeholder filled, in the applicant's language or both.
    EXPECT_NE(e->subject.find(kDemoStudent), std::string::npos) << e->subject;
    // The answers as text: asked and fetched values.
    EXPECT_NE(e->body.find("0612345678"), std::string::npos) << e->body;
    EXPECT_NE(e->body.find("Mathématiques et informatique"), std::string::npos) << e->body;
    EXPECT_NE(e->body.find("Yasmine"), std::string::npos) << e->body;
    EXPECT_EQ(e->attachments, 1);  // the photo

    // A submitted application is not a draft any more.
    auto late = apps().answer(env().amina(), id, "contact", {{"phone", "0700000000"}});
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().code, "application.invalid_state");
    EXPECT_EQ(late.error().status, 409);
    auto doc = apps().remove_document(env().amina(), id, "photo");
    ASSERT_FALSE(doc.has_value());
    EXPECT_EQ(doc.error().code, "application.invalid_state");

    auto mine = apps().list_mine(env().amina());
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].state, State::submitted);
    EXPECT_EQ((*mine)[0].register_number.value_or(""), s->register_number);
}

TEST_P(SubmitTest, ResubmitReplaysTheSameEntry) {
    const auto id = complete();
    auto first = apps().submit(env().amina(), id);
    ASSERT_TRUE(first.has_value()) << first.error().code << ": " << first.error().detail;
    const auto entries = env().count("entries");
    auto again = apps().submit(env().amina(), id);
    ASSERT_TRUE(again.has_value()) << again.error().code << ": " << again.error().detail;
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->register_number, first->register_number);
    EXPECT_TRUE(again->tracking_code.empty());
    EXPECT_EQ(env().count("entries"), entries);
}

TEST_P(SubmitTest, IncompleteApplicationIsRefused) {
    const auto a = start();
    auto s = apps().submit(env().amina(), a.id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "application.incomplete");
    EXPECT_EQ(s.error().status, 422);
    EXPECT_NE(s.error().detail.find("student"), std::string::npos) << s.error().detail;

    fill(a.id);  // every step, but no photo
    seen(a.id);
    s = apps().submit(env().amina(), a.id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "application.incomplete");
    EXPECT_NE(s.error().detail.find("photo"), std::string::npos) << s.error().detail;

    // The lookup neither agreed nor declined.
    const auto b = start();
    answer(b.id, "student", {{"student_number", kDemoStudent}});
    answer(b.id, "faculty", {{"faculty", "fsr"}});
    answer(b.id, "programme", {{"programme", "Chimie"}});
    answer(b.id, "contact", {{"phone", "0612345678"}});
    put(b.id, "photo", pdf());
    seen(b.id);
    s = apps().submit(env().amina(), b.id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "application.incomplete");
    EXPECT_NE(s.error().detail.find("bac"), std::string::npos) << s.error().detail;

    EXPECT_EQ(env().count("entries"), 0);
    EXPECT_EQ(get(a.id).state, State::draft);
}

TEST_P(SubmitTest, ReceivedByTheAdministrationOnly) {
    const auto draft = start();
    const auto id = complete();
    auto s = apps().submit(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;

    for (const auto& staff : {env().univ_clerk(), env().univ_agent()}) {
        auto list = apps().list_received(staff);
        ASSERT_TRUE(list.has_value()) << staff.login << ": " << list.error().detail;
        ASSERT_EQ(list->size(), 1u) << staff.login;  // the draft is not received
        EXPECT_EQ((*list)[0].id, id);
        EXPECT_EQ((*list)[0].register_number.value_or(""), s->register_number);
        auto one = apps().get_received(staff, id);
        ASSERT_TRUE(one.has_value()) << one.error().detail;
        EXPECT_EQ(one->answers.at("phone").as_string(), "0612345678");
        EXPECT_EQ(apps().list_received(staff, "student-registration")->size(), 1u);
        EXPECT_TRUE(apps().list_received(staff, "other-procedure")->empty());
        auto d = apps().get_received(staff, draft.id);
        ASSERT_FALSE(d.has_value());
        EXPECT_EQ(d.error().code, "resource.not_found");
    }
    // Staff of another administration.
    auto men = apps().list_received(env().men_agent());
    ASSERT_TRUE(men.has_value());
    EXPECT_TRUE(men->empty());
    auto other = apps().get_received(env().men_agent(), id);
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, "resource.not_found");
    // Applicants have no received list.
    EXPECT_FALSE(apps().list_received(env().amina()).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, SubmitTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
