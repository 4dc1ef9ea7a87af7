// The wall clock behind an interface, so tests can move time instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace idara {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::system_clock::time_point now() const = 0;
    std::int64_t now_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
    }
};

// The real clock. Thread-safe.
const Clock& system_clock();

}  // namespace idara
