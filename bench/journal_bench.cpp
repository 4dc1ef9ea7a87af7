// The tamper-evident journal on SQLite (journal/journal.hpp): appends per second (one per
// durable transaction, as a registry event does, and 1000 per transaction), a signed tree head
// over the whole journal (cold: streams every leaf), an inclusion proof with the block cache,
// and `audit verify` (verify_all) in leaves per second. Prints tab-separated lines:
//   operation  count  seconds  per_second
// Usage: journal_bench --dir DIR [--leaves N (default 200000)] [--seconds S (default 2)]
#include "journal/journal.hpp"
#include "storage/migrations.hpp"
#include "trust/key_store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

using namespace idara;
using Steady = std::chrono::steady_clock;

namespace {

void report(const char* op, long count, double secs) {
    std::printf("%s\t%ld\t%.3f\t%.0f\n", op, count, secs, count / secs);
    std::fflush(stdout);
}

double since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

journal::JournalEvent event(long i) {
    return {1, "processing.assigned", "entry:MEF-2026-" + std::to_string(100000 + i % 900000), 42, 1'790'000'000'000 + i,
            journal::detail_json({{"entry_id", std::int64_t{i}}, {"register_number", "MEF-2026-000123"},
                                  {"state", "assigned"}, {"version", std::int64_t{3}}})};
}

[[noreturn]] void die(const Error& e) {
    std::fprintf(stderr, "journal_bench: %s %s\n", e.code.c_str(), e.detail.c_str());
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir;
    long leaves = 200000;
    double seconds = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--leaves")) leaves = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    }
    if (dir.empty() || leaves < 1) {
        std::fprintf(stderr, "usage: journal_bench --dir DIR [--leaves N] [--seconds S]\n");
        return 2;
    }
    std::filesystem::create_directories(dir);
    std::filesystem::remove(dir + "/journal.db");
    std::filesystem::remove(dir + "/journal.db-wal");
    storage::SqliteOptions o;
    o.path = dir + "/journal.db";
    auto db = storage::open_sqlite(o);
    if (!db) die(db.error());
    if (auto m = storage::migrate(**db); !m) die(m.error());
    trust::KeyStore keys(**db, trust::random_master_key());
    journal::Journal j(**db, keys);

    // One append per durable transaction.
    long n = 0;
    auto t0 = Steady::now();
    while (since(t0) < seconds) {
        auto r = (*db)->write<std::int64_t>([&](storage::Tx& tx) { return journal::append(tx, event(n)); });
        if (!r) die(r.error());
        ++n;
    }
    report("append_1_per_tx", n, since(t0));

    // Bulk to the wanted size, 1000 per transaction.
    t0 = Steady::now();
    const long before = n;
    while (n < leaves) {
        auto s = (*db)->write_tx([&](storage::Tx& tx) -> Status {
            for (int k = 0; k < 1000 && n < leaves; ++k, ++n)
                if (auto r = journal::append(tx, event(n)); !r) return r.error();
            return {};
        });
        if (!s) die(s.error());
    }
    if (n > before) report("append_1000_per_tx", n - before, since(t0));

    t0 = Steady::now();
    auto sth = j.make_sth();
    if (!sth) die(sth.error());
    report("sth_cold_leaves", sth->tree_size, since(t0));
    t0 = Steady::now();
    if (auto again = j.make_sth(); !again) die(again.error());
    report("sth_warm", 1, since(t0));

    long proofs = 0;
    t0 = Steady::now();
    while (since(t0) < seconds) {
        const std::int64_t leaf = (proofs * 7919) % n;
        auto p = (*db)->read<journal::InclusionProof>([&](storage::Tx& tx) { return j.inclusion_proof(tx, leaf); });
        if (!p) die(p.error());
        if (!journal::verify_inclusion(static_cast<std::uint64_t>(leaf), static_cast<std::uint64_t>(p->sth.tree_size),
                                       p->leaf.hash, p->path, p->sth.root_hash))
            die(Error{"bench.proof", 1, "a proof did not verify"});
        ++proofs;
    }
    report("inclusion_proof", proofs, since(t0));

    t0 = Steady::now();
    auto rep = j.verify_all();
    if (!rep) die(rep.error());
    if (!rep->ok()) die(Error{"bench.verify", 1, rep->what});
    report("verify_all_leaves", rep->leaves, since(t0));
    return 0;
}
