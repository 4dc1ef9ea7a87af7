#include "registry/sequencer.hpp"

#include <algorithm>
#include <limits>

namespace idara::registry {

Sequencer::Ticket Sequencer::take(const std::string& lane, const std::function<Result<std::int64_t>()>& last_committed) {
    std::unique_lock lock(mu_);
    Lane& l = lanes_[lane];
    if (l.broken) return {lane, 0};
    if (l.next_seq == 0) {
        if (l.outstanding > 0) return {lane, 0};
        // Loading under the lock keeps two first tickets from loading twice; it is one
        // small read, once per lane (and after a broken lane).
        auto last = last_committed();
        if (!last) return {lane, 0};
        l.next_seq = *last + 1;
        l.next_turn = l.next_seq;
    }
    ++l.outstanding;
    return {lane, l.next_seq++};
}

bool Sequencer::wait_turn(const Ticket& t, std::chrono::milliseconds timeout) {
    if (t.seq == 0) return false;
    std::unique_lock lock(mu_);
    Lane& l = lanes_[t.lane];
    return cv_.wait_for(lock, timeout, [&] { return l.broken || l.next_turn >= t.seq; }) && !l.broken &&
           l.next_turn == t.seq;
}

void Sequencer::done(const Ticket& t, bool used) {
    {
        std::lock_guard lock(mu_);
        Lane& l = lanes_[t.lane];
        if (t.seq != 0) {
            --l.outstanding;
            if (used && l.next_turn == t.seq && !l.broken) {
                ++l.next_turn;
            } else if (!used || l.next_turn != t.seq) {
                // The numbers handed out after this one are off: release their waiters (they
                // fall back to rendering inside the transaction) and reload when all are done.
                l.broken = true;
                l.next_turn = std::numeric_limits<std::int64_t>::max();
            }
        }
        if (l.broken && l.outstanding == 0) l = Lane{};
    }
    cv_.notify_all();
}

}  // namespace idara::registry
