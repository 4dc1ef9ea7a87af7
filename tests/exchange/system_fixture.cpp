// The system-test fixture (see system_fixture.hpp).
#include "system_fixture.hpp"

#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"
#include "exchange/message.hpp"
#include "exchange/xerror.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace idara::systest {

// ---- small helpers --------------------------------------------------------------------------------
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string new_query_id(const std::string& prefix) {
    static std::atomic<int> n{0};
    std::random_device rd;
    return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++n) + "-" + std::to_string(rd() % 100000);
}

namespace {
std::string first_field(const std::string& file, const char* array, const char* field) {
    const auto v = json::parse(read_text(std::string(IDARA_TEST_SOURCE_DIR) + "/demo/exchange/" + file));
    return std::string(v.as_object().at(array).as_array().at(0).as_object().at(field).as_string());
}
}  // namespace

std::string demo_student() { return first_field("bac_results.json", "results", "student_number"); }
std::string demo_national_id() { return first_field("birth_records.json", "records", "national_id"); }

bool eventually(const std::function<bool()>& f, std::chrono::milliseconds bound, std::chrono::milliseconds every) {
    const auto end = std::chrono::steady_clock::now() + bound;
    for (;;) {
        if (f()) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(every);
    }
}

// ---- HTTP -----------------------------------------------------------------------------------------
std::optional<std::string> HttpResult::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

std::string HttpResult::xroad_error() const { return header("x-road-error").value_or(""); }
std::string HttpResult::body_type() const { return exchange::xerror_type_of(body); }

std::string HttpResult::describe() const {
    std::string s = "curl=" + std::to_string(curl_code);
    if (!curl_error.empty()) s += " (" + curl_error + ")";
    s += " status=" + std::to_string(status) + " x-road-error=" + xroad_error() + " body=" + body.substr(0, 700);
    return s;
}

namespace {
struct CurlInit {
    CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

size_t on_body(char* p, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
    auto* h = static_cast<std::multimap<std::string, std::string>*>(user);
    std::string line(p, size * n);
    if (line.rfind("HTTP/", 0) == 0) h->clear();  // a new response (after 100 Continue)
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
        h->emplace(name, value);
    }
    return size * n;
}

struct Upload {
    const std::string* body;
    size_t off = 0;
};

size_t on_read(char* buf, size_t size, size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    size_t take = std::min({size * n, u->body->size() - u->off, static_cast<size_t>(1000)});
    std::memcpy(buf, u->body->data() + u->off, take);
    u->off += take;
    return take;
}
}  // namespace

HttpResult http(const HttpRequest& r) {
    static CurlInit init;
    HttpResult out;
    CURL* c = curl_easy_init();
    curl_slist* list = nullptr;
    for (const auto& h : r.headers) list = curl_slist_append(list, h.c_str());
    list = curl_slist_append(list, "Expect:");
    if (r.chunked) list = curl_slist_append(list, "Transfer-Encoding: chunked");
    Upload up{&r.body};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (r.method == "GET" && r.body.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
        if (r.chunked) {
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(c, CURLOPT_READDATA, &up);
        } else {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        }
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r.timeout_ms);
    if (r.tls) {
        if (!r.tls->cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, r.tls->cert.c_str());
        if (!r.tls->key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, r.tls->key.c_str());
        if (!r.tls->ca.empty()) {
            curl_easy_setopt(c, CURLOPT_CAINFO, r.tls->ca.c_str());
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        } else {
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        }
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);  // the server's name is not what these tests check
    }
    CURLcode rc = curl_easy_perform(c);
    out.curl_code = static_cast<int>(rc);
    if (rc != CURLE_OK) {
        out.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return out;
}

::testing::AssertionResult is_xroad_error(const HttpResult& r, long status, const std::string& type) {
    if (r.curl_code == 0 && r.status == status && r.xroad_error() == type && r.body_type() == type)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected " << status << " " << type << ", got " << r.describe();
}

