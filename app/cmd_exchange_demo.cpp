// `idara exchange demo-setup | demo-backend | up` (docs/design/exchange.md, "Demo").
//
//   demo-setup --dir D [--base-port 8090] [--conf-validity S]
//       writes the central and the three gateways (exchange/demo.hpp); keeps a complete setup.
//   demo-backend --kind bac|birth --listen HOST:PORT [--port-file F]
//       serves the fictional data of the education ministry or the civil registry.
//   up --dir D [--base-port 8090]
//       demo-setup when D holds none, then starts the central, the two back-ends and the three gateways
//       as child processes (logs in D/logs/), waits until each listens (port files in D/run/), prints
//       their ports and a sample curl, and supervises: SIGTERM/SIGINT stops them all (exit 0); a child
//       that dies is named and the others are stopped (exit 1).
//
// Children run in their own process group (Ctrl-C reaches only the supervisor, which stops them in
// order) and get SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG).
#include "port_file.hpp"
#include "cmd_exchange.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "exchange/demo.hpp"
#include "exchange/gateway_config.hpp"
#include "http/server.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace idara::app {

namespace fs = std::filesystem;

namespace {

using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

std::string self_exe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("/proc/self/exe") : p.string();
}

// Starts `exe args...` with stdout/stderr to `log_path` (appended; "" = inherited), in its own process
// group when `own_group`, with SIGTERM on the parent's death. Returns the pid or -1 (errno set).
int spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& log_path, bool own_group) {
    std::vector<std::string> all{exe};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int log_fd = -1;
    if (!log_path.empty()) {
        log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) return -1;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {  // only async-signal-safe calls until exec
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        std::signal(SIGTERM, SIG_DFL);
        std::signal(SIGINT, SIG_DFL);
        if (own_group) ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        if (log_fd >= 0) {
            ::dup2(log_fd, STDOUT_FILENO);
            ::dup2(log_fd, STDERR_FILENO);
        }
        if (const int null_fd = ::open("/dev/null", O_RDONLY); null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        ::execv(exe.c_str(), argv.data());
        ::_exit(127);
    }
    if (log_fd >= 0) ::close(log_fd);
    return pid;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "stopped";
}

// The ports in a port file: "8090\n" (central, back-ends) or {"client":P,"peer":P,"admin":P} (gateways).
std::optional<int> json_port(const std::string& text, std::string_view key) {
    const auto at = text.find("\"" + std::string(key) + "\"");
    if (at == std::string::npos) return std::nullopt;
    auto colon = text.find(':', at);
    if (colon == std::string::npos) return std::nullopt;
    int v = 0, digits = 0;
    for (auto i = colon + 1; i < text.size() && digits < 6; ++i) {
        if (text[i] == ' ') continue;
        if (text[i] < '0' || text[i] > '9') break;
        v = v * 10 + (text[i] - '0');
        ++digits;
    }
    if (digits == 0 || v < 1 || v > 65535) return std::nullopt;
    return v;
}

struct Ports {
    int main = 0;                       // central, back-end: the port; gateway: client port
    int peer = 0, admin = 0;            // gateways only
};

std::optional<Ports> read_port_file(const std::string& path, bool gateway) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.empty() || text.back() != '\n') {
        if (!gateway || text.find('}') == std::string::npos) return std::nullopt;  // not fully written
    }
    Ports p;
    if (gateway) {
        auto c = json_port(text, "client"), pe = json_port(text, "peer"), a = json_port(text, "admin");
        if (!c || !pe || !a) return std::nullopt;
        p = Ports{*c, *pe, *a};
    } else {
        try {
            p.main = std::stoi(text);
        } catch (...) {
            return std::nullopt;
        }
        if (p.main < 1 || p.main > 65535) return std::nullopt;
    }
    return p;
}

struct Child {
    std::string name;                   // "central", "backend-bac", "gw-men", ...
    std::string label;                  // for the table
    std::vector<std::string> args;
    bool gateway = false;
    std::string port_file, log_file;
    int pid = -1;
    std::optional<Ports> ports;
};

// Runs the children and watches them. SIGINT, SIGTERM and SIGCHLD are blocked in this process and
// taken synchronously with sigtimedwait (the process is single-threaded here).
class Supervisor {
public:
    enum class Event { none, stop, died };

