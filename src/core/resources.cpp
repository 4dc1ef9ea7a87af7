#include "core/resources.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace idara::resources {

namespace detail {
struct Entry {
    const char* path;
    const unsigned char* data;
    std::size_t size;
};
// Defined in the generated resources_data.cpp.
extern const Entry entries[];
extern const std::size_t entry_count;
}  // namespace detail

namespace {
std::optional<std::string> from_disk(std::string_view path) {
    const char* dir = std::getenv("IDARA_RESOURCES_DIR");
    if (dir == nullptr || *dir == '\0') return std::nullopt;
    std::filesystem::path p = std::filesystem::path(dir) / std::string(path);
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

std::optional<std::string> find(std::string_view path) {
    if (path.find("..") != std::string_view::npos) return std::nullopt;
    if (auto disk = from_disk(path)) return disk;
    for (std::size_t i = 0; i < detail::entry_count; ++i) {
        const auto& e = detail::entries[i];
        if (path == e.path) return std::string(reinterpret_cast<const char*>(e.data), e.size);
    }
    return std::nullopt;
}

std::vector<std::string> list(std::string_view prefix) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < detail::entry_count; ++i) {
        std::string_view p = detail::entries[i].path;
        if (p.substr(0, prefix.size()) == prefix) out.emplace_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace idara::resources
