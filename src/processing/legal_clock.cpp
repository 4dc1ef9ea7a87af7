#include "processing/legal_clock.hpp"

#include "deadline/deadline.hpp"

namespace idara::processing {

std::function<std::int64_t(std::int64_t, int, bool)> legal_due_date(deadline::HolidayStore& holidays) {
    return [&holidays](std::int64_t from, int days, bool working) {
        return deadline::due_instant(*holidays.calendar(), deadline::Rule{days, working}, from);
    };
}

DeadlineRules legal_rules(deadline::HolidayStore& holidays) {
    DeadlineRules r;
    r.due = legal_due_date(holidays);
    r.resumed = [&holidays](std::int64_t registered, std::int64_t paused, std::int64_t resumed, int days, bool working) {
        const auto d = deadline::compute_deadline(*holidays.calendar(), deadline::Rule{days, working}, registered,
                                                  deadline::MissingDocuments{paused, resumed});
        return d.due_ms.value_or(resumed);
    };
    return r;
}

}  // namespace idara::processing