    Supervisor() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        sigaddset(&set_, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set_, &old_);
    }
    ~Supervisor() {
        stop_all();
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    bool start(Child& c) {
        std::error_code ec;
        fs::remove(c.port_file, ec);
        c.pid = spawn(exe_, c.args, c.log_file, true);
        if (c.pid < 0) {
            std::cerr << "idara exchange up: cannot start " << c.name << ": " << std::strerror(errno) << "\n";
            return false;
        }
        running_.push_back(&c);
        return true;
    }

    // Waits up to `timeout` for a signal. `died` names the child that ended, with how.
    Event wait(Ms timeout, std::string& died) {
        died = reap();
        if (!died.empty()) return Event::died;
        timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000000L};
        const int sig = sigtimedwait(&set_, nullptr, &ts);
        if (sig == SIGINT || sig == SIGTERM) return Event::stop;
        died = reap();
        return died.empty() ? Event::none : Event::died;
    }

    // Until every child in `group` has written its port file, a stop signal, a death or the timeout.
    Event wait_ready(const std::vector<Child*>& group, Ms timeout, std::string& died) {
        const auto deadline = SteadyClock::now() + timeout;
        while (true) {
            bool all = true;
            for (auto* c : group) {
                if (!c->ports) c->ports = read_port_file(c->port_file, c->gateway);
                all = all && c->ports.has_value();
            }
            if (all) return Event::none;
            if (SteadyClock::now() >= deadline) {
                for (auto* c : group)
                    if (!c->ports) died += (died.empty() ? "" : ", ") + c->name + " did not start listening in time (see " + c->log_file + ")";
                return Event::died;
            }
            if (auto e = wait(Ms(100), died); e != Event::none) return e;
        }
    }

    // SIGTERM to every child, then SIGKILL to those still there after a bound.
    void stop_all() {
        for (auto* c : running_) ::kill(c->pid, SIGTERM);
        const auto deadline = SteadyClock::now() + std::chrono::seconds(15);
        while (!running_.empty() && SteadyClock::now() < deadline) {
            reap();
            if (running_.empty()) break;
            timespec ts{0, 100 * 1000000L};
            sigtimedwait(&set_, nullptr, &ts);
        }
        for (auto* c : running_) {
            ::kill(c->pid, SIGKILL);
            ::waitpid(c->pid, nullptr, 0);
        }
        running_.clear();
    }

private:
    // Collects ended children; returns "name (pid N) exited with status S" for the first, or "".
    std::string reap() {
        std::string first;
        for (auto it = running_.begin(); it != running_.end();) {
            int status = 0;
            if (::waitpid((*it)->pid, &status, WNOHANG) == (*it)->pid) {
                if (first.empty())
                    first = (*it)->name + " (pid " + std::to_string((*it)->pid) + ") " + describe_status(status) +
                            "; see " + (*it)->log_file;
                it = running_.erase(it);
            } else {
                ++it;
            }
        }
        return first;
    }

    std::string exe_ = self_exe();
    sigset_t set_{}, old_{};
    std::vector<Child*> running_;
};

struct UpArgs {
    std::string dir;
    int base_port = 8090;
};

Result<exchange::DemoPorts> ensure_setup(const UpArgs& a, bool base_given) {
    const bool existed = fs::exists(fs::path(a.dir) / "demo.json");
    exchange::DemoPorts wanted;
    wanted.base = static_cast<std::uint16_t>(a.base_port);
    if (auto s = exchange::demo_setup(a.dir, wanted); !s) return s.error();
    auto ports = exchange::demo_ports_of(a.dir);
    if (!ports) return ports.error();
    if (!existed) std::cout << "Demo exchange set up in " << a.dir << "\n";
    else if (base_given && ports->base != wanted.base)
        std::cout << "Note: " << a.dir << " was set up with base port " << ports->base << "; using it (remove the directory to change)\n";
    return ports;
}

