// A loopback SMTP server for tests: listens on 127.0.0.1 (port 0), speaks enough ESMTP
// for libcurl, offers STARTTLS (OpenSSL, a self-signed certificate for 127.0.0.1 made
// here) unless told not to, and records every message it accepts.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace idara::testing {

class LoopbackSmtp {
public:
    explicit LoopbackSmtp(bool offer_starttls);
    ~LoopbackSmtp();

    std::string url() const;                   // "smtp://127.0.0.1:<port>"
    const std::filesystem::path& ca_file() const { return ca_file_; }  // the server's certificate (PEM)

    struct Message {
        std::string from, to, data;  // data: the DATA payload, CRLF line ends, dot-unstuffed
        bool over_tls = false;
    };
    std::vector<Message> messages();
    int sessions() const { return sessions_; }

private:
    void serve();
    void session(int fd);

    bool starttls_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::filesystem::path ca_file_;
    struct Tls;
    std::unique_ptr<Tls> tls_;
    std::atomic<bool> stop_{false};
    std::atomic<int> sessions_{0};
    std::mutex mu_;
    std::vector<Message> messages_;
    std::thread thread_;
};

}  // namespace idara::testing
