// The GovStack API through a Router with the real services on each backend: the registry
// office fixture (MEF, MEN, citizens) plus the university UNIV (registry office BO, enrolment
// unit SCOL-INS with its head and an agent), the catalogue with
// procedures/student-registration/v1.json, applications over a fake exchange that knows one
// student, and the correspondence window.
#pragma once

#include "../registry/deposit_fixture.hpp"
#include "api/govstack.hpp"
#include "http/router.hpp"
#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "procedures/exchange_client.hpp"
#include "processing/workflow.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace idara::testing {

// Answers the bac-result lookup for student R130245871 only (404 for anyone else).
class FakeBacExchange final : public procedures::ExchangeClient {
public:
    Result<procedures::ExchangeAnswer> get(std::string_view service, std::string_view path,
                                           std::string_view user_id) override;
    int calls = 0;
};

class GovStackTest : public DepositTest {
protected:
    void SetUp() override;
    void TearDown() override;

    struct Reply {
        int status = 0;
        std::string content_type;
        std::string body;
        boost::json::value json;  // null when the body is not JSON
        std::string code() const;  // error.code, or ""
    };
    // One request through the router. `token` empty: no Authorization header. Every request
    // carries Information-Mediator-Client: client_ (unless empty or given in `headers`).
    Reply call(http::Method m, const std::string& target, const std::string& token = {}, const std::string& body = {},
               const std::string& content_type = "application/json",
               const std::map<std::string, std::string>& headers = {});
    Reply get(const std::string& target, const std::string& token = {}) { return call(http::Method::get, target, token); }
    Reply post_json(const std::string& target, const std::string& token, const boost::json::value& v);
    Reply put_json(const std::string& target, const std::string& token, const boost::json::value& v);
    std::string token_for(std::int64_t account);

    // A complete application by `who` for the known student (photo uploaded, submitted);
    // returns its fileId.
    std::string submitted_application(std::int64_t who);
    // The student's answers and the bac consent, as POSTed.
    static boost::json::object student_body(const std::string& phone = "0612345678");
    Reply upload_photo(const std::string& token, const std::string& file_id);

    std::unique_ptr<procedures::Catalogue> catalogue_;
    std::unique_ptr<procedures::ApplicationService> apps_;
    std::unique_ptr<processing::WorkflowService> flow_;
    FakeBacExchange exchange_;
    http::Router router_;
    std::string client_ = "MA/GOV/UNIV/portal";
    std::int64_t univ_ = 0, univ_clerk_ = 0, univ_head_ = 0, univ_agent_ = 0;
    std::string citizen_token_, citizen2_token_, clerk_token_, head_token_, agent_token_, mef_token_;
};

}  // namespace idara::testing
