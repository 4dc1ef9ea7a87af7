// The portal's pages through a Router with the real services on SQLite: the registry office
// fixture (tests/registry/deposit_fixture.hpp) plus a UNIV administration with its enrolment
// unit SCOL-INS, the catalogue with procedures/student-registration/v1.json, the application
// service, and an exchange client that answers from demo/exchange/bac_results.json (a test
// double for the network only: the gateways are covered by the exchange and browser tests).
#pragma once

#include "deposit_fixture.hpp"

#include "http/multipart.hpp"
#include "http/router.hpp"
#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "procedures/exchange_client.hpp"
#include "web/page.hpp"
#include "web/pages.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace idara::testing {

// Answers GET /results/{student_number} of MA/GOV/MEN/bac-results/bac-result from the demo
// file: 200 with the record, 404 when unknown; `fail` makes every call an exchange failure.
class BacExchange : public procedures::ExchangeClient {
public:
    BacExchange();
    Result<procedures::ExchangeAnswer> get(std::string_view service, std::string_view path,
                                           std::string_view user_id) override;
    bool fail = false;
    int calls = 0;
    std::string last_user;

private:
    std::map<std::string, boost::json::object> records_;
};

struct Browser {
    std::string session;
    std::string csrf;
    std::string lang = "fr";
};

class PortalPagesTest : public DepositTest {
protected:
    void SetUp() override;
    void TearDown() override;

    Browser sign_in(const std::string& login, const std::string& lang = "fr");
    http::Response call(http::Method method, const std::string& target, const Browser* b, std::string body = "",
                        const std::string& content_type = "");
    http::Response get(const std::string& target, const Browser& b) { return call(http::Method::get, target, &b); }
    // An url-encoded form with the browser's CSRF token (unless `csrf` is false).
    http::Response post(const std::string& target, const Browser& b,
                        std::vector<std::pair<std::string, std::string>> fields, bool csrf = true);
    // A multipart form: the CSRF part then `parts`.
    http::Response post_multipart(const std::string& target, const Browser& b, std::vector<http::Part> parts,
                                  const std::string& csrf);

    // POST /services/student-registration/start; returns the application id (from the 303).
    std::string start(const Browser& b);
    static std::string id_of(const std::string& location);
    static std::string t(i18n::Lang l, const std::string& key) { return web::html_escape(web::msg(l, key)); }
    static std::string fr(const std::string& key) { return t(i18n::Lang::fr, key); }
    static std::string ar(const std::string& key) { return t(i18n::Lang::ar, key); }
    static bool has(const std::string& body, const std::string& what) { return body.find(what) != std::string::npos; }

    std::unique_ptr<procedures::Catalogue> catalogue_;
    std::unique_ptr<BacExchange> exchange_;
    std::unique_ptr<procedures::ApplicationService> apps_;
    std::unique_ptr<web::PagesContext> ctx_;
    http::Router router_;
    std::int64_t univ_ = 0, univ_clerk_ = 0;
};

}  // namespace idara::testing
