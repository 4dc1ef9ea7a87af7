// Integration-test harness: runs the real `idara` binary as a child process on
// an ephemeral loopback port, with a fresh data directory, and talks to it
// with libcurl.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace idara::itest {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Path of the idara binary under test (compile-time definition IDARA_TEST_BIN).
std::string idara_bin();
// Runs `idara args...` to completion (stdin from `input`), capturing output.
CommandResult run_idara(const std::vector<std::string>& args, const std::string& input = "");

// A temporary directory removed on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A running `idara serve` with its own data directory.
class Server {
public:
    // Initialises the data directory (with demo data when `demo`) and starts serving;
    // `extra_args` (e.g. --set storage.backend=postgres) are given to both `init` and `serve`.
    explicit Server(bool demo = true, std::vector<std::string> extra_args = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::string url(const std::string& path) const;
    // "Authorization: Bearer <token>" for a fresh API token of `login` (`idara token create`);
    // throws std::runtime_error with the command's output when it fails.
    std::string bearer(const std::string& login) const;
    const std::string& data_dir() const { return data_dir_; }
    int port() const { return port_; }
    // Sends SIGTERM and waits; returns the exit status.
    int terminate();
    // The server's captured stderr so far.
    std::string log() const;
    // Output of `idara init --demo` (demo logins).
    const std::string& init_output() const { return init_output_; }

private:
    TempDir dir_;
    std::string data_dir_;
    std::string log_path_;
    std::string init_output_;
    int pid_ = -1;
    int port_ = 0;
};

struct Response {
    long status = 0;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::optional<std::string> header(const std::string& lower_name) const;
};

// A libcurl client with its own cookie jar (cookies persist across calls).
class Client {
public:
    Client();
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Response request(const std::string& method, const std::string& url,
                     const std::vector<std::string>& headers = {}, const std::string& body = "");
    Response get(const std::string& url, const std::vector<std::string>& headers = {}) {
        return request("GET", url, headers);
    }
    Response post_form(const std::string& url, const std::string& form);
    Response post_json(const std::string& url, const std::string& json, const std::vector<std::string>& headers = {});
    // A cookie's value from the jar, if set.
    std::optional<std::string> cookie(const std::string& name) const;

private:
    void* curl_;
};

// Extracts the value of the hidden `_csrf` input from an HTML page.
std::string csrf_field(const std::string& html);
// Demo password of a login, read from `idara init --demo` output ("login  password ..." lines).
std::string demo_password(const std::string& init_output, const std::string& login);
// The first demo login whose line contains every one of `words`.
std::string demo_login(const std::string& init_output, const std::vector<std::string>& words);

}  // namespace idara::itest
