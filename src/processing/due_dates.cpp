// Stored due dates brought back in line with the holiday calendar (due_dates.hpp).
#include "processing/due_dates.hpp"

#include "core/log.hpp"
#include "deadline/holiday_store.hpp"
#include "storage/db.hpp"

#include <vector>

namespace idara::processing {

Result<int> recompute_open_due_dates(storage::Database& db, deadline::HolidayStore& holidays,
                                     const DeadlineRules& rules) {
    if (auto s = holidays.reload(); !s) return s.error();
    auto changed = db.write<int>([&](storage::Tx& tx) -> Result<int> {
        auto rows = tx.query(
            "SELECT e.id, f.due_at, e.registered_at, COALESCE(s.registered_at, e.registered_at), e.deadline_days, "
            "e.working_days, f.missing_requested_at, f.completed_at "
            "FROM entry_flow f JOIN entries e ON e.id = f.entry_id LEFT JOIN entries s ON s.id = f.transferred_from "
            "WHERE f.state IN ('registered', 'assigned', 'in_progress') AND f.paused_at IS NULL ORDER BY e.id");
        if (!rows) return rows.error();
        int n = 0;
        for (const auto& r : *rows) {
            const int days = static_cast<int>(r.as_int(4));
            const bool working = r.as_int(5) != 0;
            const auto requested = r.opt_int(6), completed = r.opt_int(7);
            const std::int64_t due = requested && completed
                                         ? rules.resumed(r.as_int(2), *requested, *completed, days, working)
                                         : rules.due(r.as_int(3), days, working);
            if (due == r.as_int(1)) continue;
            for (const char* sql : {"UPDATE entry_flow SET due_at = $1 WHERE entry_id = $2",
                                    "UPDATE entries SET due_at = $1 WHERE id = $2"})
                if (auto u = tx.exec(sql, {due, r.as_int(0)}); !u) return u.error();
            ++n;
        }
        return n;
    });
    if (!changed) return changed.error();
    log::info("deadline.due_dates_recomputed", {{"entries", std::to_string(*changed)}});
    return changed;
}

}  // namespace idara::processing
