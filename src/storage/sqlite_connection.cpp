#include "storage/sqlite_connection.hpp"

#include "storage/tx_guard.hpp"

#include <cctype>

namespace idara::storage::sqlite {

Error to_error(int rc, sqlite3* db, std::string_view what, bool reader) {
    std::string detail = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT: return {"storage.conflict", 409, std::move(detail)};
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return {"storage.busy", 503, std::move(detail)};
        case SQLITE_READONLY:
            if (reader) return {"storage.query", 500, "write in a read transaction: " + detail};
            return {"storage.unavailable", 503, std::move(detail)};
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return {"storage.unavailable", 503, std::move(detail)};
        default: return {"storage.query", 500, std::move(detail)};
    }
}

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || (c & 0x80); }

// The index just past the quoted run or comment starting at i, or i when none starts there.
std::size_t skip_quoted(std::string_view sql, std::size_t i) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
        const char close = c == '[' ? ']' : c;
        const auto end = sql.find(close, i + 1);  // a doubled quote is two adjacent runs
        return end == std::string_view::npos ? sql.size() : end + 1;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
        const auto end = sql.find('\n', i);
        return end == std::string_view::npos ? sql.size() : end + 1;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
        const auto end = sql.find("*/", i + 2);
        return end == std::string_view::npos ? sql.size() : end + 2;
    }
    return i;
}

}  // namespace

std::string rewrite_placeholders(std::string_view sql) {
    std::string out(sql);
    for (std::size_t i = 0; i < sql.size();) {
        if (const auto next = skip_quoted(sql, i); next != i) {
            i = next;
            continue;
        }
        const bool placeholder = sql[i] == '$' && i + 1 < sql.size() &&
                                 std::isdigit(static_cast<unsigned char>(sql[i + 1])) &&
                                 (i == 0 || !ident_char(sql[i - 1]));
        if (placeholder) out[i] = '?';
        ++i;
    }
    return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const SqliteOptions& o, bool reader) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(o.path.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);  // sqlite3_open_v2 returns a handle to close even on failure
    if (rc != SQLITE_OK) return to_error(rc, raw, "open " + o.path);
    sqlite3_busy_timeout(raw, o.busy_timeout_ms);
    sqlite3_extended_result_codes(raw, 1);
    auto c = std::make_unique<Connection>(Key{}, std::move(db), reader);
    std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=";
    pragmas += o.synchronous_full ? "FULL;" : "NORMAL;";
    if (reader) pragmas += " PRAGMA query_only=1;";
    if (auto s = c->exec_script(pragmas); !s) return s.error();
    return c;
}

Status Connection::exec_script(std::string_view sql) {
    const std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return error(rc, "script");
    return {};
}

Result<sqlite3_stmt*> Connection::prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
    const std::string text = rewrite_placeholders(sql);
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), text.c_str(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT,
                                &raw, &tail);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return error(rc, "prepare");
    if (!stmt) return Error{"storage.query", 500, "no statement in: " + std::string(sql)};
    // Only whitespace or comments may follow: PostgreSQL refuses several statements too.
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db_.get(), tail, -1, &extra, nullptr);
    StmtPtr more(extra);
    if (rc != SQLITE_OK || more)
        return Error{"storage.query", 500, "several statements in one call (use exec_script): " + std::string(sql)};
    if (cache_.size() >= kCacheLimit) cache_.clear();
    return cache_.emplace(std::string(sql), std::move(stmt)).first->second.get();
}

Status bind_all(sqlite3_stmt* st, const Params& params, const Connection& c) {
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(st))
        return Error{"storage.query", 500,
                     "statement expects " + std::to_string(sqlite3_bind_parameter_count(st)) + " parameters, got " +
                         std::to_string(params.size())};
    if (auto bad = detail::check_params(params)) return *bad;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int idx = static_cast<int>(i + 1);
        const Value& v = params[i];
        int rc = SQLITE_OK;
        if (std::holds_alternative<std::nullptr_t>(v)) rc = sqlite3_bind_null(st, idx);
        else if (auto p = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(st, idx, *p);
        else if (auto d = std::get_if<double>(&v)) rc = sqlite3_bind_double(st, idx, *d);
        else if (auto s = std::get_if<std::string>(&v))
            rc = sqlite3_bind_text64(st, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
        else if (auto b = std::get_if<Blob>(&v))
            rc = b->bytes.empty() ? sqlite3_bind_zeroblob(st, idx, 0)
                                  : sqlite3_bind_blob64(st, idx, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
        if (rc != SQLITE_OK) return c.error(rc, "bind");
    }
    return {};
}

Value column(sqlite3_stmt* st, int i) {
    switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(st, i)};
        case SQLITE_FLOAT: return sqlite3_column_double(st, i);
        case SQLITE_TEXT: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
        }
        case SQLITE_BLOB: {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
            return Blob{p ? std::string(p, n) : std::string()};
        }
        default: return nullptr;
    }
}

}  // namespace idara::storage::sqlite
