#include "api/health.hpp"

#include "api/json_io.hpp"
#include "http/metrics.hpp"
#include "storage/migrations.hpp"

#include <boost/json.hpp>

namespace idara::api {

std::string pool_metrics(const storage::Database& db) {
    const auto s = db.pool_stats();
    const std::string b(storage::backend_name(db.backend()));
    std::string out;
    out += "# HELP idara_db_pool_connections Database connections open.\n# TYPE idara_db_pool_connections gauge\n";
    out += "idara_db_pool_connections{backend=\"" + b + "\"} " + std::to_string(s.size) + "\n";
    out += "# HELP idara_db_pool_in_use Database connections lent out.\n# TYPE idara_db_pool_in_use gauge\n";
    out += "idara_db_pool_in_use{backend=\"" + b + "\"} " + std::to_string(s.in_use) + "\n";
    out += "# HELP idara_db_pool_waiting Callers waiting for a connection.\n# TYPE idara_db_pool_waiting gauge\n";
    out += "idara_db_pool_waiting{backend=\"" + b + "\"} " + std::to_string(s.waiting) + "\n";
    return out;
}

void register_health(http::Router& r, storage::Database& db, http::Metrics& metrics) {
    r.get("/healthz", [](http::Request&) { return http::Response::text(200, "ok\n"); }, {.inline_ok = true});

    r.get("/readyz", [&db](http::Request&) {
        auto v = storage::schema_version(db);
        if (!v) return error_response(errors::unavailable("database: " + v.error().detail));
        const int latest = storage::latest_version(db.backend());
        if (*v != latest) return error_response(errors::unavailable("schema version " + std::to_string(*v) +
                                                                    ", binary expects " + std::to_string(latest)));
        return json_response(200, boost::json::object{{"status", "ready"}, {"schema_version", *v}});
    });

    metrics.add_source([&db] { return pool_metrics(db); });
    r.get("/metrics", [&metrics](http::Request&) {
        return http::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    }, {.inline_ok = true});
}

}  // namespace idara::api
