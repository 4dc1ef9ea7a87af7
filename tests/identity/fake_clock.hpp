#pragma once

#include "core/clock.hpp"

#include <atomic>

namespace idara::testing {

// A clock the test moves by hand.
class FakeClock final : public Clock {
public:
    std::chrono::system_clock::time_point now() const override {
        return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
    }
    void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

private:
    std::atomic<std::int64_t> ms_{1'790'000'000'000};  // Sep 2026
};

}  // namespace idara::testing
