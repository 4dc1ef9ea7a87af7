#include "deadline/holiday_store.hpp"

#include "core/log.hpp"

namespace idara::deadline {
namespace {

Result<std::vector<Adjustment>> read_adjustments(storage::Tx& tx) {
    auto rows = tx.query("SELECT code, hijri_year, shift_days FROM holiday_adjustments");
    if (!rows) return rows.error();
    std::vector<Adjustment> out;
    for (const auto& r : *rows) {
        Adjustment a{r.as_text(0), static_cast<int>(r.as_int(1)), static_cast<int>(r.as_int(2))};
        // A row this binary does not understand (a code renamed by a later release) is ignored, not fatal.
        if (auto s = validate(a); !s) {
            log::warn("holiday.adjustment_ignored", {{"code", a.code}, {"hijri_year", std::to_string(a.hijri_year)},
                                                     {"reason", s.error().code}});
            continue;
        }
        out.push_back(std::move(a));
    }
    return out;
}

Status validate_code(const std::string& code) {
    if (!is_holiday_code(code)) return Error("holiday.unknown", 400, "unknown holiday code: " + code);
    if (!is_hijri_code(code)) return Error("holiday.not_hijri", 400, "fixed holidays cannot move: " + code);
    return {};
}

}  // namespace

HolidayStore::HolidayStore(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<std::shared_ptr<const HolidayCalendar>> HolidayStore::load() {
    auto adjustments = db_.read<std::vector<Adjustment>>(read_adjustments);
    if (!adjustments) return adjustments.error();
    return HolidayCalendar::create(std::move(*adjustments));
}

void HolidayStore::invalidate() {
    std::lock_guard lock(mutex_);
    ++generation_;
    cached_.reset();
}

std::shared_ptr<const HolidayCalendar> HolidayStore::calendar() {
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        if (cached_) return cached_;
        generation = generation_;
    }
    auto built = load();  // outside the lock: a database read
    std::lock_guard lock(mutex_);
    if (!built) {
        log::warn("holiday.calendar_unavailable", {{"code", built.error().code}, {"detail", built.error().detail}});
        if (!last_good_) last_good_ = HolidayCalendar::create().value();
        return last_good_;
    }
    last_good_ = *built;
    // A change committed while we were reading makes what we read stale: serve it once, do not cache it.
    if (generation == generation_) cached_ = *built;
    return *built;
}

Status HolidayStore::reload() {
    invalidate();
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        generation = generation_;
    }
    auto built = load();
    if (!built) return built.error();
    std::lock_guard lock(mutex_);
    last_good_ = *built;
    if (generation == generation_) cached_ = *built;
    return {};
}

Result<StoredAdjustment> HolidayStore::set(const Adjustment& a, std::optional<std::int64_t> actor) {
    if (auto s = validate(a); !s) return s.error();
    StoredAdjustment stored{a, actor, clock_.now_ms()};
    const storage::Value by = actor ? storage::Value(*actor) : storage::Value(nullptr);
    auto done = db_.write_tx([&](storage::Tx& tx) -> Status {
        auto n = tx.exec(
            "INSERT INTO holiday_adjustments (code, hijri_year, shift_days, set_by, set_at) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (code, hijri_year) DO UPDATE SET shift_days = excluded.shift_days, set_by = excluded.set_by, "
            "set_at = excluded.set_at",
            {a.code, std::int64_t{a.hijri_year}, std::int64_t{a.shift_days}, by, stored.set_at});
        if (!n) return n.error();
        return {};
    });
    if (!done) return done.error();
    invalidate();
    return stored;
}

Status HolidayStore::clear(const std::string& code, int hijri_year) {
    if (auto s = validate_code(code); !s) return s;
    auto removed = db_.write<std::int64_t>([&](storage::Tx& tx) {
        return tx.exec("DELETE FROM holiday_adjustments WHERE code = $1 AND hijri_year = $2",
                       {code, std::int64_t{hijri_year}});
    });
    if (!removed) return removed.error();
    if (*removed == 0) return errors::not_found("no adjustment for " + code + " " + std::to_string(hijri_year));
    invalidate();
    return {};
}

Result<std::vector<StoredAdjustment>> HolidayStore::list() {
    return db_.read<std::vector<StoredAdjustment>>([](storage::Tx& tx) -> Result<std::vector<StoredAdjustment>> {
        auto rows = tx.query(
            "SELECT code, hijri_year, shift_days, set_by, set_at FROM holiday_adjustments ORDER BY hijri_year, code");
        if (!rows) return rows.error();
        std::vector<StoredAdjustment> out;
        for (const auto& r : *rows)
            out.push_back({{r.as_text(0), static_cast<int>(r.as_int(1)), static_cast<int>(r.as_int(2))},
                           r.opt_int(3),
                           r.as_int(4)});
        return out;
    });
}

Result<std::vector<Holiday>> HolidayStore::holidays(int year) {
    if (year < kMinDisplayYear || year > kMaxDisplayYear)
        return Error("holiday.year", 400, "year out of range: " + std::to_string(year));
    return calendar()->holidays(year);
}

}  // namespace idara::deadline
