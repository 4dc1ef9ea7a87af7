// The correspondence window on top of the registry office fixture: MEF gets a budget
// directorate DB (head + agent from the base fixture + a second agent) and an HR
// directorate DRH (head + agent); MEN stays the competent administration for transfers.
#pragma once

#include "../registry/deposit_fixture.hpp"
#include "processing/workflow.hpp"

#include <string>

namespace idara::testing {

class WorkflowTest : public DepositTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // A portal deposit by citizen_ to MEF; returns its register number.
    std::string deposit(const std::string& subject = "طلب شهادة إدارية");
    processing::Dossier dossier(std::int64_t who, const std::string& number);
    std::int64_t version(const std::string& number) { return dossier(mef_clerk_, number).version; }
    processing::Actor as(std::int64_t who);
    // Registered → assigned to DB → dispatched to db_agent_ → in progress. Returns the version.
    std::int64_t route_to_agent(const std::string& number, bool confidential = false);
    std::vector<std::string> kinds(const processing::Dossier& d);

    std::unique_ptr<processing::WorkflowService> flow_;
    std::int64_t db_head_ = 0, db_agent2_ = 0, drh_head_ = 0, drh_agent_ = 0;
};

}  // namespace idara::testing
