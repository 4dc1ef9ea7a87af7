// The HTTP time-stamp client (trust/tsa.hpp): RFC 3161 §3.4, a DER TimeStampReq POSTed as
// application/timestamp-query, a DER TimeStampResp expected back as application/timestamp-reply.
#include "trust/tsa.hpp"

#include "trust/tsa_protocol.hpp"

#include <curl/curl.h>

#include <memory>

namespace idara::trust {

namespace {

constexpr std::size_t kMaxResponse = std::size_t{256} * 1024;  // a token with a few certificates is a few KB

struct CurlDel {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t collect(char* data, size_t size, size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    if (out->size() + size * n > kMaxResponse) return 0;  // makes curl fail the transfer
    out->append(data, size * n);
    return size * n;
}

class HttpTsa final : public TimeStamper {
public:
    explicit HttpTsa(HttpTsaOptions o) : o_(std::move(o)) {}

    Result<std::string> timestamp(std::span<const unsigned char, 32> sha256) override {
        using tsa_protocol::unavailable;
        auto req = tsa_protocol::make_request(sha256);
        if (!req) return req.error();
        std::unique_ptr<CURL, CurlDel> curl(curl_easy_init());
        if (!curl) return unavailable("curl_easy_init");
        CURL* h = curl.get();
        char err[CURL_ERROR_SIZE] = {};
        std::string body;
        std::unique_ptr<curl_slist, CurlDel> headers(
            curl_slist_append(nullptr, "Content-Type: application/timestamp-query"));
        curl_slist_append(headers.get(), "Accept: application/timestamp-reply");
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
        curl_easy_setopt(h, CURLOPT_URL, o_.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!o_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o_.ca_file.c_str());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o_.timeout.count()));
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.timeout.count()));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->der.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(req->der.size()));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        const CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK)
            return unavailable(std::string("time-stamp authority unreachable: ") + (err[0] ? err : curl_easy_strerror(rc)));
        long http = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
        if (http != 200) return unavailable("time-stamp authority answered HTTP " + std::to_string(http));
        return tsa_protocol::token_from_response(body, sha256, req->nonce);
    }

private:
    HttpTsaOptions o_;
};

}  // namespace

std::unique_ptr<TimeStamper> make_http_tsa(HttpTsaOptions o) { return std::make_unique<HttpTsa>(std::move(o)); }

}  // namespace idara::trust
