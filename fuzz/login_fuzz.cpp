// Sign-in names and passwords typed by anyone: normalisation and policy never crash.
#include "identity/password.hpp"
#include "identity/service.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    auto login = idara::identity::normalize_login(s);
    (void)idara::identity::check_policy(s, login ? *login : std::string_view("x"));
    return 0;
}
