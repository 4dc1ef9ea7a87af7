// The exchange demo: demo_setup's files and registrations, the demo back-ends' routes, and one
// multi-process smoke test of `idara exchange up` (an exchange through two gateways, then shutdown).
#include "exchange/central.hpp"
#include "exchange/conf.hpp"
#include "exchange/demo.hpp"
#include "exchange/ed25519.hpp"
#include "exchange/gateway_config.hpp"
#include "http/router.hpp"

#include "core/clock.hpp"
#include "../integration/harness.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace idara;
using namespace idara::exchange;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const char* kGateways[] = {"gw-men", "gw-etatcivil", "gw-univ"};

DemoPorts ports_at(std::uint16_t base) {
    DemoPorts p;
    p.base = base;
    p.conf_validity_seconds = 900;
    return p;
}

// One setup shared by the read-only tests (it takes a few seconds with sanitizers).
class DemoSetup : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tmp_ = new itest::TempDir();
        dir_ = tmp_->path() + "/demo";
        auto s = demo_setup(dir_, ports_at(18090));
        ASSERT_TRUE(s) << s.error().code << ": " << s.error().detail;
    }
    static void TearDownTestSuite() {
        delete tmp_;
        tmp_ = nullptr;
    }
    static inline itest::TempDir* tmp_ = nullptr;
    static inline std::string dir_;
};

TEST_F(DemoSetup, WritesEveryFile) {
    for (const char* f : {"demo.json", "central/central.db", "central/central-sign.key", "central/central.toml"})
        EXPECT_TRUE(fs::exists(fs::path(dir_) / f)) << f;
    for (const char* gw : kGateways)
        for (const char* f : {"gateway.toml", "sign.key", "tls.key", "tls.crt", "admin-token"})
            EXPECT_TRUE(fs::exists(fs::path(dir_) / gw / f)) << gw << "/" << f;
    EXPECT_TRUE(fs::exists(fs::path(dir_) / "gw-men/bac-result.openapi.json"));
    EXPECT_TRUE(fs::exists(fs::path(dir_) / "gw-etatcivil/birth-record.openapi.json"));
    EXPECT_FALSE(fs::exists(fs::path(dir_) / "gw-univ/bac-result.openapi.json"));
    // The OpenAPI files are the embedded documents, valid JSON naming the back-end path.
    const auto doc = boost::json::parse(slurp(fs::path(dir_) / "gw-men/bac-result.openapi.json")).as_object();
    EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
    EXPECT_TRUE(doc.at("paths").as_object().contains("/results/{student_number}"));
    auto ports = demo_ports_of(dir_);
    ASSERT_TRUE(ports);
    EXPECT_EQ(ports->base, 18090);
    EXPECT_EQ(ports->conf_validity_seconds, 900);
}

