// The fixture of the identity service tests: a fresh database on each backend with
// two administrations (AAA, BBB), a root unit in each, an admin in each and a citizen.
#pragma once

#include "fake_clock.hpp"
#include "identity/service.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

namespace idara::testing {

using namespace std::chrono_literals;
namespace id = idara::identity;

class ServiceTest : public ::testing::TestWithParam<storage::Backend> {
protected:
    void SetUp() override {
        db_ = fresh_database(GetParam());
        id::ServiceOptions o;
        o.hash_limits = id::HashLimits::minimum();
        o.session_idle = 30min;
        o.session_absolute = 12h;
        o.throttle = {.max_failures_per_login = 3, .max_failures_per_ip = 50, .window = 15min};
        svc_ = std::make_unique<id::Service>(*db_, o, clock_);
        a_ = svc_->create_administration({"AAA", "إدارة أ", "Administration A", "a@a.ma"}).value();
        b_ = svc_->create_administration({"BBB", "إدارة ب", "Administration B", "b@b.ma"}).value();
        ua_ = svc_->create_unit(id::TenantScope::trusted(a_), {"ROOT", "وحدة", "Unité A", {}}).value().id;
        ub_ = svc_->create_unit(id::TenantScope::trusted(b_), {"ROOT", "وحدة", "Unité B", {}}).value().id;
        staff_a_ = add("admin@a.ma", id::AccountKind::staff, "AAA", id::Role::admin);
        staff_b_ = add("admin@b.ma", id::AccountKind::staff, "BBB", id::Role::admin);
        citizen_ = add("citizen@example.ma", id::AccountKind::citizen);
    }

    std::int64_t add(const std::string& login, id::AccountKind kind, std::optional<std::string> adm = {},
                     std::optional<id::Role> role = {}) {
        id::NewAccount n;
        n.kind = kind;
        n.login = login;
        n.display_name = "Test " + login;
        n.password = kPassword;
        n.administration_code = adm;
        n.role = role;
        return svc_->create_account(n).value();
    }

    static constexpr const char* kPassword = "a-long-enough-passphrase";
    FakeClock clock_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<id::Service> svc_;
    std::int64_t a_ = 0, b_ = 0, ua_ = 0, ub_ = 0, staff_a_ = 0, staff_b_ = 0, citizen_ = 0;
};

}  // namespace idara::testing
