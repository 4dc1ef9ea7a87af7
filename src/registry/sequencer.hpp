// Provisional register numbers, so that receipts can be rendered and sealed before
// the registering transaction — in parallel, outside the database's writer lock —
// while the transactions themselves commit in number order.
//
// An optimisation only: registry::allocate() inside the transaction stays the one
// source of truth. A deposit whose provisional number turns out not to be the one
// allocated (an earlier deposit failed, another process registered, a wait timed out)
// renders its receipt again inside the transaction, as it would without a sequencer.
//
// One lane per (administration, register, year). take() hands out the next number of
// the lane (loading the last committed one from the database when the lane is new);
// wait_turn() blocks until every earlier ticket of the lane is done (bounded by a
// timeout, so a stuck predecessor only costs the slower path); done() says whether the
// ticket's number was committed as given. After a ticket that was not, the lane stops
// handing out numbers (take() returns seq 0: "no provisional number") until its
// outstanding tickets are done, then reloads from the database.
//
// Thread-safety: all functions may be called from any number of threads.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace idara::registry {

class Sequencer {
public:
    struct Ticket {
        std::string lane;
        std::int64_t seq = 0;  // 0: no provisional number
    };

    // `last_committed` reads the lane's last committed number (0 when none).
    Ticket take(const std::string& lane, const std::function<Result<std::int64_t>()>& last_committed);
    // Returns true when it is the ticket's turn, false after `timeout` or when the lane broke.
    bool wait_turn(const Ticket& t, std::chrono::milliseconds timeout);
    // `used`: the transaction committed exactly t.seq.
    void done(const Ticket& t, bool used);

private:
    struct Lane {
        std::int64_t next_seq = 0;   // 0: unknown, load before handing out
        std::int64_t next_turn = 0;  // the ticket whose turn it is
        int outstanding = 0;
        bool broken = false;
    };
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, Lane> lanes_;
};

// Marks a ticket done when it goes out of scope (not used unless use() was called).
class TicketGuard {
public:
    TicketGuard(Sequencer& s, Sequencer::Ticket t) : s_(s), t_(std::move(t)) {}
    ~TicketGuard() {
        if (!t_.lane.empty()) s_.done(t_, used_);
    }
    TicketGuard(const TicketGuard&) = delete;
    TicketGuard& operator=(const TicketGuard&) = delete;
    const Sequencer::Ticket& ticket() const { return t_; }
    void use(bool used) { used_ = used; }

private:
    Sequencer& s_;
    Sequencer::Ticket t_;
    bool used_ = false;
};

}  // namespace idara::registry
