// Operations on <dir>/gateway.db shared by the MessageLog and the command line
// (exchange/msglog_store.hpp): opening the database, operational data.
#include "exchange/msglog_store.hpp"

#include <boost/json.hpp>

#include <filesystem>

namespace idara::exchange::msglog {

namespace {

namespace fs = std::filesystem;

Error unavailable(std::string detail) { return Error{"exchange.log_unavailable", 503, std::move(detail)}; }

}  // namespace

Result<std::unique_ptr<storage::Database>> open_log_db(const std::string& dir, bool create) {
    const std::string path = dir + "/gateway.db";
    std::error_code ec;
    if (!create && !fs::exists(path, ec)) return unavailable("no message log at " + path);
    if (create) fs::create_directories(dir, ec);
    storage::SqliteOptions o;
    o.path = path;
    o.readers = 2;
    o.synchronous_full = true;
    auto db = storage::open_sqlite(o);
    if (!db) return unavailable("opening " + path + ": " + db.error().detail);
    return std::move(*db);
}

Result<std::string> opdata_query(storage::Database& db, std::int64_t since_ms, int limit) {
    if (limit < 1 || limit > kMaxOpdataLimit)
        return Error{"exchange.bad_opdata_query", 400, "limit must be between 1 and 10000"};
    return db.read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto rows = tx.query(
            "SELECT id, direction, query_id, client, service, user_id, peer_gateway, start_ms, end_ms, "
            "request_bytes, response_bytes, success, status, error_type FROM op_records "
            "WHERE end_ms >= $1 ORDER BY end_ms, id LIMIT $2",
            {since_ms, std::int64_t{limit}});
        if (!rows) return rows.error();
        boost::json::array out;
        out.reserve(rows->size());
        for (const auto& r : *rows) {
            out.push_back(boost::json::object{{"id", r.as_int(0)},
                                              {"direction", r.as_text(1)},
                                              {"query_id", r.as_text(2)},
                                              {"client", r.as_text(3)},
                                              {"service", r.as_text(4)},
                                              {"user_id", r.as_text(5)},
                                              {"peer_gateway", r.as_text(6)},
                                              {"start_ms", r.as_int(7)},
                                              {"end_ms", r.as_int(8)},
                                              {"request_bytes", r.as_int(9)},
                                              {"response_bytes", r.as_int(10)},
                                              {"success", r.as_int(11) != 0},
                                              {"status", r.as_int(12)},
                                              {"error_type", r.as_text(13)}});
        }
        return boost::json::serialize(out);
    });
}

}  // namespace idara::exchange::msglog
