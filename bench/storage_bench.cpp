// Storage backends' insert and lookup rates, measured in the same run so they
// can be compared. Prints one tab-separated line per measurement:
//   backend  operation  ops  seconds  ops_per_second
// Usage: storage_bench --sqlite-dir DIR [--pg-dsn DSN] [--seconds S]
#include "storage/db.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace idara;
using namespace idara::storage;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kTable = "CREATE TABLE IF NOT EXISTS bench_items (id BIGINT PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL)";

void report(Backend b, const char* op, long ops, double secs) {
    std::printf("%s\t%s\t%ld\t%.3f\t%.0f\n", std::string(backend_name(b)).c_str(), op, ops, secs, ops / secs);
    std::fflush(stdout);
}

// Runs `op(i)` from `threads` threads until `secs` elapse; returns (ops, seconds).
template <class Op>
std::pair<long, double> run_for(double secs, int threads, Op op) {
    std::atomic<long> next{0};
    std::atomic<bool> stop{false};
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                long i = next.fetch_add(1);
                if (!op(i)) { std::fprintf(stderr, "operation failed\n"); std::exit(1); }
            }
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(secs));
    stop = true;
    for (auto& t : ts) t.join();
    return {next.load(), std::chrono::duration<double>(Clock::now() - t0).count()};
}

void bench(Database& db, double secs, long id_base) {
    const Backend b = db.backend();
    auto ok = db.write_tx([](Tx& tx) -> Status {
        auto r = tx.exec(kTable);
        if (!r) return r.error();
        auto d = tx.exec("DELETE FROM bench_items");
        if (!d) return d.error();
        return {};
    });
    if (!ok) { std::fprintf(stderr, "setup failed: %s\n", ok.error().detail.c_str()); std::exit(1); }
    const std::string subject = "طلب شهادة إدارية — demande d'attestation";
    const std::string body(400, 'x');

    auto [n1, s1] = run_for(secs, 2, [&](long i) {
        return bool(db.write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("INSERT INTO bench_items (id, subject, body) VALUES ($1, $2, $3)",
                             {std::int64_t{id_base + i}, subject, body});
            if (!r) return r.error();
            return {};
        }));
    });
    report(b, b == Backend::sqlite ? "insert (1 row per durable commit, 2 threads)" : "insert (1 row per commit, fsync off, 2 threads)", n1, s1);

    auto [n2, s2] = run_for(secs, 2, [&, count = n1](long i) {
        std::int64_t id = id_base + static_cast<std::int64_t>((i * 2654435761u) % static_cast<unsigned long>(count));
        auto r = db.read<std::string>([&](Tx& tx) -> Result<std::string> {
            auto row = tx.query_one("SELECT subject FROM bench_items WHERE id = $1", {id});
            if (!row) return row.error();
            if (!*row) return errors::not_found();
            return (*row)->as_text(0);
        });
        return bool(r);
    });
    report(b, "lookup by key (read transaction, 2 threads)", n2, s2);
}

}  // namespace

int main(int argc, char** argv) {
    std::string sqlite_dir, pg_dsn;
    double secs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--sqlite-dir")) sqlite_dir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--pg-dsn")) pg_dsn = argv[i + 1];
        else if (!std::strcmp(argv[i], "--seconds")) secs = std::stod(argv[i + 1]);
    }
    if (sqlite_dir.empty()) { std::fprintf(stderr, "usage: storage_bench --sqlite-dir DIR [--pg-dsn DSN] [--seconds S]\n"); return 2; }
    std::filesystem::create_directories(sqlite_dir);
    auto s = open_sqlite({.path = sqlite_dir + "/bench.db"});
    if (!s) { std::fprintf(stderr, "sqlite: %s\n", s.error().detail.c_str()); return 1; }
    bench(**s, secs, 0);
    if (!pg_dsn.empty()) {
        auto p = open_postgres({.dsn = pg_dsn});
        if (!p) { std::fprintf(stderr, "postgres: %s\n", p.error().detail.c_str()); return 1; }
        bench(**p, secs, 0);
    }
    return 0;
}
