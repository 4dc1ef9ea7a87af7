#include "smtp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace idara::testing {

struct LoopbackSmtp::Tls {
    SSL_CTX* ctx = nullptr;
    ~Tls() { SSL_CTX_free(ctx); }
};

namespace {

// A self-signed P-256 certificate for 127.0.0.1 and localhost; returns the context and PEM.
SSL_CTX* make_context(std::string& pem) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

// One connection: plain until STARTTLS, then through SSL.
struct Conn {
    int fd;
    SSL* ssl = nullptr;
    std::string buf;

    ~Conn() {
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        close(fd);
    }
    bool send(const std::string& s) {
        if (ssl) return SSL_write(ssl, s.data(), static_cast<int>(s.size())) > 0;
        return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
    }
    bool line(std::string& out) {
        for (;;) {
            if (auto p = buf.find("\r\n"); p != std::string::npos) {
                out = buf.substr(0, p);
                buf.erase(0, p + 2);
                return true;
            }
            pollfd pfd{fd, POLLIN, 0};
            if (!(ssl && SSL_pending(ssl) > 0) && poll(&pfd, 1, 10000) <= 0) return false;
            char tmp[4096];
            const int n = ssl ? SSL_read(ssl, tmp, sizeof tmp) : static_cast<int>(::recv(fd, tmp, sizeof tmp, 0));
            if (n <= 0) return false;
            buf.append(tmp, static_cast<std::size_t>(n));
        }
    }
};

bool starts(const std::string& s, const char* prefix) {
    const std::string p(prefix);
    if (s.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(s[i])) != p[i]) return false;
    return true;
}

}  // namespace

LoopbackSmtp::LoopbackSmtp(bool offer_starttls) : starttls_(offer_starttls), tls_(std::make_unique<Tls>()) {
    std::string pem;
    tls_->ctx = make_context(pem);
    ca_file_ = std::filesystem::temp_directory_path() /
               ("idara-smtp-" + std::to_string(std::random_device{}()) + ".pem");
    std::ofstream(ca_file_) << pem;
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 8) != 0)
        throw std::runtime_error("cannot listen");
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
}

LoopbackSmtp::~LoopbackSmtp() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
    std::error_code ec;
    std::filesystem::remove(ca_file_, ec);
}

std::string LoopbackSmtp::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

std::vector<LoopbackSmtp::Message> LoopbackSmtp::messages() {
    std::lock_guard lock(mu_);
    return messages_;
}

void LoopbackSmtp::serve() {
    while (!stop_) {
        pollfd pfd{listen_fd_, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0) continue;
        const int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd >= 0) session(fd);
    }
}

void LoopbackSmtp::session(int fd) {
    ++sessions_;
    Conn c{fd};
    Message m;
    c.send("220 127.0.0.1 ESMTP idara-test\r\n");
    for (std::string line; c.line(line);) {
        if (starts(line, "EHLO")) {
            const bool offer = starttls_ && !c.ssl;
            c.send(offer ? "250-127.0.0.1\r\n250-STARTTLS\r\n250 8BITMIME\r\n" : "250-127.0.0.1\r\n250 8BITMIME\r\n");
        } else if (starts(line, "HELO")) {
            c.send("250 127.0.0.1\r\n");
        } else if (starts(line, "STARTTLS") && starttls_ && !c.ssl) {
            c.send("220 Ready to start TLS\r\n");
            c.ssl = SSL_new(tls_->ctx);
            SSL_set_fd(c.ssl, fd);
            c.buf.clear();
            if (SSL_accept(c.ssl) != 1) return;
        } else if (starts(line, "MAIL FROM:")) {
            m = Message{line.substr(10), {}, {}, c.ssl != nullptr};
            c.send("250 OK\r\n");
        } else if (starts(line, "RCPT TO:")) {
            m.to = line.substr(8);
            c.send("250 OK\r\n");
        } else if (starts(line, "DATA")) {
            c.send("354 End data with <CR><LF>.<CR><LF>\r\n");
            for (std::string d; c.line(d) && d != ".";) m.data += (d.starts_with("..") ? d.substr(1) : d) + "\r\n";
            {
                std::lock_guard lock(mu_);
                messages_.push_back(m);
            }
            c.send("250 OK queued\r\n");
        } else if (starts(line, "RSET") || starts(line, "NOOP")) {
            c.send("250 OK\r\n");
        } else if (starts(line, "QUIT")) {
            c.send("221 Bye\r\n");
            return;
        } else {
            c.send("502 Command not implemented\r\n");
        }
    }
}

}  // namespace idara::testing