TEST_F(DemoSetup, GatewayConfigsLoad) {
    auto central = open_central(dir_ + "/central", system_clock());
    ASSERT_TRUE(central);
    const PublicKey central_key = (*central)->public_key();

    auto men = load_gateway_config(dir_ + "/gw-men");
    ASSERT_TRUE(men) << men.error().detail;
    EXPECT_EQ(men->member().str(), "MA/GOV/MEN");
    EXPECT_EQ(men->gateway_id(), "MA/GOV/MEN/gw1");
    EXPECT_EQ(men->central_url, "http://127.0.0.1:18090");
    EXPECT_EQ(men->central_public_key, central_key);
    EXPECT_EQ(men->client_listen, "127.0.0.1:18091");
    EXPECT_EQ(men->peer_listen, "127.0.0.1:18101");
    EXPECT_EQ(men->admin_listen, "127.0.0.1:18111");
    EXPECT_EQ(men->conf_refresh_seconds, 5);
    ASSERT_EQ(men->services.size(), 1u);
    EXPECT_EQ(men->services[0].subsystem, "bac-results");
    EXPECT_EQ(men->services[0].code, "bac-result");
    EXPECT_EQ(men->services[0].backend_url, "http://127.0.0.1:18121");
    EXPECT_EQ(men->services[0].openapi_file, fs::absolute(dir_ + "/gw-men/bac-result.openapi.json").lexically_normal().string());
    ASSERT_EQ(men->access.size(), 1u);
    EXPECT_EQ(men->access[0].subject, "MA/GOV/UNIV/registration");
    EXPECT_EQ(men->access[0].service_code, "bac-result");
    EXPECT_EQ(men->access[0].methods, std::vector<std::string>{"GET"});
    EXPECT_EQ(men->access[0].path, "/results/*");

    auto civil = load_gateway_config(dir_ + "/gw-etatcivil");
    ASSERT_TRUE(civil) << civil.error().detail;
    EXPECT_EQ(civil->member().str(), "MA/GOV/ETATCIVIL");
    EXPECT_EQ(civil->client_listen, "127.0.0.1:18092");
    EXPECT_EQ(civil->peer_listen, "127.0.0.1:18102");
    ASSERT_EQ(civil->services.size(), 1u);
    EXPECT_EQ(civil->services[0].code, "birth-record");
    EXPECT_EQ(civil->services[0].backend_url, "http://127.0.0.1:18122");
    ASSERT_EQ(civil->access.size(), 1u);
    EXPECT_EQ(civil->access[0].path, "/births/*");

    auto univ = load_gateway_config(dir_ + "/gw-univ");
    ASSERT_TRUE(univ) << univ.error().detail;
    EXPECT_EQ(univ->member().str(), "MA/GOV/UNIV");
    EXPECT_EQ(univ->client_listen, "127.0.0.1:18093");
    EXPECT_EQ(univ->admin_listen, "127.0.0.1:18113");
    EXPECT_TRUE(univ->services.empty());
    EXPECT_TRUE(univ->access.empty());
}

TEST_F(DemoSetup, CentralListsMembersAndGatewaysWithTheDigestsOnDisk) {
    auto central = open_central(dir_ + "/central", system_clock());
    ASSERT_TRUE(central);
    auto pending = (*central)->requests("pending");
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty()) << "every registration is approved";
    auto conf = (*central)->current(system_clock().now_ms());
    ASSERT_TRUE(conf) << conf.error().detail;
    EXPECT_EQ(conf->instance, "MA");
    ASSERT_EQ(conf->members.size(), 3u);
    ASSERT_EQ(conf->gateways.size(), 3u);
    EXPECT_EQ(conf->tsa_url, "http://127.0.0.1:18090/tsa");

    struct Expect {
        const char* code;
        const char* gw_dir;
        const char* subsystem;
        const char* name_fr;
        int peer;
    };
    for (const Expect& e : {Expect{"MEN", "gw-men", "bac-results", "Ministère de l'Éducation nationale", 18101},
                            Expect{"ETATCIVIL", "gw-etatcivil", "records", "Direction de l'état civil", 18102},
                            Expect{"UNIV", "gw-univ", "registration", "Université Mohammed V de Rabat", 18103}}) {
        SCOPED_TRACE(e.code);
        const MemberId id{"MA", "GOV", e.code};
        const MemberInfo* m = conf->member(id);
        ASSERT_NE(m, nullptr);
        EXPECT_EQ(m->name_fr, e.name_fr);
        EXPECT_FALSE(m->name_ar.empty());
        EXPECT_EQ(m->subsystems, std::vector<std::string>{e.subsystem});
        auto key = SigningKey::load(dir_ + "/" + e.gw_dir + "/sign.key");
        ASSERT_TRUE(key);
        EXPECT_EQ(m->sign_key, key->public_key());
        EXPECT_TRUE(conf->has_client(ClientId{"MA", "GOV", e.code, e.subsystem}));

        const auto gws = conf->gateways_of(id);
        ASSERT_EQ(gws.size(), 1u);
        EXPECT_EQ(gws[0]->id, std::string("MA/GOV/") + e.code + "/gw1");
        EXPECT_EQ(gws[0]->address, "127.0.0.1:" + std::to_string(e.peer));
        auto digest = cert_digest_from_pem(slurp(fs::path(dir_) / e.gw_dir / "tls.crt"));
        ASSERT_TRUE(digest);
        EXPECT_EQ(gws[0]->tls_cert_sha256, *digest);
    }
}

