// Running the command-line tools tests check results with (pdfsig, openssl, pdftotext,
// zbarimg, certutil…), and writing their input files. Header-only.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace idara::testing {

// Runs `cmd` through the shell and returns what it printed: stdout and stderr together,
// or stdout alone when `quiet_stderr` (for tools that print noise on stderr).
inline std::string run_command(const std::string& cmd, bool quiet_stderr = false) {
    std::array<char, 4096> buf{};
    std::string out;
    FILE* p = popen((cmd + (quiet_stderr ? " 2>/dev/null" : " 2>&1")).c_str(), "r");
    if (p == nullptr) return out;
    for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
    pclose(p);
    return out;
}

inline void write_file(const std::filesystem::path& p, const std::string& data) {
    std::ofstream(p, std::ios::binary) << data;
}

}  // namespace idara::testing
