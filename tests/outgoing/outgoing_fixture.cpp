#include "outgoing_fixture.hpp"

#include "parapheur/demo.hpp"
#include "storage/db.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace idara::testing {

using identity::Role;

void OutgoingTest::SetUp() {
    DepositTest::SetUp();
    // Certificates (KeyStore's root) are made at the real time: bring the test clock there.
    const auto real = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    if (real > clock_.now_ms()) clock_.advance(std::chrono::milliseconds(real - clock_.now_ms() + 60'000));
    mef_signer_ = add_staff("signer@mef.gov.ma", "MEF", Role::signer);
    mef_signer2_ = add_staff("signer2@mef.gov.ma", "MEF", Role::signer);
    mef_head_ = add_staff("head@mef.gov.ma", "MEF", Role::unit_head, "DB");
    men_signer_ = add_staff("signer@men.gov.ma", "MEN", Role::signer);
    pki_ = std::make_unique<trust::Pki>(*db_, *keys_, trust::PkiOptions{}, clock_);
    auto tsa_id = db_->write<trust::SigningIdentity>([&](storage::Tx& tx) -> Result<trust::SigningIdentity> {
        if (auto s = pki_->ensure_dev_hierarchy(tx); !s) return s.error();
        auto id = pki_->tsa_identity(tx);
        if (!id) return id.error();
        trust::SigningIdentity copy;
        EVP_PKEY_up_ref((*id)->key.get());
        copy.key.reset((*id)->key.get());
        X509_up_ref((*id)->cert.get());
        copy.cert.reset((*id)->cert.get());
        for (const auto& c : (*id)->chain) {
            X509_up_ref(c.get());
            copy.chain.emplace_back(c.get());
        }
        // The letters' circuits: MEF a visa then a signature, MEN a signature.
        if (auto s = parapheur::put_outgoing_letter_template(tx, mef_, clock_.now_ms()); !s) return s.error();
        parapheur::CircuitTemplate men;
        men.code = "outgoing_letter";
        men.name_ar = "رسالة صادرة";
        men.name_fr = "Lettre de départ";
        parapheur::StepSpec sign;
        sign.kind = parapheur::StepKind::signature;
        sign.role = Role::signer;
        sign.label_ar = "توقيع";
        sign.label_fr = "Signature";
        men.steps.push_back(sign);
        if (auto t = parapheur::CircuitService::put_template_in_tx(tx, men_, men, clock_.now_ms()); !t)
            return t.error();
        return copy;
    });
    ASSERT_TRUE(tsa_id) << tsa_id.error().code << " " << tsa_id.error().detail;
    tsa_ = trust::make_builtin_tsa(std::move(*tsa_id), clock_);
    auto reauth = [](const identity::Principal&, std::string_view password, std::string_view code,
                     std::string_view) -> Status {
        if (password != "pass-word" || code != "123456") return Error{"identity.reauth_failed", 401, "test"};
        return {};
    };
    circuits_ = std::make_unique<parapheur::CircuitService>(*db_, *blobs_, *pki_, tsa_.get(), reauth,
                                                            parapheur::CircuitOptions{}, clock_);
    outgoing::OutgoingOptions o;
    o.limits.max_bytes = 64 * 1024;
    out_ = std::make_unique<outgoing::OutgoingService>(*db_, *blobs_, *keys_, *ids_, o, clock_);
    out_->set_circuits(*circuits_);
}

void OutgoingTest::TearDown() {
    out_.reset();
    circuits_.reset();
    tsa_.reset();
    pki_.reset();
    DepositTest::TearDown();
}

Result<outgoing::Letter> OutgoingTest::approve(const outgoing::Letter& l, std::int64_t signer) {
    if (!l.circuit_id) return Error{"test.no_circuit", 500, "letter has no circuit"};
    const bool mef = l.administration_id == mef_;
    if (!signer) signer = mef ? mef_signer_ : men_signer_;
    auto act = [&](std::int64_t who) -> parapheur::Actor {
        principals_.push_back(std::make_unique<identity::Principal>(principal(who)));
        return parapheur::Actor{*principals_.back(), "test"};
    };
    auto c = circuits_->get(principal(signer), *l.circuit_id);
    if (!c) return c.error();
    if (mef && c->current_step == 0) {
        c = circuits_->approve(act(mef_head_), c->id, c->version);
        if (!c) return c.error();
    }
    clock_.advance(std::chrono::seconds(1));
    auto s = circuits_->sign(act(signer), c->id, c->version, {"pass-word", "123456"});
    if (!s) return s.error();
    return out_->get(principal(signer), l.id);
}

Result<outgoing::Letter> OutgoingTest::reject(const outgoing::Letter& l, const std::string& reason) {
    if (!l.circuit_id) return Error{"test.no_circuit", 500, "letter has no circuit"};
    const std::int64_t who = l.administration_id == mef_ ? mef_head_ : men_signer_;
    auto c = circuits_->get(principal(who), *l.circuit_id);
    if (!c) return c.error();
    principals_.push_back(std::make_unique<identity::Principal>(principal(who)));
    auto r = circuits_->reject(parapheur::Actor{*principals_.back(), "test"}, c->id, c->version, reason);
    if (!r) return r.error();
    return out_->get(principal(who), l.id);
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
