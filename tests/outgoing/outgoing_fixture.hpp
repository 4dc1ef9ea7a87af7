// The outgoing register on a fresh database of each backend, on top of the registry
// fixture (MEF and MEN, their staff, citizens, real incoming entries): MEF signers, the
// OutgoingService connected to the e-parapheur (the development PKI, the built-in TSA, a
// CircuitService whose re-authentication accepts "pass-word" + "123456"), the outgoing_letter
// templates (MEF: a unit head's visa then a signer's signature; MEN: a signer's signature), and
// helpers to make replies and take letters through their circuit.
#pragma once

#include "../registry/deposit_fixture.hpp"
#include "outgoing/letters.hpp"
#include "parapheur/circuits.hpp"
#include "trust/pki.hpp"
#include "trust/tsa.hpp"

namespace idara::testing {

class OutgoingTest : public DepositTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // A portal deposit by citizen_ to MEF; returns the entry id.
    std::int64_t incoming(const std::string& subject = "طلب شهادة إدارية");
    // A reply drafted by `author` (default: the MEF agent) with a template.
    outgoing::NewLetter reply(std::int64_t entry_id, outgoing::Template t = outgoing::Template::answer,
                              i18n::Lang lang = i18n::Lang::ar);
    // Created and submitted: pending_approval.
    outgoing::Letter pending(std::int64_t entry_id, std::int64_t author);
    // Takes a pending letter through its circuit: the visa of the MEF unit head (MEF letters), then
    // the signature of `signer` (default: the MEF signer; the MEN signer for MEN letters).
    Result<outgoing::Letter> approve(const outgoing::Letter& l, std::int64_t signer = 0);
    // Rejects the letter's circuit at its current step (by the head for MEF letters).
    Result<outgoing::Letter> reject(const outgoing::Letter& l, const std::string& reason);
    // The outgoing counter of MEF this year (0 when none).
    std::int64_t outgoing_counter();
    std::vector<std::string> trust_anchors();

    std::unique_ptr<trust::Pki> pki_;
    std::unique_ptr<trust::BuiltinTsa> tsa_;
    std::unique_ptr<parapheur::CircuitService> circuits_;
    std::unique_ptr<outgoing::OutgoingService> out_;
    std::vector<std::unique_ptr<identity::Principal>> principals_;
    std::int64_t mef_signer_ = 0, mef_signer2_ = 0, mef_head_ = 0, men_signer_ = 0;
};

}  // namespace idara::testing
