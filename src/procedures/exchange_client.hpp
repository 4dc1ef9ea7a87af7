// How the portal asks another administration for data: an X-Road REST request through the
// platform's own security gateway (its client port), as the information system `client_id`
// (e.g. "MA/GOV/UNIV/registration"). See docs/design/exchange.md.
#pragma once

#include "core/error.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace idara::procedures {

struct ExchangeAnswer {
    int status = 0;                   // the provider's HTTP status
    std::string body;                 // JSON
    std::string x_road_id;            // X-Road-Id of the exchange (for the consent record)
};

class ExchangeClient {
public:
    virtual ~ExchangeClient() = default;
    // GET `path` of `service` ("MA/GOV/MEN/bac-results/bac-result") on behalf of `user_id`
    // (X-Road-UserId: the applicant's account). A transport failure or an X-Road error (the
    // gateway's X-Road-Error header) is application.exchange_failed (502); a provider's own 4xx
    // comes back as an ExchangeAnswer.
    virtual Result<ExchangeAnswer> get(std::string_view service, std::string_view path, std::string_view user_id) = 0;
};

// Over HTTP to the gateway's client port `client_url` ("http://127.0.0.1:8093"), with libcurl;
// `timeout_ms` bounds each request; at most 1 MiB of answer is read.
std::unique_ptr<ExchangeClient> make_http_exchange_client(std::string client_url, std::string client_id,
                                                          long timeout_ms = 10000);

}  // namespace idara::procedures
