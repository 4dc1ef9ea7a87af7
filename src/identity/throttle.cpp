#include "identity/throttle.hpp"

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
    // Still full (a flood of distinct keys from many addresses): evict the keys whose
    // last failure is oldest, so a flood cannot flush the counters of a login under attack.
    while (failures_.size() >= o_.max_keys) {
        auto oldest = failures_.begin();
        for (auto it = failures_.begin(); it != failures_.end(); ++it)
            if (it->second.back() < oldest->second.back()) oldest = it;
        failures_.erase(oldest);
    }
}

}  // namespace idara::identity
