#include "storage/db.hpp"
#include "storage/tx_guard.hpp"

#include "core/log.hpp"

#include <charconv>
#include <cmath>

namespace idara::storage {

std::string_view backend_name(Backend b) { return b == Backend::sqlite ? "sqlite" : "postgres"; }

namespace {
[[noreturn]] void mismatch(std::size_t i, const char* want) {
    throw ErrorException(Error{"storage.query", 500, "column " + std::to_string(i) + " is not " + want});
}
}  // namespace

bool Row::is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }

std::int64_t Row::as_int(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto p = std::get_if<std::int64_t>(&v)) return *p;
    if (auto d = std::get_if<double>(&v); d && std::floor(*d) == *d) return static_cast<std::int64_t>(*d);
    if (auto s = std::get_if<std::string>(&v)) {
        std::int64_t out = 0;
        auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
        if (ec == std::errc{} && ptr == s->data() + s->size()) return out;
    }
    mismatch(i, "an integer");
}

double Row::as_double(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto d = std::get_if<double>(&v)) return *d;
    if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
    if (auto s = std::get_if<std::string>(&v)) {
        try {
            std::size_t used = 0;
            double d = std::stod(*s, &used);
            if (used == s->size()) return d;
        } catch (const std::exception&) {
        }
    }
    mismatch(i, "a number");
}

std::string Row::as_text(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
    if (auto b = std::get_if<Blob>(&v)) return b->bytes;
    mismatch(i, "text");
}

Blob Row::as_blob(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto b = std::get_if<Blob>(&v)) return *b;
    if (auto s = std::get_if<std::string>(&v)) return Blob{*s};
    mismatch(i, "a blob");
}

std::optional<std::int64_t> Row::opt_int(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return as_int(i);
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return as_text(i);
}

Result<std::optional<Row>> Tx::query_one(std::string_view sql, const Params& params) {
    auto rows = query(sql, params);
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<Row>{};
    return std::optional<Row>{std::move(rows->front())};
}

Status detail::run_guarded(const std::function<Status(Tx&)>& fn, Tx& tx) {
    try {
        return fn(tx);
    } catch (const ErrorException& e) {
        return e.error();
    } catch (const std::exception& e) {
        return Error{"internal", 500, std::string("exception in transaction: ") + e.what()};
    } catch (...) {
        return Error{"internal", 500, "unknown exception in transaction"};
    }
}

std::optional<Error> detail::check_params(const Params& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto* s = std::get_if<std::string>(&params[i]);
        if (s && s->find('\0') != std::string::npos)
            return Error{"storage.query", 500, "text parameter $" + std::to_string(i + 1) + " holds a NUL byte"};
    }
    return std::nullopt;
}

void detail::run_undo(std::vector<std::function<void()>>& undo) {
    auto hooks = std::move(undo);
    undo.clear();
    for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) {
        try {
            (*it)();
        } catch (const std::exception& e) {
            log::error("storage.undo_failed", {{"error", e.what()}});
        } catch (...) {
            log::error("storage.undo_failed", {{"error", "unknown exception"}});
        }
    }
}

}  // namespace idara::storage
