// The sequencer of provisional register numbers: order, turns, a broken lane and its reload.
#include "registry/sequencer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

using namespace idara;
using namespace idara::registry;
using namespace std::chrono_literals;

namespace {

struct Loader {
    std::int64_t last = 0;
    int calls = 0;
    std::function<Result<std::int64_t>()> fn() {
        return [this]() -> Result<std::int64_t> {
            ++calls;
            return last;
        };
    }
};

TEST(Sequencer, HandsOutNumbersInOrderAfterTheLastCommitted) {
    Sequencer s;
    Loader l{41};
    auto a = s.take("1/in/2026", l.fn());
    auto b = s.take("1/in/2026", l.fn());
    auto other = s.take("2/in/2026", l.fn());
    EXPECT_EQ(a.seq, 42);
    EXPECT_EQ(b.seq, 43);
    EXPECT_EQ(other.seq, 42);  // lanes are independent
    EXPECT_EQ(l.calls, 2);     // loaded once per lane
    EXPECT_TRUE(s.wait_turn(a, 0ms));
    EXPECT_FALSE(s.wait_turn(b, 10ms));  // not its turn while a is outstanding
    s.done(a, true);
    EXPECT_TRUE(s.wait_turn(b, 0ms));
    s.done(b, true);
    s.done(other, true);
    EXPECT_EQ(s.take("1/in/2026", l.fn()).seq, 44);
}

TEST(Sequencer, AWaiterProceedsWhenItsPredecessorIsDone) {
    Sequencer s;
    Loader l;
    auto a = s.take("k", l.fn());
    auto b = s.take("k", l.fn());
    auto waiting = std::async(std::launch::async, [&] { return s.wait_turn(b, 5s); });
    std::this_thread::sleep_for(20ms);
    s.done(a, true);
    EXPECT_TRUE(waiting.get());
    s.done(b, true);
}

TEST(Sequencer, AFailedTicketBreaksTheLaneUntilItsTicketsAreDoneThenReloads) {
    Sequencer s;
    Loader l{10};
    auto a = s.take("k", l.fn());
    auto b = s.take("k", l.fn());
    auto waiting = std::async(std::launch::async, [&] { return s.wait_turn(b, 5s); });
    s.done(a, false);              // a's number was not committed: b's provisional number is wrong
    EXPECT_FALSE(waiting.get());   // released at once, told it is not its turn
    EXPECT_EQ(s.take("k", l.fn()).seq, 0);  // no provisional numbers while b is out
    s.done(b, true);               // b committed whatever the database gave it
    l.last = 11;
    auto c = s.take("k", l.fn());
    EXPECT_EQ(c.seq, 12);          // reloaded from the database
    EXPECT_EQ(l.calls, 2);
    s.done(c, true);
}

TEST(Sequencer, AStuckPredecessorOnlyCostsTheTimeout) {
    Sequencer s;
    Loader l;
    auto a = s.take("k", l.fn());
    auto b = s.take("k", l.fn());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.wait_turn(b, 50ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    // b went ahead anyway and committed its number out of turn: the lane breaks and reloads.
    s.done(b, true);
    s.done(a, false);
    l.last = 2;
    EXPECT_EQ(s.take("k", l.fn()).seq, 3);
}

TEST(Sequencer, ALoaderErrorMeansNoProvisionalNumber) {
    Sequencer s;
    auto t = s.take("k", []() -> Result<std::int64_t> { return Error{"storage.busy", 503, "test"}; });
    EXPECT_EQ(t.seq, 0);
    EXPECT_FALSE(s.wait_turn(t, 0ms));
    s.done(t, false);
    Loader l{5};
    EXPECT_EQ(s.take("k", l.fn()).seq, 6);
}

}  // namespace
