#include "workflow_fixture.hpp"

#include <deque>

namespace idara::testing {

using identity::Role;

void WorkflowTest::SetUp() {
    DepositTest::SetUp();
    const auto mef = identity::TenantScope::trusted(mef_);
    ids_->create_unit(mef, {"DRH", "مديرية الموارد البشرية", "Direction des Ressources humaines", {}}).value();
    db_head_ = add_staff("head.db@mef.gov.ma", "MEF", Role::unit_head, "DB");
    db_agent2_ = add_staff("agent2.db@mef.gov.ma", "MEF", Role::agent, "DB");
    drh_head_ = add_staff("head.drh@mef.gov.ma", "MEF", Role::unit_head, "DRH");
    drh_agent_ = add_staff("agent.drh@mef.gov.ma", "MEF", Role::agent, "DRH");
    processing::WorkflowOptions o;
    o.limits.max_bytes = 64 * 1024;
    flow_ = std::make_unique<processing::WorkflowService>(*db_, *blobs_, *svc_, o, clock_);
}

void WorkflowTest::TearDown() {
    flow_.reset();
    DepositTest::TearDown();
}

std::string WorkflowTest::deposit(const std::string& subject) {
    return svc_->deposit(principal(citizen_), letter(subject)).value().register_number;
}

processing::Dossier WorkflowTest::dossier(std::int64_t who, const std::string& number) {
    return flow_->dossier(principal(who), number).value();
}

processing::Actor WorkflowTest::as(std::int64_t who) {
    static thread_local std::deque<identity::Principal> keep;  // Actor holds a reference
    keep.push_back(principal(who));
    return processing::Actor{keep.back(), "test"};
}

std::int64_t WorkflowTest::route_to_agent(const std::string& number, bool confidential) {
    std::int64_t v = version(number);
    if (confidential) v = flow_->qualify(as(mef_clerk_), number, v, {std::nullopt, processing::Priority::normal, true}).value();
    v = flow_->assign(as(mef_clerk_), number, v, {"DB", {}}).value();
    v = flow_->dispatch(as(db_head_), number, v, mef_agent_).value();
    return flow_->start(as(mef_agent_), number, v).value();
}

std::vector<std::string> WorkflowTest::kinds(const processing::Dossier& d) {
    std::vector<std::string> k;
    for (const auto& e : d.timeline) k.push_back(e.kind);
    return k;
}

}  // namespace idara::testing