TEST_F(DemoSetup, IsIdempotent) {
    const std::string before_crt = slurp(fs::path(dir_) / "gw-univ/tls.crt");
    const std::string before_key = slurp(fs::path(dir_) / "gw-men/sign.key");
    const std::string before_toml = slurp(fs::path(dir_) / "gw-etatcivil/gateway.toml");
    std::int64_t serial_before = 0;
    {
        auto central = open_central(dir_ + "/central", system_clock());
        ASSERT_TRUE(central);
        serial_before = (*central)->current(system_clock().now_ms())->serial;
    }
    // Even with other ports: the existing setup is kept as it is.
    auto s = demo_setup(dir_, ports_at(28090));
    ASSERT_TRUE(s) << s.error().code << ": " << s.error().detail;
    EXPECT_EQ(slurp(fs::path(dir_) / "gw-univ/tls.crt"), before_crt);
    EXPECT_EQ(slurp(fs::path(dir_) / "gw-men/sign.key"), before_key);
    EXPECT_EQ(slurp(fs::path(dir_) / "gw-etatcivil/gateway.toml"), before_toml);
    auto central = open_central(dir_ + "/central", system_clock());
    ASSERT_TRUE(central);
    auto conf = (*central)->current(system_clock().now_ms());
    ASSERT_TRUE(conf);
    EXPECT_EQ(conf->serial, serial_before);
    EXPECT_EQ(conf->members.size(), 3u);
    EXPECT_EQ(demo_ports_of(dir_)->base, 18090);
}

TEST(DemoSetupErrors, HalfSetupIsRefused) {
    itest::TempDir tmp;
    const std::string dir = tmp.path() + "/half";
    fs::create_directories(dir + "/central");
    auto s = demo_setup(dir, ports_at(18090));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "exchange.demo_incomplete");
    EXPECT_EQ(s.error().status, 409);
    EXPECT_NE(s.error().detail.find(dir), std::string::npos) << s.error().detail;
    EXPECT_FALSE(demo_ports_of(dir));
}

TEST(DemoSetupErrors, MissingFileOfACompleteSetupIsRefused) {
    itest::TempDir tmp;
    const std::string dir = tmp.path() + "/demo";
    ASSERT_TRUE(demo_setup(dir, ports_at(18090)));
    fs::remove(dir + "/gw-etatcivil/tls.crt");
    auto s = demo_setup(dir, ports_at(18090));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "exchange.demo_incomplete");
    EXPECT_NE(s.error().detail.find("gw-etatcivil/tls.crt"), std::string::npos) << s.error().detail;
    auto p = demo_ports_of(dir);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, "exchange.demo_incomplete");
}

TEST(DemoSetupErrors, EmptyDirectoryIsUsedAndBadPortsRefused) {
    itest::TempDir tmp;
    auto bad = demo_setup(tmp.path() + "/x", ports_at(65510));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "request.invalid");
    EXPECT_FALSE(fs::exists(tmp.path() + "/x"));
    DemoPorts zero = ports_at(18090);
    zero.conf_validity_seconds = 0;
    EXPECT_FALSE(demo_setup(tmp.path() + "/x", zero));
}

// ---- Back-end routes, in-process through the router

http::Response call(const http::Router& r, std::string path) {
    http::Request req;
    req.method = http::Method::get;
    req.target = path;
    req.path = path;
    auto m = r.match(http::Method::get, path);
    if (!m.handler) return http::Response::json(m.allowed.empty() ? 404 : 405, "{\"router\":\"no route\"}");
    req.params = m.params;
    return (*m.handler)(req);
}

std::string error_of(const http::Response& r) {
    return std::string(boost::json::parse(r.body).as_object().at("error").as_string());
}

