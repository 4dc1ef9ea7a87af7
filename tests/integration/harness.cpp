#include "harness.hpp"

#include <curl/curl.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace idara::itest {

std::string idara_bin() { return IDARA_TEST_BIN; }

namespace {

std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// fork/exec with stdout+stderr to `out_path` and stdin from `in_path` (or /dev/null).
int spawn(const std::vector<std::string>& args, const std::string& out_path, const std::string& in_path) {
    std::vector<char*> argv;
    std::string bin = idara_bin();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        int in = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
        if (out < 0 || in < 0) _exit(127);
        dup2(out, 1);
        dup2(out, 2);
        dup2(in, 0);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int wait_exit(int pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

CommandResult run_idara(const std::vector<std::string>& args, const std::string& input) {
    TempDir tmp;
    const std::string out = tmp.path() + "/out", in = tmp.path() + "/in";
    std::ofstream(in) << input;
    int pid = spawn(args, out, in);
    CommandResult r;
    r.exit_code = wait_exit(pid);
    r.output = read_file(out);
    return r;
}

TempDir::TempDir() {
    std::string templ = (fs::temp_directory_path() / "idara-itest-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

Server::Server(bool demo, std::vector<std::string> extra_args) {
    data_dir_ = dir_.path() + "/var";
    log_path_ = dir_.path() + "/server.log";
    std::vector<std::string> init{"init", "--data-dir", data_dir_};
    if (demo) init.push_back("--demo");
    for (const auto& a : extra_args) init.push_back(a);  // settings such as the storage backend apply to both
    auto r = run_idara(init);
    if (r.exit_code != 0) throw std::runtime_error("idara init failed: " + r.output);
    init_output_ = r.output;
    const std::string port_file = dir_.path() + "/port";
    std::vector<std::string> args{"serve", "--data-dir", data_dir_, "--port", "0", "--port-file", port_file};
    for (auto& a : extra_args) args.push_back(a);
    pid_ = spawn(args, log_path_, "");
    for (int i = 0; i < 300; ++i) {
        std::string p = read_file(port_file);
        if (!p.empty() && p.back() == '\n') {
            port_ = std::stoi(p);
            return;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("idara serve exited early: " + read_file(log_path_));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("idara serve did not write its port file: " + read_file(log_path_));
}

Server::~Server() {
    if (pid_ > 0) terminate();
}

std::string Server::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

std::string Server::bearer(const std::string& login) const {
    auto r = run_idara({"token", "create", "--data-dir", data_dir_, "--login", login, "--name", "itest"});
    if (r.exit_code != 0) throw std::runtime_error("idara token create --login " + login + ": " + r.output);
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return "Authorization: Bearer " + out.substr(out.rfind('\n') + 1);
}

int Server::terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int rc = wait_exit(pid_);
    pid_ = -1;
    return rc;
}

std::string Server::log() const { return read_file(log_path_); }

std::optional<std::string> Response::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

namespace {
size_t on_body(char* p, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
}
size_t on_header(char* p, size_t size, size_t n, void* user) {
    std::string line(p, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
        static_cast<std::multimap<std::string, std::string>*>(user)->emplace(name, value);
    }
    return size * n;
}
}  // namespace

Client::Client() : curl_(curl_easy_init()) {
    curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_COOKIEFILE, "");  // in-memory cookie jar
}

Client::~Client() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Response Client::request(const std::string& method, const std::string& url, const std::vector<std::string>& headers,
                         const std::string& body) {
    CURL* c = static_cast<CURL*>(curl_);
    Response r;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_HTTPGET, method == "GET" ? 1L : 0L);
    if (method != "GET" && method != "HEAD") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("curl: ") + curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
}

Response Client::post_form(const std::string& url, const std::string& form) {
    return request("POST", url, {"Content-Type: application/x-www-form-urlencoded"}, form);
}

Response Client::post_json(const std::string& url, const std::string& json, const std::vector<std::string>& headers) {
    auto h = headers;
    h.push_back("Content-Type: application/json");
    return request("POST", url, h, json);
}

std::optional<std::string> Client::cookie(const std::string& name) const {
    curl_slist* cookies = nullptr;
    curl_easy_getinfo(static_cast<CURL*>(curl_), CURLINFO_COOKIELIST, &cookies);
    std::optional<std::string> out;
    for (auto* c = cookies; c != nullptr; c = c->next) {
        // Netscape format: domain \t flag \t path \t secure \t expiry \t name \t value
        std::vector<std::string> f;
        std::stringstream ss(c->data);
        std::string part;
        while (std::getline(ss, part, '\t')) f.push_back(part);
        if (f.size() >= 7 && f[5] == name) out = f[6];
    }
    curl_slist_free_all(cookies);
    return out;
}

std::string csrf_field(const std::string& html) {
    auto pos = html.find("name=\"_csrf\"");
    if (pos == std::string::npos) return "";
    auto v = html.find("value=\"", pos);
    auto tag_start = html.rfind('<', pos);
    if (v == std::string::npos || html.find('>', pos) < v) {
        // value attribute may come before name
        v = html.find("value=\"", tag_start);
    }
    if (v == std::string::npos) return "";
    v += 7;
    return html.substr(v, html.find('"', v) - v);
}

namespace {
std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string line;
    while (std::getline(ss, line)) out.push_back(line);
    return out;
}
std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string w;
    while (ss >> w) out.push_back(w);
    return out;
}
}  // namespace

std::string demo_password(const std::string& init_output, const std::string& login) {
    for (const auto& line : lines_of(init_output)) {
        auto w = words_of(line);
        if (w.size() >= 2 && w[0] == login) return w[1];
    }
    return "";
}

std::string demo_login(const std::string& init_output, const std::vector<std::string>& words) {
    for (const auto& line : lines_of(init_output)) {
        bool all = line.find('@') != std::string::npos;
        for (const auto& w : words) all = all && line.find(w) != std::string::npos;
        if (all) return words_of(line)[0];
    }
    return "";
}

}  // namespace idara::itest
