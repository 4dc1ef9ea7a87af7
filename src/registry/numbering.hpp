// Register numbers: per administration, per register (incoming / outgoing)
// and per year, gap-free and never reused.
//
//   incoming: MEF-2026-000123        outgoing: MEF-S-2026-000045
//
// allocate() advances the counter inside the caller's write transaction, so a
// number is consumed only if the transaction that uses it commits: a rolled
// back registration leaves no gap. Concurrent allocations for the same
// administration and register are serialised by the database (SQLite's single
// writer, PostgreSQL's row lock on the counter); different administrations do
// not wait for each other on PostgreSQL.
//
// The year is the civil year in Africa/Casablanca at the moment `at`.
#pragma once

#include "core/error.hpp"
#include "identity/principal.hpp"
#include "storage/db.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace idara::registry {

enum class Register { incoming, outgoing };

struct RegisterNumber {
    std::string administration_code;
    Register reg = Register::incoming;
    int year = 0;
    std::int64_t sequence = 0;

    std::string text() const;  // "MEF-2026-000123" / "MEF-S-2026-000045"
    bool operator==(const RegisterNumber&) const = default;
};

// Allocates the next number of `reg` for the scope's administration.
Result<RegisterNumber> allocate(storage::Tx& tx, const identity::TenantScope& scope, Register reg,
                                std::chrono::system_clock::time_point at);

// Parses a register number as printed on receipts (for tracking and verification).
std::optional<RegisterNumber> parse_register_number(std::string_view s);

// The civil year in Africa/Casablanca at `at` (ICU time zone data).
int casablanca_year(std::chrono::system_clock::time_point at);

}  // namespace idara::registry
