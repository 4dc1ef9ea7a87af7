// The Law 55-19 clock on the Moroccan holiday calendar: DeadlineRules (workflow.hpp) and the
// registry's due-date function (registry/deposit.hpp DepositOptions::due_date) computed by the
// deadline engine (deadline/deadline.hpp) on the calendar a HolidayStore keeps, adjustments
// included. The store must outlive what these functions are given to.
#pragma once

#include "deadline/holiday_store.hpp"
#include "processing/workflow.hpp"

namespace idara::processing {

DeadlineRules legal_rules(deadline::HolidayStore& holidays);
std::function<std::int64_t(std::int64_t, int, bool)> legal_due_date(deadline::HolidayStore& holidays);

}  // namespace idara::processing
