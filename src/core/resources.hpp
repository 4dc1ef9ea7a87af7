// Files that ship inside the idara binary: templates, message catalogues,
// static assets, SQL migrations, demo data. They are embedded at build time
// (cmake/embed.cmake) so the binary is self-contained.
//
// For development, setting IDARA_RESOURCES_DIR to the source tree makes
// find() read files from disk instead, so templates can be edited without
// rebuilding. Paths are relative to the repository root ("web/i18n/ar.json").
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::resources {

// The content of the resource at `path`, or nullopt when there is none.
std::optional<std::string> find(std::string_view path);

// Paths of all embedded resources whose path starts with `prefix`, sorted.
std::vector<std::string> list(std::string_view prefix);

}  // namespace idara::resources
