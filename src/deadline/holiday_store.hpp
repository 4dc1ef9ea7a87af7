// The administrators' adjustments of Hijri holidays, kept in the database
// (table holiday_adjustments, migration 0007), and the HolidayCalendar built
// from them. Platform-wide: every administration counts on the same calendar.
//
// Permissions are the caller's job: set() and clear() are for platform
// operators / administrators only, checked before calling; list() and
// holidays() are public information.
//
// calendar() returns the calendar with the stored adjustments. It is built on
// first use and cached; set() and clear() through this store rebuild it on the
// next call. Changes made by another process (another server instance, the
// CLI) are seen after reload(). If the database cannot be read, calendar()
// logs a warning and returns the last calendar it built (or, before any, the
// calendar without adjustments) and tries again on the next call.
//
// Errors (status 400 unless said):
//   holiday.unknown, holiday.not_hijri, holiday.hijri_year, holiday.shift
//       the adjustment is invalid (calendar.hpp)
//   holiday.year          holidays(year) outside 1970..2200
//   resource.not_found    (404) clear() of an adjustment that does not exist
//   storage.*             database failures (storage/db.hpp)
//
// Thread-safety: a HolidayStore may be used from any thread; the Database
// must outlive it.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "deadline/calendar.hpp"
#include "storage/db.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace idara::deadline {

inline constexpr int kMinDisplayYear = 1970;
inline constexpr int kMaxDisplayYear = 2200;

struct StoredAdjustment {
    Adjustment adjustment;
    std::optional<std::int64_t> set_by;  // account id; nullopt when set by the CLI or the system
    std::int64_t set_at = 0;             // ms UTC
    bool operator==(const StoredAdjustment&) const = default;
};

class HolidayStore {
public:
    explicit HolidayStore(storage::Database& db, const Clock& clock = system_clock());

    // The calendar with the stored adjustments (cached; never null).
    std::shared_ptr<const HolidayCalendar> calendar();
    // Rebuilds the cached calendar from the database now.
    Status reload();

    // Creates or replaces the adjustment of (code, hijri_year).
    Result<StoredAdjustment> set(const Adjustment& a, std::optional<std::int64_t> actor);
    // Removes the adjustment of (code, hijri_year): the computed date applies again.
    Status clear(const std::string& code, int hijri_year);
    // Every stored adjustment, by Hijri year then code.
    Result<std::vector<StoredAdjustment>> list();
    // The holidays of civil year `year` on the current calendar, for display.
    Result<std::vector<Holiday>> holidays(int year);

private:
    Result<std::shared_ptr<const HolidayCalendar>> load();
    void invalidate();

    storage::Database& db_;
    const Clock& clock_;
    std::mutex mutex_;
    std::shared_ptr<const HolidayCalendar> cached_;    // guarded by mutex_; null when stale
    std::shared_ptr<const HolidayCalendar> last_good_; // guarded by mutex_; the fallback
    std::uint64_t generation_ = 0;                     // guarded by mutex_; bumped by each change
};

}  // namespace idara::deadline