void print_table(const std::string& dir, const std::vector<Child>& cs) {
    std::cout << "\nidara exchange demo is up (" << dir << ", logs in " << dir << "/logs/):\n";
    for (const auto& c : cs) {
        std::cout << "  " << c.label;
        for (auto n = c.label.size(); n < 44; ++n) std::cout << ' ';
        if (c.gateway)
            std::cout << "client http://127.0.0.1:" << c.ports->main << "  peer " << c.ports->peer << "  admin "
                      << c.ports->admin << "\n";
        else
            std::cout << "http://127.0.0.1:" << c.ports->main << "\n";
    }
    const int univ_client = cs.back().ports->main;
    std::cout << "\nTry (the university asks the ministry through the two gateways):\n"
              << "  curl -H 'X-Road-Client: MA/GOV/UNIV/registration' \\\n"
              << "    http://127.0.0.1:" << univ_client << "/r1/MA/GOV/MEN/bac-results/bac-result/results/R130245871\n"
              << "  curl -H 'X-Road-Client: MA/GOV/UNIV/registration' \\\n"
              << "    http://127.0.0.1:" << univ_client << "/r1/MA/GOV/ETATCIVIL/records/birth-record/births/AB123456\n"
              << "Stop with Ctrl-C.\n"
              << std::flush;
}

int cmd_up(const UpArgs& a, bool base_given) {
    auto ports = ensure_setup(a, base_given);
    if (!ports) return fail(ports.error());
    const fs::path root = fs::absolute(a.dir).lexically_normal();
    std::error_code ec;
    fs::create_directories(root / "logs", ec);
    fs::create_directories(root / "run", ec);
    if (ec) return fail(errors::internal("cannot create " + (root / "run").string() + ": " + ec.message()));

    const auto run = [&](std::string_view n) { return (root / "run" / (std::string(n) + ".port")).string(); };
    const auto log = [&](std::string_view n) { return (root / "logs" / (std::string(n) + ".log")).string(); };
    const auto backend = [&](std::string name, std::string label, std::string kind, int port) {
        return Child{name, std::move(label),
                     {"exchange", "demo-backend", "--kind", kind, "--listen", "127.0.0.1:" + std::to_string(port),
                      "--port-file", run(name)},
                     false, run(name), log(name)};
    };
    const auto gateway = [&](std::string name, std::string label) {
        return Child{name, std::move(label),
                     {"exchange", "gateway", "serve", "--dir", (root / name).string(), "--port-file", run(name)},
                     true, run(name), log(name)};
    };
    // Order matters: the table prints them so, and the UNIV gateway is last (the sample curl uses it).
    std::vector<Child> cs{
        Child{"central", "central registry (MA)",
              {"exchange", "central", "serve", "--dir", (root / "central").string(), "--port-file", run("central")},
              false, run("central"), log("central")},
        backend("backend-bac", "back-end: baccalaureate results (MEN)", "bac", ports->base + 31),
        backend("backend-birth", "back-end: birth records (ETATCIVIL)", "birth", ports->base + 32),
        gateway("gw-men", "gateway MA/GOV/MEN/gw1"),
        gateway("gw-etatcivil", "gateway MA/GOV/ETATCIVIL/gw1"),
        gateway("gw-univ", "gateway MA/GOV/UNIV/gw1"),
    };

    Supervisor sup;
    std::string why;
    // The central first: gateways load the configuration from it when they start.
    const std::vector<std::vector<Child*>> waves{{&cs[0], &cs[1], &cs[2]}, {&cs[3], &cs[4], &cs[5]}};
    for (const auto& wave : waves) {
        for (auto* c : wave)
            if (!sup.start(*c)) return 1;
        const auto e = sup.wait_ready(wave, std::chrono::seconds(60), why);
        if (e == Supervisor::Event::stop) return 0;  // the destructor stops the children
        if (e == Supervisor::Event::died) {
            std::cerr << "idara exchange up: " << why << "; stopping the others\n";
            return 1;
        }
    }
    print_table(root.string(), cs);
    while (true) {
        const auto e = sup.wait(Ms(1000), why);
        if (e == Supervisor::Event::stop) {
            std::cout << "Stopping the exchange demo...\n" << std::flush;
            sup.stop_all();
            return 0;
        }
        if (e == Supervisor::Event::died) {
            std::cerr << "idara exchange up: " << why << "; stopping the others\n";
            sup.stop_all();
            return 1;
        }
    }
}

