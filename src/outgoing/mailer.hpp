// E-mail delivery of outgoing letters: an outbox table written inside the approval
// transaction (queue_mail), and a Mailer that sends what is due outside any transaction.
//
// Transport: SMTP through libcurl with TLS REQUIRED — smtp:// URLs must upgrade with
// STARTTLS (CURLUSESSL_ALL: a server that does not offer it fails the delivery, there is
// no plaintext fallback), smtps:// URLs use implicit TLS. The server certificate and host
// name are always verified (ca_file, else the system store). The message is MIME:
// a text/plain UTF-8 part and the sealed PDF as a base64 application/pdf attachment;
// the subject is an RFC 2047 encoded word when it is not ASCII.
//
// Outbox: a message is 'queued' until sent ('sent', with the time) or until it has failed
// max_attempts times ('failed': kept with the last error; requeue() puts it back). After a
// failed attempt it stays queued with attempts, last_error and next_attempt_at = now +
// backoff * 2^(attempts-1) (at most 6 hours). deliver_pending() first claims the due
// messages (a lease on next_attempt_at, so two workers never send one message at once),
// then sends each and records the outcome. A crash between sending and recording sends the
// message again after the lease: delivery is at least once, never lost.
//
// Errors: outgoing.mail_config (500: bad URL scheme or from address), outgoing.mail_send
// (503: the transport failed; detail = curl's message), outgoing.recipient_email (400),
// and storage errors.
//
// Thread-safety: a transport and a Mailer may be used from any number of threads.
#pragma once

#include "core/error.hpp"
#include "storage/db.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::storage {
class BlobStore;
}

namespace idara::outgoing {

struct MailConfig {
    std::string smtp_url;   // "smtp://mail.example.ma:587" (STARTTLS) or "smtps://mail.example.ma:465"
    std::string from;       // the envelope and From address, e.g. "bureau.ordre@idara.gov.ma"
    std::string user, password;  // SMTP AUTH when user is not empty
    std::string ca_file;    // PEM file of trusted CAs; "" = the system store
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    int max_attempts = 8;
    std::chrono::milliseconds backoff = std::chrono::minutes(1);
};

struct MailMessage {
    std::string to;               // one address
    std::string subject;          // UTF-8, one line
    std::string text;             // UTF-8 body
    std::string attachment_name;  // "" = no attachment
    std::string attachment;       // PDF bytes
};

// Sends one message. Implementations: SMTP (below); tests may inject others.
class MailTransport {
public:
    virtual ~MailTransport() = default;
    virtual Status send(const MailMessage& m) = 0;
};

Result<std::unique_ptr<MailTransport>> make_smtp_transport(const MailConfig& c);

// Whether `s` is an address we send to: local@domain.tld, ASCII, 3..254 characters,
// no spaces, quotes, angle brackets or control characters.
bool email_ok(std::string_view s);

// Puts a message in the outbox, in the caller's write transaction; due at once.
struct QueuedMail {
    std::optional<std::int64_t> letter_id;
    std::string to, subject, text;
    std::string attachment_name;
    std::optional<std::string> attachment_blob;  // a blob digest
};
Result<std::int64_t> queue_mail(storage::Tx& tx, const QueuedMail& m, std::int64_t now_ms);

enum class MailStatus { queued, sent, failed };
std::string_view mail_status_name(MailStatus s);  // "queued", "sent", "failed"

struct MailRecord {
    std::int64_t id = 0;
    std::optional<std::int64_t> letter_id;
    std::string to, subject;
    MailStatus status = MailStatus::queued;
    std::int64_t attempts = 0;
    std::string last_error;
    std::int64_t next_attempt_at_ms = 0;
    std::optional<std::int64_t> sent_at_ms;
};

struct DeliveryReport {
    int sent = 0;     // delivered now
    int retrying = 0; // failed now, queued again
    int failed = 0;   // failed now for the last time
};

class Mailer {
public:
    Mailer(storage::Database& db, storage::BlobStore& blobs, std::unique_ptr<MailTransport> transport, MailConfig c);
    ~Mailer();

    // Sends up to `limit` messages due at `now_ms`, one after the other, outside any transaction.
    Result<DeliveryReport> deliver_pending(std::int64_t now_ms, int limit = 20);
    // The outbox rows of a letter (oldest first).
    Result<std::vector<MailRecord>> for_letter(std::int64_t letter_id);
    // A failed message queued again (operator action); resource.not_found otherwise.
    Status requeue(std::int64_t mail_id, std::int64_t now_ms);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::outgoing
