// Internal to the registry: the service state and the helpers its files share.
#pragma once

#include "identity/service.hpp"
#include "identity/throttle.hpp"
#include "registry/deposit.hpp"
#include "registry/numbering.hpp"
#include "registry/sequencer.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"

#include <memory>
#include <mutex>

namespace idara::registry {

// Characters of a PDF attachment's text kept in the search index.
inline constexpr std::size_t kIndexedPdfChars = 100'000;

namespace detail {
std::int64_t due_date(std::int64_t registered_at_ms, int days, bool working_days);
}

struct DepositService::Impl {
    Impl(storage::Database& d, storage::BlobStore& b, trust::KeyStore& k, identity::Service& i, DepositOptions o,
         const Clock& c)
        : db(d), blobs(b), keys(k), ids(i), opts(std::move(o)), clock(c),
          track_throttle({.max_failures_per_login = opts.track_failures_per_number,
                          .max_failures_per_ip = opts.track_failures_per_client,
                          .window = opts.track_window},
                         c) {}
    storage::Database& db;
    storage::BlobStore& blobs;
    trust::KeyStore& keys;
    identity::Service& ids;
    DepositOptions opts;
    const Clock& clock;

    identity::LoginThrottle track_throttle;
    Sequencer sequencer;                     // provisional numbers for receipts rendered ahead  // failed tracking attempts (number, client)
    std::mutex hook_mu;
    std::function<Status(Step)> hook;  // tests only

    Status step(Step s);
    std::int64_t due(std::int64_t registered_at_ms, int days, bool working_days) const {
        return opts.due_date ? opts.due_date(registered_at_ms, days, working_days)
                             : detail::due_date(registered_at_ms, days, working_days);
    }
};

namespace detail {

// The receiving side of a deposit, resolved inside the transaction.
struct Receiver {
    std::int64_t administration_id = 0;
    std::string code, name_ar, name_fr, contact;
    std::optional<std::int64_t> unit_id;
    std::string unit_code, unit_name_ar, unit_name_fr;
    DepositType type;
    // Everything the receipt prints about the receiver: a receipt rendered ahead for one
    // Receiver is good for another only when they are equal.
    bool operator==(const Receiver&) const = default;
};

// What the receipt says, gathered before rendering.
struct ReceiptFacts {
    std::string register_number;
    std::string tracking_code;
    std::int64_t registered_at_ms = 0;
    std::int64_t due_at_ms = 0;
    Channel channel = Channel::portal;
    std::string depositor;
    std::string subject, body;
    std::vector<CheckedFile> const* files = nullptr;
    Receiver const* receiver = nullptr;
};

// SHA-256 (hex) of the registered facts in a fixed, versioned text form; it is what
// the QR signs, so it must never change for existing receipts ("idara-receipt-v1").
std::string facts_digest(const ReceiptFacts& f);

// Renders and seals the receipt. The QR payload is signed with the administration's key.
Result<std::string> render_receipt(const ReceiptFacts& f, const std::string& digest, const trust::SealKeys& keys,
                                   const std::string& public_url, const std::function<Status(Step)>& step);

// The due date: `days` calendar days, or working days (Monday–Friday; public holidays
// come with the processing issue) after the registration, at the same time of day.
std::int64_t due_date(std::int64_t registered_at_ms, int days, bool working_days);

Result<DepositType> find_type(storage::Tx& tx, std::int64_t administration_id, std::string_view code);

// The receiving unit (the one asked for, else the registry office "BO") and the deposit type.
Result<Receiver> resolve_receiver(storage::Tx& tx, const identity::Administration& adm, const NewDeposit& d);
// The administration's seal and QR keys, made on first need inside the transaction.
Result<std::shared_ptr<const trust::SealKeys>> seal_keys(trust::KeyStore& keys, storage::Tx& tx, const Receiver& rc);

// The status column ('registered' / 'cancelled', a CHECK constraint keeps it to these).
inline EntryStatus status_of(std::string_view column) {
    return column == "cancelled" ? EntryStatus::cancelled : EntryStatus::registered;
}

// Entry rows: the columns every reader selects, and the row → Entry mapping (without
// attachments and events).
extern const char* const kEntryColumns;
Entry entry_from_row(const storage::Row& r);

}  // namespace detail
}  // namespace idara::registry