int cmd_demo_setup(const std::string& dir, int base_port, std::int64_t validity) {
    exchange::DemoPorts p;
    p.base = static_cast<std::uint16_t>(base_port);
    p.conf_validity_seconds = validity;
    const bool existed = fs::exists(fs::path(dir) / "demo.json");
    if (auto s = exchange::demo_setup(dir, p); !s) return fail(s.error());
    auto kept = exchange::demo_ports_of(dir);
    if (!kept) return fail(kept.error());
    const int b = kept->base;
    std::cout << (existed ? "Kept the existing demo setup in " : "Demo setup written to ") << dir << "\n"
              << "  central        127.0.0.1:" << b << "\n"
              << "  gateways       MEN / ETATCIVIL / UNIV: client " << b + 1 << "-" << b + 3 << ", peer " << b + 11
              << "-" << b + 13 << ", admin " << b + 21 << "-" << b + 23 << "\n"
              << "  back-ends      bac " << b + 31 << ", birth " << b + 32 << "\n"
              << "Start everything with: idara exchange up --dir " << dir << "\n";
    return 0;
}

int cmd_demo_backend(const std::string& kind, const std::string& listen, const std::string& port_file) {
    auto hp = exchange::parse_host_port(listen);
    if (!hp) return fail(hp.error());
    http::Router router;
    if (auto s = exchange::add_demo_backend_routes(router, kind); !s) return fail(s.error());
    http::ServerOptions o;
    o.listen_address = hp->host;
    o.port = hp->port;
    o.io_threads = 1;
    o.worker_threads = 2;
    auto server = http::make_server(o, router);
    auto port = server->start();
    if (!port) return fail(port.error());
    if (!port_file.empty() && !write_port_file(port_file, *port))
        return fail(errors::internal("cannot write " + port_file));
    std::cout << "demo back-end '" << kind << "' listening on http://" << hp->host << ":" << *port << "/" << std::endl;
    server->run();
    return 0;
}

}  // namespace

void add_exchange_demo_commands(CLI::App& exchange, int& rc) {
    struct Opts {
        std::string dir;
        int base_port = 8090;
        std::int64_t validity = 600;
        std::string kind, listen, port_file;
    };
    static Opts o;
    auto* setup = exchange.add_subcommand("demo-setup", "Write a three-administration demo (central, MEN, ETATCIVIL, UNIV gateways) on loopback");
    setup->add_option("--dir", o.dir, "Directory of the demo")->required();
    setup->add_option("--base-port", o.base_port, "Central port; the others follow (default 8090)")->check(CLI::Range(1, 65535 - 32));
    setup->add_option("--conf-validity", o.validity, "Lifetime of the central's configuration in seconds (10 s to 30 days; default 600)")
        ->check(CLI::Range(std::int64_t{10}, std::int64_t{30} * 86400));
    setup->callback([&rc] { rc = cmd_demo_setup(o.dir, o.base_port, o.validity); });

    auto* backend = exchange.add_subcommand("demo-backend", "Serve a demo back-end: baccalaureate results (bac) or birth records (birth)");
    backend->add_option("--kind", o.kind, "bac or birth")->required();
    backend->add_option("--listen", o.listen, "HOST:PORT (port 0: any free port)")->required();
    backend->add_option("--port-file", o.port_file, "Write the bound port to this file once listening");
    backend->callback([&rc] { rc = cmd_demo_backend(o.kind, o.listen, o.port_file); });

    static UpArgs up_args;
    auto* up = exchange.add_subcommand("up", "Set up the demo if needed, start the central, back-ends and gateways, and supervise them");
    up->add_option("--dir", up_args.dir, "Directory of the demo")->required();
    auto* base = up->add_option("--base-port", up_args.base_port, "Base port for a new setup (default 8090)")
                     ->check(CLI::Range(1, 65535 - 32));
    up->callback([&rc, base] { rc = cmd_up(up_args, base->count() > 0); });
}

ExchangeUpChild::~ExchangeUpChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (SteadyClock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        ::usleep(50 * 1000);
    }
}

std::unique_ptr<ExchangeUpChild> start_exchange_up(const std::string& dir, std::int64_t base_port) {
    const int pid = spawn(self_exe(),
                          {"exchange", "up", "--dir", dir, "--base-port", std::to_string(base_port)}, "", false);
    if (pid < 0) return nullptr;
    return std::make_unique<ExchangeUpChild>(pid);
}

}  // namespace idara::app
