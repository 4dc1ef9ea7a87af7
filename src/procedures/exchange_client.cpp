#include "procedures/exchange_client.hpp"

#include "core/random.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace idara::procedures {
namespace {

constexpr std::size_t kMaxAnswer = 1024 * 1024;

struct Collected {
    std::string body;
    bool too_large = false;
    std::string xroad_error;  // the X-Road-Error header, when the gateway answered an X-Road error
};

std::size_t on_body(char* p, std::size_t size, std::size_t n, void* user) {
    auto* c = static_cast<Collected*>(user);
    const std::size_t len = size * n;
    if (c->body.size() + len > kMaxAnswer) {
        c->too_large = true;
        return 0;  // aborts the transfer
    }
    c->body.append(p, len);
    return len;
}

std::size_t on_header(char* p, std::size_t size, std::size_t n, void* user) {
    auto* c = static_cast<Collected*>(user);
    const std::string line(p, size * n);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (name == "x-road-error") {
            std::string v = line.substr(colon + 1);
            while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
            while (!v.empty() && v.front() == ' ') v.erase(v.begin());
            c->xroad_error = v;
        }
    }
    return size * n;
}

class HttpExchangeClient final : public ExchangeClient {
public:
    HttpExchangeClient(std::string url, std::string client, long timeout_ms)
        : url_(std::move(url)), client_(std::move(client)), timeout_ms_(timeout_ms) {
        while (!url_.empty() && url_.back() == '/') url_.pop_back();
    }

    Result<ExchangeAnswer> get(std::string_view service, std::string_view path, std::string_view user_id) override {
        const std::string target = url_ + "/r1/" + std::string(service) + std::string(path);
        const std::string id = random::hex_token(16);
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
        if (!h) return Error{"application.exchange_failed", 502, "curl_easy_init failed"};
        struct curl_slist* raw = nullptr;
        for (const std::string& line : {"X-Road-Client: " + client_, "X-Road-Id: " + id, "X-Road-UserId: " + std::string(user_id),
                                        std::string("Accept: application/json")})
            raw = curl_slist_append(raw, line.c_str());
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw, &curl_slist_free_all);
        Collected c;
        char err[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, err);
        curl_easy_setopt(h.get(), CURLOPT_URL, target.c_str());
        curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, timeout_ms_);
        curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, timeout_ms_);
        curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &c);
        curl_easy_setopt(h.get(), CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(h.get(), CURLOPT_HEADERDATA, &c);
        const CURLcode rc = curl_easy_perform(h.get());
        if (c.too_large) return Error{"application.exchange_failed", 502, target + ": answer over 1 MiB"};
        if (rc != CURLE_OK)
            return Error{"application.exchange_failed", 502, target + ": " + (err[0] ? std::string(err) : curl_easy_strerror(rc))};
        long status = 0;
        curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
        if (!c.xroad_error.empty())
            return Error{"application.exchange_failed", 502, target + ": " + c.xroad_error + " (" + std::to_string(status) + ")"};
        return ExchangeAnswer{static_cast<int>(status), std::move(c.body), id};
    }

private:
    std::string url_, client_;
    long timeout_ms_;
};

}  // namespace

std::unique_ptr<ExchangeClient> make_http_exchange_client(std::string client_url, std::string client_id, long timeout_ms) {
    return std::make_unique<HttpExchangeClient>(std::move(client_url), std::move(client_id), timeout_ms);
}

}  // namespace idara::procedures
