// Login throttling, in memory: at most N failed sign-ins per login and M per
// client address within a sliding window. While a key is over its limit,
// sign-in is refused with auth.rate_limited (429) *before* the password is
// checked, so guessing costs the attacker time, not the server CPU.
//
// Memory is bounded: when the table reaches max_keys, keys whose failures all
// left the window are purged and, if that is not enough, the keys whose last
// failure is oldest, down to 90% of max_keys. Thread-safe. The state is per process (a
// deployment with several processes gets per-process limits).
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace idara::identity {

struct ThrottleOptions {
    int max_failures_per_login = 5;
    int max_failures_per_ip = 20;
    std::chrono::milliseconds window = std::chrono::minutes(15);
    std::size_t max_keys = 100000;  // logins + addresses tracked at once
};

class LoginThrottle {
public:
    // `clock` must outlive the throttle. max_keys below 10 counts as 10.
    LoginThrottle(ThrottleOptions o, const Clock& clock) : o_(o), clock_(clock) {
        if (o_.max_keys < 10) o_.max_keys = 10;
    }
    // auth.rate_limited when the login or the address is over its limit.
    Status check(const std::string& login, const std::string& ip);
    void record_failure(const std::string& login, const std::string& ip);
    // A successful sign-in clears the login's failures (not the address's).
    void record_success(const std::string& login);

private:
    using Times = std::deque<std::chrono::system_clock::time_point>;
    int count(const std::string& key);
    void purge();
    ThrottleOptions o_;
    const Clock& clock_;
    std::mutex mu_;
    std::map<std::string, Times> failures_;
};

}  // namespace idara::identity