TEST(DemoBackend, BacResults) {
    http::Router r;
    ASSERT_TRUE(add_demo_backend_routes(r, "bac"));
    auto ok = call(r, "/results/R130245871");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.headers.get("Content-Type").value_or(""), "application/json");
    const auto j = boost::json::parse(ok.body).as_object();
    EXPECT_EQ(j.at("student_number").as_string(), "R130245871");
    EXPECT_EQ(j.at("national_id").as_string(), "AB123456");
    EXPECT_EQ(j.at("last_name_fr").as_string(), "El Amrani");
    EXPECT_EQ(j.at("year").as_int64(), 2026);
    EXPECT_DOUBLE_EQ(j.at("average").as_double(), 16.42);
    EXPECT_EQ(j.at("mention_fr").as_string(), "Très bien");
    EXPECT_EQ(j.at("session").as_string(), "normale");

    auto unknown = call(r, "/results/R999999999");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(error_of(unknown), "not_found");
    for (const char* garbage : {"/results/abc", "/results/r130245871", "/results/R1302458712", "/results/R13024587X",
                                "/results/AB123456", "/results/R13024587%00"}) {
        auto g = call(r, garbage);
        EXPECT_EQ(g.status, 400) << garbage;
        EXPECT_EQ(error_of(g), "invalid_student_number") << garbage;
    }
    auto health = call(r, "/health");
    ASSERT_EQ(health.status, 200);
    const auto h = boost::json::parse(health.body).as_object();
    EXPECT_EQ(h.at("kind").as_string(), "bac");
    EXPECT_GE(h.at("records").as_int64(), 20);
    EXPECT_EQ(call(r, "/births/AB123456").status, 404) << "the bac back-end has no birth records";
}

TEST(DemoBackend, BirthRecords) {
    http::Router r;
    ASSERT_TRUE(add_demo_backend_routes(r, "birth"));
    auto ok = call(r, "/births/AB123456");
    ASSERT_EQ(ok.status, 200) << ok.body;
    const auto j = boost::json::parse(ok.body).as_object();
    EXPECT_EQ(j.at("national_id").as_string(), "AB123456");
    EXPECT_EQ(j.at("last_name_fr").as_string(), "El Amrani");
    EXPECT_EQ(j.at("birth_place_fr").as_string(), "Rabat");
    EXPECT_FALSE(j.at("father_name_ar").as_string().empty());
    EXPECT_FALSE(j.at("record_number").as_string().empty());
    auto single_letter = call(r, "/births/F456789");
    EXPECT_EQ(single_letter.status, 200) << single_letter.body;

    auto unknown = call(r, "/births/ZZ000000");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(error_of(unknown), "not_found");
    for (const char* garbage : {"/births/123456", "/births/ABC12345", "/births/ab123456", "/births/AB1234",
                                "/births/AB1234567", "/births/R130245871"}) {
        auto g = call(r, garbage);
        EXPECT_EQ(g.status, 400) << garbage;
        EXPECT_EQ(error_of(g), "invalid_national_id") << garbage;
    }
    EXPECT_EQ(call(r, "/health").status, 200);
}

TEST(DemoBackend, UnknownKindIsRefused) {
    http::Router r;
    auto s = add_demo_backend_routes(r, "tax");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "exchange.bad_demo_kind");
    EXPECT_EQ(s.error().status, 400);
    EXPECT_EQ(r.match(http::Method::get, "/health").handler, nullptr) << "no route added";
}

TEST(DemoBackend, EveryStudentHasABirthRecord) {
    http::Router bac, birth;
    ASSERT_TRUE(add_demo_backend_routes(bac, "bac"));
    ASSERT_TRUE(add_demo_backend_routes(birth, "birth"));
    const auto h = boost::json::parse(call(bac, "/health").body).as_object();
    EXPECT_EQ(boost::json::parse(call(birth, "/health").body).as_object().at("records").as_int64(),
              h.at("records").as_int64());
    // Spot-check: the same person on both sides.
    auto student = boost::json::parse(call(bac, "/results/N139128406").body).as_object();
    auto person = call(birth, "/births/" + std::string(student.at("national_id").as_string()));
    ASSERT_EQ(person.status, 200);
    EXPECT_EQ(boost::json::parse(person.body).as_object().at("last_name_ar"), student.at("last_name_ar"));
}

// ---- `idara exchange up`: separate processes on loopback

