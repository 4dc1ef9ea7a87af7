#include "core/log.hpp"

#include "core/dates.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace idara::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mu;

const char* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "info";
}

}  // namespace

std::string now_iso() {
    return i18n::iso_utc_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
}

void set_level(Level l) { g_level = static_cast<int>(l); }

bool parse_level(std::string_view s, Level& out) {
    if (s == "debug") out = Level::debug;
    else if (s == "info") out = Level::info;
    else if (s == "warn") out = Level::warn;
    else if (s == "error") out = Level::error;
    else return false;
    return true;
}

void write(Level l, std::string_view event, const Fields& fields) {
    if (static_cast<int>(l) < g_level.load()) return;
    boost::json::object o;
    o["ts"] = now_iso();
    o["level"] = level_name(l);
    o["event"] = event;
    for (const auto& [k, v] : fields) o[k] = v;
    write_raw_line(boost::json::serialize(o));
}

void write_raw_line(std::string_view json_line) {
    std::lock_guard lk(g_mu);
    std::fwrite(json_line.data(), 1, json_line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

}  // namespace idara::log
