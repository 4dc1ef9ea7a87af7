// Port files: a process started with port 0 tells its parent (tests, `idara exchange up`, bench)
// which port it bound by writing a small file once listening. Written to a temporary file and
// renamed, so a reader polling for the file never sees it half written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace idara::app {

inline bool write_port_file(const std::string& path, std::string_view content) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << content;
        if (!out) return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    return !ec;
}

inline bool write_port_file(const std::string& path, std::uint16_t port) {
    return write_port_file(path, std::to_string(port) + "\n");
}

}  // namespace idara::app