::testing::AssertionResult is_ok(const HttpResult& r) {
    if (r.curl_code == 0 && r.status == 200 && r.xroad_error().empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected 200, got " << r.describe();
}

// ---- child processes ------------------------------------------------------------------------------
Child::Child(std::string name, const std::vector<std::string>& args, std::string log_path)
    : name_(std::move(name)), log_path_(std::move(log_path)) {
    std::vector<std::string> copy;
    copy.push_back(itest::idara_bin());
    for (const auto& a : args) copy.push_back(a);
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test binary
        if (getppid() != parent) _exit(127);
        int out = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0) _exit(127);
        dup2(out, 1);
        dup2(out, 2);
        dup2(in, 0);
        execv(argv[0], argv.data());
        _exit(127);
    }
    pid_ = pid;
}

Child::~Child() { stop(); }

bool Child::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
        pid_ = -1;
        return false;
    }
    return true;
}

int Child::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    const auto end = std::chrono::steady_clock::now() + grace;
    for (;;) {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno != EINTR)) break;
        if (std::chrono::steady_clock::now() >= end) {
            kill(pid_, SIGKILL);
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// ---- environment ----------------------------------------------------------------------------------
std::string gw_dir_name(Gw g) {
    switch (g) {
        case Gw::men: return "gw-men";
        case Gw::etatcivil: return "gw-etatcivil";
        case Gw::univ: return "gw-univ";
    }
    return "";
}

std::string member_of(Gw g) {
    switch (g) {
        case Gw::men: return "MA/GOV/MEN";
        case Gw::etatcivil: return "MA/GOV/ETATCIVIL";
        case Gw::univ: return "MA/GOV/UNIV";
    }
    return "";
}

namespace {
constexpr int kOffsets[] = {0, 1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32};

bool port_free(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

// A base below the kernel's ephemeral range (32768+) whose demo ports are all free now.
int pick_base() {
    std::random_device rd;
    std::mt19937 gen(rd() ^ static_cast<unsigned>(getpid()));
    std::uniform_int_distribution<int> dist(200, 3199);
    for (int attempt = 0; attempt < 200; ++attempt) {
        int base = dist(gen) * 10;
        bool ok = true;
        for (int off : kOffsets) ok = ok && port_free(base + off);
        if (ok) return base;
    }
    throw std::runtime_error("no free base port found");
}

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }
}  // namespace

SystemEnv::SystemEnv(const EnvOptions& o) {
    dir_ = tmp_.path() + "/exchange";
    fs::create_directories(tmp_.path() + "/run");
    base_ = pick_base();
    std::vector<std::string> args{"exchange", "demo-setup", "--dir", dir_, "--base-port", std::to_string(base_)};
    if (o.conf_validity_seconds) {
        args.push_back("--conf-validity");
        args.push_back(std::to_string(*o.conf_validity_seconds));
    }
    auto r = itest::run_idara(args);
    if (r.exit_code != 0)
        throw std::runtime_error("idara exchange demo-setup failed (" + std::to_string(r.exit_code) + "): " + r.output);
    if (o.edit) {
        for (Gw g : {Gw::men, Gw::etatcivil, Gw::univ})
            edit_gateway(g, [&](exchange::GatewayConfig& c) { o.edit(c, g); });
    }
    if (o.start) start_all();
}

SystemEnv::~SystemEnv() { stop_all(); }

Tls SystemEnv::gateway_tls(Gw g) const { return Tls{gw_dir(g) + "/tls.crt", gw_dir(g) + "/tls.key", ca_file()}; }

std::string SystemEnv::admin_token(Gw g) const {
    std::string t = read_text(gw_dir(g) + "/admin-token");
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    return t;
}

void SystemEnv::edit_gateway(Gw g, const std::function<void(exchange::GatewayConfig&)>& f) {
    auto cfg = exchange::load_gateway_config(gw_dir(g));
    if (!cfg) throw std::runtime_error("load_gateway_config " + gw_dir(g) + ": " + cfg.error().detail);
    f(*cfg);
    write_text(gw_dir(g) + "/gateway.toml", exchange::to_toml(*cfg));
}

void SystemEnv::wait_ready(Child& c, const std::string& port_file, const std::function<bool()>& healthy) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (std::chrono::steady_clock::now() < end) {
        if (!c.running())
            throw std::runtime_error(c.name() + " exited early:\n" + tail(read_text(c.log_path()), 3000));
        if (!read_text(port_file).empty() && healthy()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error(c.name() + " not ready after 40 s:\n" + tail(read_text(c.log_path()), 3000));
}

namespace {
std::unique_ptr<Child> spawn(const std::string& run, const std::string& name, std::vector<std::string> args,
                             std::vector<std::string>& logs, std::string& port_file) {
    port_file = run + "/" + name + ".port";
    std::error_code ec;
    fs::remove(port_file, ec);
    args.push_back("--port-file");
    args.push_back(port_file);
    const std::string log = run + "/" + name + ".log";
    if (std::find(logs.begin(), logs.end(), log) == logs.end()) logs.push_back(log);
    return std::make_unique<Child>(name, args, log);
}
}  // namespace

void SystemEnv::start_central() {
    stop_central();
    std::string pf;
    central_ = spawn(tmp_.path() + "/run", "central", {"exchange", "central", "serve", "--dir", central_dir()},
                     all_logs_, pf);
    const std::string url = "http://127.0.0.1:" + std::to_string(central_port()) + "/conf";
    wait_ready(*central_, pf, [&] { return http({.url = url, .timeout_ms = 2000}).status == 200; });
}

void SystemEnv::stop_central() {
    if (central_) central_->stop();
    central_.reset();
}

void SystemEnv::start_backends() {
    const char* kinds[] = {"bac", "birth"};
    for (int i = 0; i < 2; ++i) {
        if (backends_[i]) backends_[i]->stop();
        std::string pf;
        const std::string k = kinds[i];
        backends_[i] = spawn(tmp_.path() + "/run", "backend-" + k,
                             {"exchange", "demo-backend", "--kind", k, "--listen",
                              "127.0.0.1:" + std::to_string(backend_port(k))},
                             all_logs_, pf);
        const std::string url = "http://127.0.0.1:" + std::to_string(backend_port(k)) + "/health";
        wait_ready(*backends_[i], pf, [&] { return http({.url = url, .timeout_ms = 2000}).status == 200; });
    }
}

void SystemEnv::start_gateway(Gw g) {
    stop_gateway(g);
    std::string pf;
    auto& slot = gateways_[static_cast<int>(g)];
    slot = spawn(tmp_.path() + "/run", gw_dir_name(g), {"exchange", "gateway", "serve", "--dir", gw_dir(g)},
                 all_logs_, pf);
    // The port file is written once the three ports listen (after the configuration was loaded).
    wait_ready(*slot, pf, [] { return true; });
}

void SystemEnv::stop_gateway(Gw g) {
    auto& slot = gateways_[static_cast<int>(g)];
    if (slot) slot->stop();
    slot.reset();
}

void SystemEnv::start_all() {
    start_central();
    start_backends();
    for (Gw g : {Gw::men, Gw::etatcivil, Gw::univ}) start_gateway(g);
}

void SystemEnv::stop_all() {
    for (Gw g : {Gw::univ, Gw::etatcivil, Gw::men}) stop_gateway(g);
    for (auto& b : backends_) {
        if (b) b->stop();
        b.reset();
    }
    stop_central();
}

HttpResult SystemEnv::call(Gw from, const std::string& method, const std::string& path, std::vector<std::string> headers,
                           const std::string& body, const std::string& client, bool chunked) {
    if (!client.empty()) headers.push_back("X-Road-Client: " + client);
    return http({.method = method,
                 .url = "http://127.0.0.1:" + std::to_string(client_port(from)) + "/r1/" + path,
                 .headers = headers,
                 .body = body,
                 .chunked = chunked});
}

HttpResult SystemEnv::bac(const std::string& student, const std::string& query_id) {
    std::vector<std::string> h;
    if (!query_id.empty()) h.push_back("X-Road-Id: " + query_id);
    return call(Gw::univ, "GET", std::string(kBacService) + "/results/" + student, h);
}

HttpResult SystemEnv::birth(const std::string& national_id, const std::string& query_id) {
    std::vector<std::string> h;
    if (!query_id.empty()) h.push_back("X-Road-Id: " + query_id);
    return call(Gw::univ, "GET", std::string(kBirthService) + "/births/" + national_id, h);
}

HttpResult SystemEnv::admin_get(Gw g, const std::string& path_and_query, bool with_token) {
    std::vector<std::string> h;
    if (with_token) h.push_back("Authorization: Bearer " + admin_token(g));
    return http({.url = "http://127.0.0.1:" + std::to_string(admin_port(g)) + path_and_query, .headers = h});
}

std::vector<std::map<std::string, std::string>> SystemEnv::opdata(Gw g) {
    std::vector<std::map<std::string, std::string>> rows;
    auto r = admin_get(g, "/opdata?since=0&limit=10000");
    if (r.status != 200) return rows;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec) return rows;
    const json::array* arr = v.if_array();
    if (!arr && v.is_object()) {
        for (const auto& kv : v.as_object())
            if (kv.value().is_array()) arr = &kv.value().as_array();
    }
    if (!arr) return rows;
    for (const auto& e : *arr) {
        if (!e.is_object()) continue;
        std::map<std::string, std::string> row;
        for (const auto& kv : e.as_object()) {
            const auto& val = kv.value();
            if (val.is_string()) row[std::string(kv.key())] = std::string(val.as_string());
            else if (val.is_bool()) row[std::string(kv.key())] = val.as_bool() ? "true" : "false";
            else row[std::string(kv.key())] = json::serialize(val);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

bool SystemEnv::wait_all_stamped(Gw g, std::chrono::milliseconds bound) {
    return eventually(
        [&] {
            auto r = admin_get(g, "/metrics");
            if (r.status != 200) return false;
            std::istringstream in(r.body);
            std::string line;
            while (std::getline(in, line)) {
                if (line.rfind("idara_exchange_log_unstamped_oldest_age_seconds", 0) != 0) continue;
                auto sp = line.rfind(' ');
                return sp != std::string::npos && std::stod(line.substr(sp + 1)) == 0.0;
            }
            return false;
        },
        bound, std::chrono::milliseconds(200));
}

std::string SystemEnv::logs() const {
    std::string s = "\n---- logs (base port " + std::to_string(base_) + ") ----\n";
    for (const auto& l : all_logs_) s += "== " + fs::path(l).filename().string() + "\n" + tail(read_text(l), 2500) + "\n";
    return s;
}

// ---- signing --------------------------------------------------------------------------------------
SignedHeaders sign_request(const std::string& sign_key_file, const std::string& signer, const std::string& method,
                           const std::string& target, const std::string& client, const std::string& query_id,
                           const std::string& content_type, const std::string& signed_body) {
    auto key = exchange::SigningKey::load(sign_key_file);
    if (!key) throw std::runtime_error("cannot load " + sign_key_file + ": " + key.error().detail);
    auto member = exchange::parse_member_id(signer);
    if (!member) throw std::runtime_error("bad signer " + signer);
    exchange::RequestParts p;
    p.method = method;
    p.target = target;
    p.client = client;
    p.query_id = query_id;
    p.content_type = content_type;
    p.body_sha256 = exchange::sha256(signed_body);
    auto canon = exchange::canonical(p);
    if (!canon) throw std::runtime_error("canonical: " + canon.error().detail);
    SignedHeaders out;
    out.canonical = *canon;
    out.headers = {"X-Road-Client: " + client, "X-Road-Id: " + query_id,
                   "X-Road-Signature: " + exchange::signature_header(*member, *key, *canon)};
    if (!content_type.empty()) out.headers.push_back("Content-Type: " + content_type);
    return out;
}

// ---- rogue TLS server -----------------------------------------------------------------------------
std::string RawRequest::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
}

std::string raw_response(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, bool chunked) {
    std::string s = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Status") + "\r\n";
    for (const auto& [k, v] : headers) s += k + ": " + v + "\r\n";
    s += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + std::to_string(body.size()) + "\r\n";
    s += "Connection: close\r\n\r\n";
    if (!chunked) return s + body;
    for (size_t off = 0; off < body.size(); off += 4096) {
        const std::string part = body.substr(off, 4096);
        std::ostringstream hx;
        hx << std::hex << part.size();
        s += hx.str() + "\r\n" + part + "\r\n";
    }
    return s + "0\r\n\r\n";
}

RogueServer::RogueServer(int port, const std::string& cert_file, const std::string& key_file, Handler h)
    : handler_(std::move(h)) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    ctx_ = ctx;
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        if (ctx) SSL_CTX_free(ctx);
        ctx_ = nullptr;
        throw std::runtime_error("rogue server: cannot load " + cert_file);
    }
    // Ask for the client certificate (as a gateway does) but accept any.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool bound = eventually(
        [&] { return ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0; }, std::chrono::seconds(5));
    if (!bound || ::listen(listen_fd_, 64) != 0) {
        close(listen_fd_);
        SSL_CTX_free(ctx);
        ctx_ = nullptr;
        throw std::runtime_error("rogue server: cannot bind port " + std::to_string(port));
    }
    thread_ = std::thread([this] { accept_loop(); });
}

