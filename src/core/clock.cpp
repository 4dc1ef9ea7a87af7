#include "core/clock.hpp"

namespace idara {

namespace {
class SystemClock final : public Clock {
public:
    std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};
}  // namespace

const Clock& system_clock() {
    static const SystemClock c;
    return c;
}

}  // namespace idara
