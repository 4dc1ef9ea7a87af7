// A process killed in the middle of a registration leaves neither an entry without a
// receipt nor a receipt without an entry; receipts verify online and offline, and any
// change to them is caught.
#include "deposit_fixture.hpp"

#include "registry/verify.hpp"
#include "trust/keys.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace idara;
using namespace idara::registry;
using idara::testing::DepositTest;

namespace {

class CrashTest : public DepositTest {};
class VerifyTest : public DepositTest {
protected:
    VerifyKeys keys() {
        return db_->read<VerifyKeys>([&](storage::Tx& tx) -> Result<VerifyKeys> {
                      auto k = keys_->public_keys(tx);
                      if (!k) return k.error();
                      auto a = keys_->trust_anchors_pem(tx);
                      if (!a) return a.error();
                      return VerifyKeys{*k, *a};
                  })
            .value();
    }
    std::string receipt(const DepositResult& r) { return svc_->receipt_pdf(principal(citizen_), r.register_number).value(); }
};

TEST_P(CrashTest, AProcessKilledDuringRegistrationLeavesNothingBehind) {
    for (Step at : {Step::files_stored, Step::receipt_stored, Step::entry_inserted}) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            // The child: its own connections to the same database, as another process would have.
            auto db = idara::testing::open_same(*db_);
            auto blobs = storage::make_blob_store(GetParam(), blob_dir_);
            identity::ServiceOptions o;
            o.hash_limits = identity::HashLimits::minimum();
            identity::Service ids(*db, o, clock_);
            trust::KeyStore keys(*db, master_);
            DepositService svc(*db, *blobs, keys, ids, {}, clock_);
            svc.set_fault_hook([at](Step s) -> Status {
                if (s == at) _exit(0);  // dies on the spot: no rollback, no destructors
                return {};
            });
            (void)svc.deposit(ids.principal_of(citizen_).value(), letter());
            _exit(3);  // the hook did not fire
        }
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0) << "the child did not reach the step";
        EXPECT_EQ(count("entries"), 0);
        EXPECT_EQ(count("entry_attachments"), 0);
        EXPECT_EQ(count("blobs"), 0);
        EXPECT_EQ(count("register_counters"), 0);
        // Files written before the crash have no row; the start-up sweep removes them.
        auto swept = blobs_->remove_unreferenced(*db_);
        ASSERT_TRUE(swept);
        EXPECT_EQ(blob_files(), 0u);
    }
    auto r = svc_->deposit(principal(citizen_), letter());
    ASSERT_TRUE(r) << r.error().code;
    EXPECT_TRUE(r->register_number.ends_with("-000001"));
    // The sweep never touches the files of committed blobs.
    const std::size_t files = blob_files();
    EXPECT_EQ(blobs_->remove_unreferenced(*db_).value(), 0u);
    EXPECT_EQ(blob_files(), files);
    EXPECT_TRUE(svc_->receipt_pdf(principal(citizen_), r->register_number));
}

TEST_P(VerifyTest, AReceiptVerifiesOnlineAndOffline) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    const std::string pdf = receipt(r);
    for (DepositService* reg : {svc_.get(), static_cast<DepositService*>(nullptr)}) {
        auto v = verify_receipt_pdf(pdf, keys(), reg);
        ASSERT_TRUE(v) << v.error().code;
        EXPECT_EQ(v->verdict, Verdict::valid) << (v->reasons.empty() ? "" : v->reasons[0]);
        ASSERT_EQ(v->signatures.size(), 1u);
        EXPECT_TRUE(v->signatures[0].integrity);
        EXPECT_TRUE(v->signatures[0].total_document);
        EXPECT_TRUE(v->signatures[0].chain_trusted);
        EXPECT_NE(v->signatures[0].signer_organisation.find("Finances"), std::string::npos)
            << v->signatures[0].signer_organisation;
        ASSERT_TRUE(v->qr);
        EXPECT_TRUE(v->qr_signature_valid);
        EXPECT_EQ(v->qr->register_number, r.register_number);
        EXPECT_EQ(v->qr->receipt_digest, r.receipt_digest);
        EXPECT_EQ(v->qr->registered_at_ms, r.registered_at_ms);
        EXPECT_EQ(v->register_entry.has_value(), reg != nullptr);
        if (reg) {
            EXPECT_TRUE(v->register_matches);
        }
    }
    // The QR alone (as a phone scans it: the verification URL).
    auto report = trust::verify_pdf(pdf, keys().anchors_pem).value();
    ASSERT_TRUE(report.keywords);
    EXPECT_EQ(report.keywords->rfind("https://idara.example.ma/verify?q=IDR1.", 0), 0u) << *report.keywords;
    auto q = verify_qr_payload(*report.keywords, keys(), svc_.get());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->verdict, Verdict::valid);
    EXPECT_TRUE(q->register_matches);
}

