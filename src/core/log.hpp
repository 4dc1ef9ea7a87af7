// Structured logging: one JSON object per line on stderr.
//   log::info("server.started", {{"port", "8080"}});
// Fields are strings; the writer adds "ts" (UTC ISO-8601), "level" and "event".
// Thread-safe: lines from different threads never interleave.
// Never log secrets: passwords, tokens, private keys, session ids.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::log {

enum class Level { debug, info, warn, error };
using Fields = std::vector<std::pair<std::string, std::string>>;

void set_level(Level l);
// The current UTC time as ISO-8601 with milliseconds ("2026-11-22T13:00:00.123Z"), as in every log line.
std::string now_iso();
bool parse_level(std::string_view s, Level& out);
void write(Level l, std::string_view event, const Fields& fields = {});
// Writes a pre-serialised JSON object as one line (used by the access log).
void write_raw_line(std::string_view json_line);

inline void debug(std::string_view e, const Fields& f = {}) { write(Level::debug, e, f); }
inline void info(std::string_view e, const Fields& f = {}) { write(Level::info, e, f); }
inline void warn(std::string_view e, const Fields& f = {}) { write(Level::warn, e, f); }
inline void error(std::string_view e, const Fields& f = {}) { write(Level::error, e, f); }

}  // namespace idara::log
