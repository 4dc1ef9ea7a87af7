// The e-mail outbox: queued in the caller's transaction, claimed with a lease, sent
// outside any transaction, outcome recorded.
#include "outgoing/mailer.hpp"

#include "storage/blob_store.hpp"

#include <algorithm>

namespace idara::outgoing {

using storage::Tx;

namespace {

constexpr std::int64_t kMaxBackoffMs = 6LL * 3600 * 1000;

MailStatus status_of(std::string_view s) {
    if (s == "sent") return MailStatus::sent;
    if (s == "failed") return MailStatus::failed;
    return MailStatus::queued;
}

storage::Value opt(const std::optional<std::string>& v) { return v ? storage::Value(*v) : storage::Value(nullptr); }

}  // namespace

std::string_view mail_status_name(MailStatus s) {
    switch (s) {
        case MailStatus::queued: return "queued";
        case MailStatus::sent: return "sent";
        case MailStatus::failed: return "failed";
    }
    return "queued";
}

Result<std::int64_t> queue_mail(Tx& tx, const QueuedMail& m, std::int64_t now_ms) {
    if (!email_ok(m.to)) return Error{"outgoing.recipient_email", 400, m.to};
    auto row = tx.query_one(
        "INSERT INTO outgoing_mail (letter_id, recipient, subject, text, attachment_name, attachment_blob, status, "
        "attempts, last_error, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, '', $7, $7) "
        "RETURNING id",
        {m.letter_id ? storage::Value(*m.letter_id) : storage::Value(nullptr), m.to, m.subject, m.text,
         m.attachment_name, opt(m.attachment_blob), now_ms});
    if (!row) return row.error();
    return (*row)->as_int(0);
}

struct Mailer::Impl {
    storage::Database& db;
    storage::BlobStore& blobs;
    std::unique_ptr<MailTransport> transport;
    MailConfig c;

    // A claimed message: its content, read after the claim.
    struct Claimed {
        std::int64_t id = 0, attempts = 0;
        MailMessage msg;
    };