TEST_P(VerifyTest, AnyChangeToAReceiptIsCaught) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    const std::string pdf = receipt(r);
    // One byte changed inside the signed content.
    std::string flipped = pdf;
    flipped[flipped.size() / 3] ^= 0x01;
    auto v = verify_receipt_pdf(flipped, keys(), svc_.get()).value();
    EXPECT_EQ(v.verdict, Verdict::invalid);
    EXPECT_NE(std::find(v.reasons.begin(), v.reasons.end(), "seal.integrity"), v.reasons.end());
    // Bytes appended after the seal.
    auto appended = verify_receipt_pdf(pdf + "\n% extra\n", keys(), svc_.get()).value();
    EXPECT_EQ(appended.verdict, Verdict::invalid);
    // A seal from a root the platform does not trust.
    auto other = trust::make_dev_pki("Other", "Other seal").value();
    auto untrusted = verify_receipt_pdf(pdf, VerifyKeys{keys().keys, {trust::to_pem(other.root_cert.get())}}, nullptr).value();
    EXPECT_EQ(untrusted.verdict, Verdict::invalid);
    EXPECT_NE(std::find(untrusted.reasons.begin(), untrusted.reasons.end(), "seal.untrusted"), untrusted.reasons.end());
    // Not a receipt at all.
    auto none = verify_receipt_pdf(idara::testing::sample_pdf(), keys(), svc_.get()).value();
    EXPECT_EQ(none.verdict, Verdict::unknown);
    auto junk = verify_receipt_pdf("hello", keys(), svc_.get());
    ASSERT_TRUE(!junk || junk->verdict == Verdict::unknown);
}

TEST_P(VerifyTest, AQrPayloadIsCheckedAgainstItsSignatureAndTheRegister) {
    auto r = svc_->deposit(principal(citizen_), letter()).value();
    auto sk = db_->read<std::shared_ptr<const trust::SealKeys>>(
                     [&](storage::Tx& tx) { return keys_->keys_for(tx, mef_); })
                  .value();
    const trust::QrClaims good{r.register_number, r.registered_at_ms, r.receipt_digest, sk->kid};
    EXPECT_EQ(verify_qr_payload(trust::sign_qr(good, sk->ed25519_sk), keys(), svc_.get())->verdict, Verdict::valid);
    // Well signed but the register disagrees (another digest), or does not know the number.
    auto wrong_digest = good;
    wrong_digest.receipt_digest = std::string(64, 'a');
    auto v = verify_qr_payload(trust::sign_qr(wrong_digest, sk->ed25519_sk), keys(), svc_.get()).value();
    EXPECT_EQ(v.verdict, Verdict::invalid);
    EXPECT_NE(std::find(v.reasons.begin(), v.reasons.end(), "register.mismatch"), v.reasons.end());
    auto unknown = good;
    unknown.register_number = "MEF-2026-999999";
    EXPECT_EQ(verify_qr_payload(trust::sign_qr(unknown, sk->ed25519_sk), keys(), svc_.get())->verdict, Verdict::unknown);
    // A payload changed after signing: another signature, or other claims under the old signature.
    const std::string payload = trust::sign_qr(good, sk->ed25519_sk);
    std::string bad_sig = payload;
    const std::size_t mid = payload.rfind('.') + 20;
    bad_sig[mid] = bad_sig[mid] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify_qr_payload(bad_sig, keys(), svc_.get())->verdict, Verdict::invalid);
    auto later = good;
    later.registered_at_ms += 1000;
    const std::string other = trust::sign_qr(later, sk->ed25519_sk);
    const std::string spliced = other.substr(0, other.rfind('.')) + payload.substr(payload.rfind('.'));
    auto sv = verify_qr_payload(spliced, keys(), svc_.get()).value();
    EXPECT_EQ(sv.verdict, Verdict::invalid);
    EXPECT_NE(std::find(sv.reasons.begin(), sv.reasons.end(), "qr.bad_signature"), sv.reasons.end());
    EXPECT_EQ(verify_qr_payload("not a payload", keys(), svc_.get())->verdict, Verdict::unknown);
    // A cancelled entry still verifies, and says so.
    ASSERT_TRUE(svc_->cancel(principal(mef_clerk_), r.register_number, "doublon"));
    auto c = verify_qr_payload(trust::sign_qr(good, sk->ed25519_sk), keys(), svc_.get()).value();
    EXPECT_EQ(c.verdict, Verdict::valid);
    ASSERT_TRUE(c.register_entry);
    EXPECT_EQ(c.register_entry->status, EntryStatus::cancelled);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, VerifyTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
