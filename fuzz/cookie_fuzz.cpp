// Cookie headers come from anyone. Input: a cookie name, a newline, then the
// header value. A found value never spans a ';' and is never longer than the header.
#include "http/message.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string s(reinterpret_cast<const char*>(data), size);
    const auto nl = s.find('\n');
    const std::string name = nl == std::string::npos ? "idara_session" : s.substr(0, nl);
    const std::string header = nl == std::string::npos ? s : s.substr(nl + 1);
    idara::http::Request req;
    req.headers.set("Cookie", header);
    for (const std::string& n : {name, std::string("idara_session"), std::string("idara_lang")}) {
        const auto v = req.cookie(n);
        if (!v) continue;
        if (v->size() > header.size() || v->find(';') != std::string::npos) std::abort();
    }
    return 0;
}
