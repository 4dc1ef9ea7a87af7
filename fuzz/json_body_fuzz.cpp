// JSON request bodies: parse_json_object and the field accessors never crash or throw.
#include "api/json_io.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    idara::http::Request req;
    req.headers.set("Content-Type", "application/json; charset=utf-8");
    req.body.assign(reinterpret_cast<const char*>(data), size);
    auto o = idara::api::parse_json_object(req);
    if (o) {
        (void)idara::api::required_string(*o, "code", 32);
        (void)idara::api::optional_string(*o, "name_ar", 200);
        (void)idara::api::optional_int(*o, "parent_id");
    }
    return 0;
}