bool port_free(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const int one = 1;  // as servers do: a closed connection in TIME_WAIT does not count
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

int free_base() {
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(20000, 60000);
    for (int attempt = 0; attempt < 50; ++attempt) {
        const int b = pick(rng);
        bool all = true;
        for (int off : {0, 1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32}) all = all && port_free(b + off);
        if (all) return b;
    }
    return -1;
}

std::set<int> children_of(int parent) {
    std::set<int> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = slurp(e.path() / "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        int ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent) out.insert(std::stoi(name));
    }
    return out;
}

bool alive(int pid) { return ::kill(pid, 0) == 0; }

// `idara exchange up` in the background with its output in a file.
class Up {
public:
    Up(const std::string& dir, int base, const std::string& out) : out_(out) {
        const std::string bin = itest::idara_bin();
        const std::string base_s = std::to_string(base);
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::execl(bin.c_str(), bin.c_str(), "exchange", "up", "--dir", dir.c_str(), "--base-port", base_s.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Up() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);  // its children get SIGTERM (PR_SET_PDEATHSIG)
            ::waitpid(pid_, nullptr, 0);
        }
    }
    int pid() const { return pid_; }
    std::string output() const { return slurp(out_); }
    // Waits (bounded) for the exit status; -1 when still running after `limit`.
    int wait_exit(std::chrono::seconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return -1;
    }
    bool wait_up(std::chrono::seconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (output().find("idara exchange demo is up") != std::string::npos) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

private:
    std::string out_;
    int pid_ = -1;
};

TEST(DemoUp, ExchangeThroughTwoGatewaysThenSigtermStopsEverything) {
    itest::TempDir tmp;
    const int base = free_base();
    ASSERT_GT(base, 0) << "no free range of ports";
    Up up(tmp.path() + "/demo", base, tmp.path() + "/up.out");
    ASSERT_TRUE(up.wait_up(std::chrono::seconds(120))) << up.output();
    const auto children = children_of(up.pid());
    EXPECT_EQ(children.size(), 6u) << up.output();
    EXPECT_NE(up.output().find("X-Road-Client: MA/GOV/UNIV/registration"), std::string::npos);

    itest::Client client;
    const std::string url = "http://127.0.0.1:" + std::to_string(base + 3) +
                            "/r1/MA/GOV/MEN/bac-results/bac-result/results/R130245871";
    auto r = client.get(url, {"X-Road-Client: MA/GOV/UNIV/registration"});
    ASSERT_EQ(r.status, 200) << r.body << "\n" << up.output();
    const auto j = boost::json::parse(r.body).as_object();
    EXPECT_EQ(j.at("student_number").as_string(), "R130245871");
    EXPECT_EQ(j.at("last_name_fr").as_string(), "El Amrani");
    auto birth = client.get("http://127.0.0.1:" + std::to_string(base + 3) +
                                "/r1/MA/GOV/ETATCIVIL/records/birth-record/births/AB123456",
                            {"X-Road-Client: MA/GOV/UNIV/registration"});
    EXPECT_EQ(birth.status, 200) << birth.body;
    for (const char* log : {"central", "backend-bac", "backend-birth", "gw-men", "gw-etatcivil", "gw-univ"})
        EXPECT_TRUE(fs::exists(tmp.path() + "/demo/logs/" + std::string(log) + ".log")) << log;

    ASSERT_EQ(::kill(up.pid(), SIGTERM), 0);
    EXPECT_EQ(up.wait_exit(std::chrono::seconds(60)), 0) << up.output();
    for (int pid : children) EXPECT_FALSE(alive(pid)) << "child " << pid << " left running";
    EXPECT_TRUE(port_free(base + 3));
}

TEST(DemoUp, ADeadChildIsNamedAndTheOthersStopped) {
    itest::TempDir tmp;
    const int base = free_base();
    ASSERT_GT(base, 0) << "no free range of ports";
    Up up(tmp.path() + "/demo", base, tmp.path() + "/up.out");
    ASSERT_TRUE(up.wait_up(std::chrono::seconds(120))) << up.output();
    const auto children = children_of(up.pid());
    ASSERT_EQ(children.size(), 6u) << up.output();
    // The bac back-end is the one listening on B+31.
    int victim = -1;
    for (int pid : children)
        if (slurp("/proc/" + std::to_string(pid) + "/cmdline").find(std::string("--kind\0bac", 10)) != std::string::npos)
            victim = pid;
    ASSERT_GT(victim, 0);
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    EXPECT_EQ(up.wait_exit(std::chrono::seconds(60)), 1) << up.output();
    EXPECT_NE(up.output().find("backend-bac (pid " + std::to_string(victim) + ") was killed by signal 9"),
              std::string::npos)
        << up.output();
    for (int pid : children) EXPECT_FALSE(alive(pid)) << "child " << pid << " left running";
}

}  // namespace