RogueServer::~RogueServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& t : conns_)
        if (t.joinable()) t.join();
    if (listen_fd_ >= 0) close(listen_fd_);
    if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void RogueServer::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        timeval tv{3, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        conns_.emplace_back([this, fd] { serve(fd); });
    }
}

namespace {
// Reads from `ssl` until `buf` holds at least `n` bytes; false on EOF/error.
bool fill(SSL* ssl, std::string& buf, size_t n) {
    char tmp[16384];
    while (buf.size() < n) {
        int got = SSL_read(ssl, tmp, sizeof tmp);
        if (got <= 0) return false;
        buf.append(tmp, static_cast<size_t>(got));
    }
    return true;
}

bool read_request(SSL* ssl, RawRequest& req) {
    std::string buf;
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > 65536 || !fill(ssl, buf, buf.size() + 1)) return false;
    }
    std::istringstream head(buf.substr(0, end));
    std::string line;
    std::getline(head, line);
    std::istringstream rl(line);
    rl >> req.method >> req.target;
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        while (!value.empty() && value.back() == ' ') value.pop_back();
        req.headers[name] = value;
    }
    std::string rest = buf.substr(end + 4);
    if (req.header("transfer-encoding").find("chunked") != std::string::npos) {
        for (;;) {
            size_t eol;
            while ((eol = rest.find("\r\n")) == std::string::npos)
                if (!fill(ssl, rest, rest.size() + 1)) return false;
            size_t size = std::stoul(rest.substr(0, eol), nullptr, 16);
            if (!fill(ssl, rest, eol + 2 + size + 2)) return false;
            req.body += rest.substr(eol + 2, size);
            rest.erase(0, eol + 2 + size + 2);
            if (size == 0) break;
        }
    } else if (!req.header("content-length").empty()) {
        size_t n = std::stoul(req.header("content-length"));
        if (!fill(ssl, rest, n)) return false;
        req.body = rest.substr(0, n);
    }
    return true;
}
}  // namespace

void RogueServer::serve(int fd) {
    SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        RawRequest req;
        bool got = false;
        try {
            got = read_request(ssl, req);
        } catch (const std::exception&) {  // a malformed length: drop the connection
            got = false;
        }
        if (got) {
            ++requests_;
            const std::string resp = handler_(req);
            size_t off = 0;
            while (off < resp.size()) {
                int n = SSL_write(ssl, resp.data() + off, static_cast<int>(std::min<size_t>(resp.size() - off, 16384)));
                if (n <= 0) break;
                off += static_cast<size_t>(n);
            }
            SSL_shutdown(ssl);
        }
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
}

}  // namespace idara::systest
