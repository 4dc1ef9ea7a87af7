#include "outgoing_fixture.hpp"

#include "storage/db.hpp"

namespace idara::testing {

using identity::Role;

void OutgoingTest::SetUp() {
    DepositTest::SetUp();
    mef_signer_ = add_staff("signer@mef.gov.ma", "MEF", Role::signer);
    mef_signer2_ = add_staff("signer2@mef.gov.ma", "MEF", Role::signer);
    mef_head_ = add_staff("head@mef.gov.ma", "MEF", Role::unit_head, "DB");
    men_signer_ = add_staff("signer@men.gov.ma", "MEN", Role::signer);
    outgoing::OutgoingOptions o;
    o.limits.max_bytes = 64 * 1024;
    out_ = std::make_unique<outgoing::OutgoingService>(*db_, *blobs_, *keys_, *ids_, o, clock_);
}

void OutgoingTest::TearDown() {
    out_.reset();
    DepositTest::TearDown();
}

std::int64_t OutgoingTest::incoming(const std::string& subject) {
    auto r = svc_->deposit(principal(citizen_), letter(subject)).value();
    return db_->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                  auto row = tx.query_one("SELECT id FROM entries WHERE register_number = $1", {r.register_number});
                  if (!row) return row.error();
                  return (*row)->as_int(0);
              })
        .value();
}

outgoing::NewLetter OutgoingTest::reply(std::int64_t entry_id, outgoing::Template t, i18n::Lang lang) {
    outgoing::NewLetter n;
    n.in_reply_to = entry_id;
    n.recipient.kind = outgoing::RecipientKind::depositor;
    n.content.lang = lang;
    n.content.subject = lang == i18n::Lang::ar ? "جواب على طلب شهادة إدارية" : "Réponse à votre demande d'attestation";
    n.content.tmpl = t;
    n.content.body = lang == i18n::Lang::ar ? "يسعدنا إخباركم بأن الشهادة جاهزة." : "L'attestation est prête.";
    return n;
}

outgoing::Letter OutgoingTest::pending(std::int64_t entry_id, std::int64_t author) {
    auto l = out_->create(principal(author), reply(entry_id)).value();
    return out_->submit(principal(author), l.id, l.version).value();
}

std::int64_t OutgoingTest::outgoing_counter() {
    return db_->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                  auto r = tx.query_one("SELECT COALESCE(MAX(last), 0) FROM register_counters WHERE "
                                        "administration_id = $1 AND register = 'out'",
                                        {mef_});
                  if (!r) return r.error();
                  return (*r)->as_int(0);
              })
        .value();
}

std::vector<std::string> OutgoingTest::trust_anchors() {
    return db_->read<std::vector<std::string>>([&](storage::Tx& tx) { return keys_->trust_anchors_pem(tx); }).value();
}

}  // namespace idara::testing
