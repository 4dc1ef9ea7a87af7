// Recomputing stored due dates after the holiday calendar changed (an adjustment set or
// cleared: deadline/holiday_store.hpp). Due dates are computed once and stored
// (entry_flow.due_at, copied to entries.due_at); without this they keep the calendar of
// the day they were computed.
//
// recompute_open_due_dates() reloads the store's calendar from the database, then, in ONE
// write transaction, recomputes the due date of every open entry whose clock runs (state
// registered, assigned or in_progress; paused_at NULL) exactly as it was first computed:
//   - no missing-documents request: DeadlineRules::due from the deposit (for an entry
//     transferred in, from the registration of the entry it was transferred from);
//   - after the one request and the completion: DeadlineRules::resumed(registered_at,
//     missing_requested_at, completed_at);
// and writes both columns where the result differs. Entries whose clock is paused get
// their due date on completion, finished ones keep theirs (their deadline is history).
// The entries' version is unchanged and no event is written: the due date follows the
// official calendar, it is not an action on the file. Returns how many entries changed.
//
// Errors: storage errors (nothing is changed then).
// Thread-safety: may be called from any thread; `rules` must compute on `holidays`.
#pragma once

#include "core/error.hpp"
#include "processing/workflow.hpp"

namespace idara::deadline {
class HolidayStore;
}

namespace idara::processing {

Result<int> recompute_open_due_dates(storage::Database& db, deadline::HolidayStore& holidays,
                                     const DeadlineRules& rules);

}  // namespace idara::processing