    std::int64_t lease_ms() const { return 2 * c.timeout.count() + 60'000; }
    Result<std::vector<std::int64_t>> claim(std::int64_t now_ms, int limit);
    Result<Claimed> load(std::int64_t id);
    Status record(const Claimed& m, const Status& outcome, std::int64_t now_ms, DeliveryReport& report);
};

Result<std::vector<std::int64_t>> Mailer::Impl::claim(std::int64_t now_ms, int limit) {
    return db.write<std::vector<std::int64_t>>([&](Tx& tx) -> Result<std::vector<std::int64_t>> {
        auto rows = tx.query("SELECT id FROM outgoing_mail WHERE status = 'queued' AND next_attempt_at <= $1 "
                             "ORDER BY next_attempt_at, id LIMIT $2",
                             {now_ms, std::int64_t{limit}});
        if (!rows) return rows.error();
        std::vector<std::int64_t> ids;
        for (const auto& r : *rows) {
            // The lease: another worker's claim of the same row changes nothing here.
            auto up = tx.exec("UPDATE outgoing_mail SET next_attempt_at = $1 WHERE id = $2 AND status = 'queued' "
                              "AND next_attempt_at <= $3",
                              {now_ms + lease_ms(), r.as_int(0), now_ms});
            if (!up) return up.error();
            if (*up == 1) ids.push_back(r.as_int(0));
        }
        return ids;
    });
}

Result<Mailer::Impl::Claimed> Mailer::Impl::load(std::int64_t id) {
    return db.read<Claimed>([&](Tx& tx) -> Result<Claimed> {
        auto row = tx.query_one("SELECT recipient, subject, text, attachment_name, attachment_blob, attempts "
                                "FROM outgoing_mail WHERE id = $1",
                                {id});
        if (!row) return row.error();
        if (!*row) return errors::not_found("mail " + std::to_string(id));
        const auto& r = **row;
        Claimed m{id, r.as_int(5), MailMessage{r.as_text(0), r.as_text(1), r.as_text(2), r.as_text(3), {}}};
        if (auto digest = r.opt_text(4)) {
            auto bytes = blobs.get(tx, *digest);
            if (!bytes) return bytes.error();
            if (!*bytes) return Error{"storage.corrupt", 500, "attachment blob missing " + *digest};
            m.msg.attachment = std::move(**bytes);
        }
        return m;
    });
}

Status Mailer::Impl::record(const Claimed& m, const Status& outcome, std::int64_t now_ms, DeliveryReport& report) {
    return db.write_tx([&](Tx& tx) -> Status {
        const std::int64_t attempts = m.attempts + 1;
        Result<std::int64_t> up = std::int64_t{0};
        if (outcome) {
            up = tx.exec("UPDATE outgoing_mail SET status = 'sent', attempts = $1, sent_at = $2, last_error = '' "
                         "WHERE id = $3",
                         {attempts, now_ms, m.id});
            ++report.sent;
        } else {
            const bool last = attempts >= c.max_attempts;
            const std::int64_t shift = std::min<std::int64_t>(attempts - 1, 20);
            const std::int64_t wait = std::min<std::int64_t>(c.backoff.count() << shift, kMaxBackoffMs);
            std::string why = outcome.error().code + ": " + outcome.error().detail;
            up = tx.exec("UPDATE outgoing_mail SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4 "
                         "WHERE id = $5",
                         {std::string(last ? "failed" : "queued"), attempts, why, now_ms + wait, m.id});
            ++(last ? report.failed : report.retrying);
        }
        if (!up) return up.error();
        return {};
    });
}

Mailer::Mailer(storage::Database& db, storage::BlobStore& blobs, std::unique_ptr<MailTransport> transport, MailConfig c)
    : impl_(std::make_unique<Impl>(Impl{db, blobs, std::move(transport), std::move(c)})) {}
Mailer::~Mailer() = default;

Result<DeliveryReport> Mailer::deliver_pending(std::int64_t now_ms, int limit) {
    auto ids = impl_->claim(now_ms, std::clamp(limit, 1, 1000));
    if (!ids) return ids.error();
    DeliveryReport report;
    for (const auto id : *ids) {
        auto m = impl_->load(id);
        if (!m) return m.error();  // stays claimed until the lease passes, then is tried again
        const Status outcome = impl_->transport->send(m->msg);
        if (auto s = impl_->record(*m, outcome, now_ms, report); !s) return s.error();
    }
    return report;
}

Result<std::vector<MailRecord>> Mailer::for_letter(std::int64_t letter_id) {
    return impl_->db.read<std::vector<MailRecord>>([&](Tx& tx) -> Result<std::vector<MailRecord>> {
        auto rows = tx.query("SELECT id, letter_id, recipient, subject, status, attempts, last_error, next_attempt_at, "
                             "sent_at FROM outgoing_mail WHERE letter_id = $1 ORDER BY id",
                             {letter_id});
        if (!rows) return rows.error();
        std::vector<MailRecord> out;
        for (const auto& r : *rows)
            out.push_back({r.as_int(0), r.opt_int(1), r.as_text(2), r.as_text(3), status_of(r.as_text(4)), r.as_int(5),
                           r.as_text(6), r.as_int(7), r.opt_int(8)});
        return out;
    });
}

Status Mailer::requeue(std::int64_t mail_id, std::int64_t now_ms) {
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto up = tx.exec("UPDATE outgoing_mail SET status = 'queued', attempts = 0, next_attempt_at = $1 WHERE id = $2 AND "
                          "status = 'failed'",
                          {now_ms, mail_id});
        if (!up) return up.error();
        if (*up != 1) return errors::not_found("no failed mail " + std::to_string(mail_id));
        return {};
    });
}

}  // namespace idara::outgoing
