// The exchange layer's small files (keys, certificates, configurations, caches, OpenAPI documents):
// one way to read them and one way to replace them without a reader ever seeing half a file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace idara::exchange::files {

// The whole file, or nullopt when it cannot be opened.
std::optional<std::string> read(const std::string& path);

// Writes `data` to a uniquely named temporary file beside `path` (mode 0600 when `secret`, else
// 0644), fsyncs it and renames it over `path`. On failure the temporary file is removed, `path` is
// unchanged, and `why` says what failed ("cannot write: No space left on device").
bool write_atomic(const std::string& path, std::string_view data, bool secret, std::string& why);

}  // namespace idara::exchange::files
