// Query strings, form bodies and Cookie headers come from anyone.
#include "http/message.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string s(reinterpret_cast<const char*>(data), size);
    (void)idara::http::parse_urlencoded(s);
    idara::http::Request req;
    req.query = s;
    req.body = s;
    req.headers.set("Cookie", s);
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
    (void)req.query_param("next");
    (void)req.form("_csrf");
    (void)req.cookie("idara_session");
    (void)idara::http::url_encode(s);
    return 0;
}
