#include "exchange/files.hpp"

#include "core/random.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace idara::exchange::files {

std::optional<std::string> read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool write_atomic(const std::string& path, std::string_view data, bool secret, std::string& why) {
    // Unique per writer, so two processes replacing the same file never share a temporary.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + random::hex_token(4);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
    if (fd < 0) {
        why = std::string("cannot create: ") + std::strerror(errno);
        return false;
    }
    auto give_up = [&](const char* what) {
        why = std::string(what) + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    };
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return give_up("cannot write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return give_up("cannot sync");
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        why = std::string("cannot rename: ") + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace idara::exchange::files
