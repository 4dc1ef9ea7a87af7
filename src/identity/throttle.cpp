#include "identity/throttle.hpp"

#include <algorithm>
#include <vector>

namespace idara::identity {

int LoginThrottle::count(const std::string& key) {
    auto it = failures_.find(key);
    if (it == failures_.end()) return 0;
    const auto cutoff = clock_.now() - o_.window;
    auto& times = it->second;
    while (!times.empty() && times.front() <= cutoff) times.pop_front();
    return static_cast<int>(times.size());
}

Status LoginThrottle::check(const std::string& login, const std::string& ip) {
    std::lock_guard lk(mu_);
    if (count("login:" + login) >= o_.max_failures_per_login) return errors::rate_limited("login " + login);
    if (!ip.empty() && count("ip:" + ip) >= o_.max_failures_per_ip) return errors::rate_limited("address " + ip);
    return {};
}

void LoginThrottle::record_failure(const std::string& login, const std::string& ip) {
    std::lock_guard lk(mu_);
    if (failures_.size() >= o_.max_keys) purge();
    const auto now = clock_.now();
    failures_["login:" + login].push_back(now);
    if (!ip.empty()) failures_["ip:" + ip].push_back(now);
}

void LoginThrottle::record_success(const std::string& login) {
    std::lock_guard lk(mu_);
    failures_.erase("login:" + login);
}

void LoginThrottle::purge() {
    const auto cutoff = clock_.now() - o_.window;
    for (auto it = failures_.begin(); it != failures_.end();) {
        if (it->second.empty() || it->second.back() <= cutoff) it = failures_.erase(it);
        else ++it;
    }
    // Still nearly full (a flood of distinct keys from many addresses): evict the keys whose
    // last failure is oldest, down to 90% of max_keys, so a flood cannot flush the counters of
    // a login under attack, and one scan pays for the next max_keys/10 insertions.
    const std::size_t target = o_.max_keys - std::max<std::size_t>(1, o_.max_keys / 10);
    if (failures_.size() <= target) return;
    using Entry = std::pair<std::chrono::system_clock::time_point, std::map<std::string, Times>::iterator>;
    std::vector<Entry> by_age;
    by_age.reserve(failures_.size());
    for (auto it = failures_.begin(); it != failures_.end(); ++it) by_age.emplace_back(it->second.back(), it);
    const std::size_t n = failures_.size() - target;
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(n - 1), by_age.end(),
                     [](const Entry& a, const Entry& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < n; ++i) failures_.erase(by_age[i].second);
}

}  // namespace idara::identity
