#include "registry/numbering.hpp"

#include <unicode/calendar.h>
#include <unicode/timezone.h>

#include <charconv>
#include <cstdio>
#include <memory>

namespace idara::registry {

namespace {

std::string_view register_key(Register r) { return r == Register::incoming ? "in" : "out"; }

bool valid_code(std::string_view c) {
    if (c.empty() || c.size() > 32) return false;
    for (char ch : c)
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
    return true;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

std::string RegisterNumber::text() const {
    char seq[24];
    std::snprintf(seq, sizeof seq, "%06lld", static_cast<long long>(sequence));
    return administration_code + (reg == Register::outgoing ? "-S-" : "-") + std::to_string(year) + "-" + seq;
}

int casablanca_year(std::chrono::system_clock::time_point at) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone("Africa/Casablanca"));
    std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(tz.release(), icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) throw std::runtime_error("ICU calendar unavailable");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    cal->setTime(static_cast<UDate>(ms), status);
    const int year = cal->get(UCAL_EXTENDED_YEAR, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU calendar failed");
    return year;
}

Result<RegisterNumber> allocate(storage::Tx& tx, const identity::TenantScope& scope, Register reg,
                                std::chrono::system_clock::time_point at) {
    auto adm = tx.query_one("SELECT code FROM administrations WHERE id = $1", {scope.administration_id()});
    if (!adm) return adm.error();
    if (!*adm) return errors::not_found("administration");
    const int year = casablanca_year(at);
    auto row = tx.query_one(
        "INSERT INTO register_counters (administration_id, register, year, last) VALUES ($1, $2, $3, 1) "
        "ON CONFLICT (administration_id, register, year) DO UPDATE SET last = register_counters.last + 1 "
        "RETURNING last",
        {scope.administration_id(), std::string(register_key(reg)), std::int64_t{year}});
    if (!row) return row.error();
    return RegisterNumber{(*adm)->as_text(0), reg, year, (**row).as_int(0)};
}

std::optional<RegisterNumber> parse_register_number(std::string_view s) {
    // CODE-YYYY-NNNNNN or CODE-S-YYYY-NNNNNN; the code itself has no '-'.
    auto dash = s.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    RegisterNumber n;
    n.administration_code = std::string(s.substr(0, dash));
    std::string_view rest = s.substr(dash + 1);
    if (rest.substr(0, 2) == "S-") {
        n.reg = Register::outgoing;
        rest.remove_prefix(2);
    }
    auto dash2 = rest.find('-');
    if (dash2 != 4) return std::nullopt;
    const std::string_view seq = rest.substr(5);
    if (!valid_code(n.administration_code) || seq.size() < 6 || seq.size() > 12) return std::nullopt;
    if (!parse_number(rest.substr(0, 4), n.year) || !parse_number(seq, n.sequence)) return std::nullopt;
    if (n.year < 2000 || n.sequence < 1) return std::nullopt;
    return n;
}

}  // namespace idara::registry
