// The SMTP transport over libcurl: TLS required (STARTTLS or implicit), certificate and
// host name verified, MIME with the PDF attached in base64.
#include "outgoing/mailer.hpp"

#include "core/random.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <mutex>

namespace idara::outgoing {

namespace {

Error config_error(std::string detail) { return Error{"outgoing.mail_config", 500, std::move(detail)}; }

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

// RFC 2047: ASCII subjects as they are; others as UTF-8 base64 encoded words of at most
// 45 bytes of text each (cut on code point boundaries), folded onto continuation lines.
std::string encode_subject(std::string_view s) {
    if (std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; })) return std::string(s);
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t end = std::min(s.size(), i + 45);
        while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(s.substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

std::string rfc5322_date() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string domain_of(const std::string& address) { return address.substr(address.find('@') + 1); }

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
    void operator()(curl_mime* m) const { curl_mime_free(m); }
};

class SmtpTransport final : public MailTransport {
public:
    explicit SmtpTransport(MailConfig c) : c_(std::move(c)) {}

    Status send(const MailMessage& m) override {
        if (!email_ok(m.to)) return Error{"outgoing.recipient_email", 400, m.to};
        std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
        if (!curl) return Error{"outgoing.mail_send", 503, "curl_easy_init"};
        CURL* h = curl.get();
        char err[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
        curl_easy_setopt(h, CURLOPT_URL, c_.smtp_url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!c_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c_.ca_file.c_str());
        if (!c_.user.empty()) {
            curl_easy_setopt(h, CURLOPT_USERNAME, c_.user.c_str());
            curl_easy_setopt(h, CURLOPT_PASSWORD, c_.password.c_str());
        }
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(c_.timeout.count()));
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c_.timeout.count()));
        const std::string from = "<" + c_.from + ">", to = "<" + m.to + ">";
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
        std::unique_ptr<curl_slist, CurlDeleter> rcpt(curl_slist_append(nullptr, to.c_str()));
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());

        const std::string headers_text[] = {
            "Subject: " + encode_subject(m.subject), "From: " + from, "To: " + to, "Date: " + rfc5322_date(),
            "Message-ID: <" + random::hex_token(16) + "@" + domain_of(c_.from) + ">", "MIME-Version: 1.0"};
        curl_slist* headers = nullptr;
        for (const auto& line : headers_text) headers = curl_slist_append(headers, line.c_str());
        std::unique_ptr<curl_slist, CurlDeleter> headers_owner(headers);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

        std::unique_ptr<curl_mime, CurlDeleter> mime(curl_mime_init(h));
        curl_mimepart* text = curl_mime_addpart(mime.get());
        curl_mime_data(text, m.text.data(), m.text.size());
        curl_mime_type(text, "text/plain; charset=utf-8");
        curl_mime_encoder(text, "base64");
        if (!m.attachment_name.empty()) {
            curl_mimepart* pdf = curl_mime_addpart(mime.get());
            curl_mime_data(pdf, m.attachment.data(), m.attachment.size());
            curl_mime_type(pdf, "application/pdf");
            curl_mime_filename(pdf, m.attachment_name.c_str());
            curl_mime_encoder(pdf, "base64");
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
        const CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK)
            return Error{"outgoing.mail_send", 503, std::string(curl_easy_strerror(rc)) + (err[0] ? ": " : "") + err};
        return {};
    }

private:
    MailConfig c_;
};

}  // namespace

bool email_ok(std::string_view s) {
    if (s.size() < 3 || s.size() > 254) return false;
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = s.substr(at + 1);
    if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c > 0x20 && c < 0x7F && c != '<' && c != '>' && c != '"' && c != '(' && c != ')' && c != ',' &&
               c != ';' && c != '\\' && c != '[' && c != ']';
    });
}

Result<std::unique_ptr<MailTransport>> make_smtp_transport(const MailConfig& c) {
    static std::once_flag once;
    static CURLcode init = CURLE_OK;
    std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (init != CURLE_OK) return config_error("curl_global_init failed");
    if (!(c.smtp_url.starts_with("smtp://") || c.smtp_url.starts_with("smtps://")))
        return config_error("smtp_url must be smtp:// (STARTTLS) or smtps://");
    if (!email_ok(c.from)) return config_error("from is not an e-mail address");
    if (c.max_attempts < 1 || c.timeout.count() <= 0) return config_error("max_attempts and timeout must be positive");
    return std::unique_ptr<MailTransport>(std::make_unique<SmtpTransport>(c));
}

}  // namespace idara::outgoing
