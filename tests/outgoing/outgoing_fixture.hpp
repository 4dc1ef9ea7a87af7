// The outgoing register on a fresh database of each backend, on top of the registry
// fixture (MEF and MEN, their staff, citizens, real incoming entries): MEF signers, the
// OutgoingService, and helpers to make replies.
#pragma once

#include "../registry/deposit_fixture.hpp"
#include "outgoing/letters.hpp"

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
    // The outgoing counter of MEF this year (0 when none).
    std::int64_t outgoing_counter();
    std::vector<std::string> trust_anchors();

    std::unique_ptr<outgoing::OutgoingService> out_;
    std::int64_t mef_signer_ = 0, mef_signer2_ = 0, mef_head_ = 0, men_signer_ = 0;
};

}  // namespace idara::testing
