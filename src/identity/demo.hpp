// Demo data for `idara init --demo`: five administrations with a tree of
// units, one staff account per role in each, two citizens (one preferring
// Arabic, one French), a company representative and a platform operator.
// Passwords are fixed and printed so people can try the platform; they are
// for demonstration only.
#pragma once

#include "core/error.hpp"
#include "identity/service.hpp"

#include <string>
#include <vector>

namespace idara::identity {

struct DemoLogin {
    std::string login, password;
    std::string kind;                 // citizen, company, staff, operator
    std::string role;                 // staff only
    std::string administration_code;  // staff only
};

// Seeds an empty database. Fails with demo.not_empty (409), changing nothing, when
// any administration or account exists already (demo passwords are public).
Result<std::vector<DemoLogin>> seed_demo(Service& s);

class TotpService;
// The demo second factor (docs/DEMO.md; demonstration only, it is public): every demo signer
// and admin account gets this fixed TOTP secret (base32 of "idara-demo-totp-2026"), active
// at once, so testers can compute codes (oathtool --totp -b <secret>).
inline constexpr const char* kDemoTotpSecret = "NFSGC4TBFVSGK3LPFV2G65DQFUZDAMRW";
// Gives the demo signer and admin accounts among `logins` that secret.
Status seed_demo_totp(Service& s, TotpService& t, const std::vector<DemoLogin>& logins);

}  // namespace idara::identity
