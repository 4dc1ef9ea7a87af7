// The gateway's message log (exchange/msglog.hpp): group-committed appends, the time-stamper
// thread and its health, operational data.
//
// Group commit: append() prepares the stored form of its record on the caller's thread (body
// mode applied, JSON of everything but the id), enqueues it and waits. One writer thread takes
// everything queued (up to kMaxGroup items), assigns consecutive record ids, computes the leaf
// hashes and inserts records and operational rows in one transaction, then wakes the waiters
// with the common outcome. The database uses WAL with synchronous=FULL: an append returns only
// once its record is on disk, which is what the log promises; group commit pays one fsync per
// group, not per exchange, so durability costs little throughput.
//
// Stamping: records with batch_id NULL (oldest first, at most kMaxStampBatch) are read, their
// root computed and time-stamped outside any transaction, then the batch is stored and the
// records marked in one transaction that checks none of them was stamped meanwhile.
// The oldest un-stamped at_ms is kept in memory (oldest_ms_); the writer lowers it after each
// commit and the stamper recomputes it inside its transaction, both under oldest_mu_, so no
// record committed between the two is forgotten.
#include "exchange/msglog.hpp"
#include "exchange/msglog_record.hpp"
#include "exchange/msglog_store.hpp"

#include "core/utf8.hpp"
#include "journal/merkle.hpp"

#include <sodium.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace idara::exchange {

namespace {

using msglog::StoredRecord;

constexpr std::size_t kMaxGroup = 4096;
constexpr int kMaxStampBatch = 100000;

Error unavailable(std::string detail) { return Error{"exchange.log_unavailable", 503, std::move(detail)}; }

std::string_view direction_name(Direction d) { return d == Direction::client ? "client" : "server"; }

std::string_view body_mode_name(BodyMode m) {
    switch (m) {
    case BodyMode::keep: return "keep";
    case BodyMode::omit: return "omit";
    case BodyMode::encrypt: return "encrypt";
    }
    return "keep";
}

struct Item {
    bool has_record = false;
    StoredRecord rec;
    std::string tail;  // record_json_tail(rec)
    OpRecord op;
    Status result;
    bool done = false;
};

storage::Value opt_blob(std::optional<std::string>& b) {
    if (!b) return nullptr;
    return storage::Blob{std::move(*b)};
}

storage::Value hash_blob(const journal::Hash& h) {
    return storage::Blob{std::string(reinterpret_cast<const char*>(h.data()), h.size())};
}

class Log final : public MessageLog {
public:
    Log(GatewayConfig cfg, TsaProvider tsa, const Clock& clock, std::unique_ptr<storage::Database> db,
        std::string seal_key)
        : cfg_(std::move(cfg)), tsa_(std::move(tsa)), clock_(clock), db_(std::move(db)), seal_key_(std::move(seal_key)) {}

    ~Log() override {
        stop();
        {
            std::lock_guard lk(mu_);
            writer_stop_ = true;
        }
        cv_work_.notify_all();
        if (writer_.joinable()) writer_.join();
    }

    Status init() {
        auto s = db_->write_tx([](storage::Tx& tx) { return tx.exec_script(msglog::kSchema); });
        if (!s) return unavailable("schema: " + s.error().code + ": " + s.error().detail);
        auto st = db_->read_tx([this](storage::Tx& tx) -> Status {
            auto oldest = tx.query_one("SELECT MIN(at_ms) FROM records WHERE batch_id IS NULL");
            if (!oldest) return oldest.error();
            oldest_ms_ = (*oldest && !(*oldest)->is_null(0)) ? (*oldest)->as_int(0) : 0;
            auto last = tx.query_one("SELECT stamped_at_ms FROM batches ORDER BY id DESC LIMIT 1");
            if (!last) return last.error();
            if (*last) last_stamp_ms_ = (*last)->as_int(0);
            return {};
        });
        if (!st) return unavailable("reading state: " + st.error().code + ": " + st.error().detail);
        writer_ = std::thread([this] { writer_loop(); });
        return {};
    }

    Status append(const LogRecord& r, const OpRecord& op) override {
        Item it;
        auto prepared = prepare(r);
        if (!prepared) return prepared.error();
        it.has_record = true;
        it.rec = std::move(*prepared);
        it.tail = msglog::record_json_tail(it.rec);
        it.op = op;
        return enqueue(it);
    }

    Status append_op(const OpRecord& op) override {
        Item it;
        it.op = op;
        return enqueue(it);
    }

    Status stamp_pending() override;

    TimestampHealth health() const override {
        TimestampHealth h;
        h.now_ms = clock_.now_ms();
        h.oldest_unstamped_ms = oldest_ms_.load();
        h.last_stamp_ms = last_stamp_ms_.load();
        h.accepting = h.oldest_unstamped_ms == 0 ||
                      h.now_ms - h.oldest_unstamped_ms <= cfg_.log.timestamp_grace_seconds * 1000;
        std::lock_guard lk(err_mu_);
        h.last_error = last_error_;
        return h;
    }

    Result<std::string> opdata_json(std::int64_t since_ms, int limit) const override {
        return msglog::opdata_query(*db_, since_ms, limit);
    }

    Result<int> archive() override {
        std::lock_guard lk(archive_mu_);
        return msglog::archive_batches(*db_, cfg_.dir);
    }

    void start() override {
        std::lock_guard lk(ctl_mu_);
        if (stamper_.joinable()) return;
        {
            std::lock_guard s(stamp_cv_mu_);
            stamper_stop_ = false;
        }
        stamper_ = std::thread([this] { stamper_loop(); });
    }

    void stop() override {
        std::lock_guard lk(ctl_mu_);
        {
            std::lock_guard s(stamp_cv_mu_);
            stamper_stop_ = true;
        }
        stamp_cv_.notify_all();
        if (stamper_.joinable()) stamper_.join();
    }

private:
    Result<StoredRecord> prepare(const LogRecord& r) const;
    Status enqueue(Item& it);
    void writer_loop();
    Status commit(std::vector<Item*>& items, std::int64_t& min_at);
    void stamper_loop();
    void set_error(std::string e) {
        std::lock_guard lk(err_mu_);
        last_error_ = std::move(e);
    }

    const GatewayConfig cfg_;
    const TsaProvider tsa_;
    const Clock& clock_;
    const std::unique_ptr<storage::Database> db_;
    const std::string seal_key_;  // X25519 public key (32 bytes) when body_mode = encrypt

    std::mutex mu_;  // guards queue_ and writer_stop_ (and Item::result/done of queued items)
    std::condition_variable cv_work_, cv_done_;
    std::deque<Item*> queue_;
    bool writer_stop_ = false;
    std::thread writer_;

    std::mutex oldest_mu_;  // orders the writer's and the stamper's updates of oldest_ms_
    std::atomic<std::int64_t> oldest_ms_{0};
    std::atomic<std::int64_t> last_stamp_ms_{0};
    mutable std::mutex err_mu_;
    std::string last_error_;  // guarded by err_mu_

    std::mutex stamp_mu_;    // one stamping round at a time
    std::mutex archive_mu_;  // one archiving run at a time
    std::mutex ctl_mu_;      // start/stop
    std::mutex stamp_cv_mu_;
    std::condition_variable stamp_cv_;
    bool stamper_stop_ = false;  // guarded by stamp_cv_mu_
    std::thread stamper_;
};

Result<StoredRecord> Log::prepare(const LogRecord& r) const {
    for (const std::string* f : {&r.query_id, &r.client, &r.service, &r.request_canonical, &r.request_signature,
                                 &r.response_canonical, &r.response_signature})
        if (!utf8::valid(*f)) return unavailable("a text field of the record is not valid UTF-8 (or holds NUL)");
    StoredRecord s;
    s.direction = direction_name(r.direction);
    s.query_id = r.query_id;
    s.client = r.client;
    s.service = r.service;
    s.at_ms = r.at_ms != 0 ? r.at_ms : clock_.now_ms();
    s.request_canonical = r.request_canonical;
    s.request_signature = r.request_signature;
    s.response_canonical = r.response_canonical;
    s.response_signature = r.response_signature;
    s.body_mode = body_mode_name(cfg_.log.body_mode);
    switch (cfg_.log.body_mode) {
    case BodyMode::keep:
        s.request_body = r.request_body;
        s.response_body = r.response_body;
        break;
    case BodyMode::omit: break;
    case BodyMode::encrypt: {
        const auto* pk = reinterpret_cast<const unsigned char*>(seal_key_.data());
        auto seal = [pk](const std::string& m) {
            std::string c(m.size() + crypto_box_SEALBYTES, '\0');
            crypto_box_seal(reinterpret_cast<unsigned char*>(c.data()), reinterpret_cast<const unsigned char*>(m.data()),
                            m.size(), pk);
            return c;
        };
        s.request_body = seal(r.request_body);
        s.response_body = seal(r.response_body);
        break;
    }
    }
    return s;
}

Status Log::enqueue(Item& it) {
    std::unique_lock lk(mu_);
    if (writer_stop_) return unavailable("the message log is closed");
    queue_.push_back(&it);
    cv_work_.notify_one();
    cv_done_.wait(lk, [&it] { return it.done; });
    return it.result;
}

void Log::writer_loop() {
    std::unique_lock lk(mu_);
    for (;;) {
        cv_work_.wait(lk, [this] { return !queue_.empty() || writer_stop_; });
        if (queue_.empty()) return;  // stopping, nothing left
        std::vector<Item*> group;
        while (!queue_.empty() && group.size() < kMaxGroup) {
            group.push_back(queue_.front());
            queue_.pop_front();
        }
        lk.unlock();
        std::int64_t min_at = 0;
        Status s = commit(group, min_at);
        if (s && min_at != 0) {
            std::lock_guard o(oldest_mu_);
            const std::int64_t cur = oldest_ms_.load();
            if (cur == 0 || min_at < cur) oldest_ms_ = min_at;
        }
        lk.lock();
        for (Item* it : group) {
            it->result = s;
            it->done = true;
        }
        cv_done_.notify_all();
    }
}

Status Log::commit(std::vector<Item*>& items, std::int64_t& min_at) {
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        min_at = 0;
        // Ids are consecutive across the log's whole life: after the highest record still here
        // and after the last batch (whose records may have been archived away).
        auto a = tx.query_one("SELECT MAX(id) FROM records");
        if (!a) return a.error();
        auto b = tx.query_one("SELECT last_record FROM batches ORDER BY id DESC LIMIT 1");
        if (!b) return b.error();
        std::int64_t next = std::max((*a && !(*a)->is_null(0)) ? (*a)->as_int(0) : 0, *b ? (*b)->as_int(0) : 0) + 1;
        for (Item* it : items) {
            if (it->has_record) {
                StoredRecord& r = it->rec;
                r.id = next++;
                const journal::Hash leaf = journal::leaf_hash("{\"id\":" + std::to_string(r.id) + it->tail);
                if (min_at == 0 || r.at_ms < min_at) min_at = r.at_ms;
                auto ins = tx.exec(
                    "INSERT INTO records (id, direction, query_id, client, service, at_ms, request_canonical, "
                    "request_signature, response_canonical, response_signature, request_body, response_body, "
                    "body_mode, leaf_hash, batch_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,NULL)",
                    {r.id, r.direction, r.query_id, r.client, r.service, r.at_ms, r.request_canonical,
                     r.request_signature, r.response_canonical, r.response_signature, opt_blob(r.request_body),
                     opt_blob(r.response_body), r.body_mode, hash_blob(leaf)});
                if (!ins) return ins.error();
            }
            const OpRecord& o = it->op;
            auto ins = tx.exec(
                "INSERT INTO op_records (direction, query_id, client, service, user_id, peer_gateway, start_ms, "
                "end_ms, request_bytes, response_bytes, success, status, error_type) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                {std::string(direction_name(o.direction)), o.query_id, o.client, o.service, o.user_id,
                 o.peer_gateway, o.start_ms, o.end_ms, o.request_bytes, o.response_bytes,
                 std::int64_t{o.success ? 1 : 0}, std::int64_t{o.status}, o.error_type});
            if (!ins) return ins.error();
        }
        return {};
    });
    if (!s) return unavailable(s.error().code + ": " + s.error().detail);
    return {};
}

Status Log::stamp_pending() {
    std::lock_guard guard(stamp_mu_);
    struct Pending {
        std::vector<journal::Hash> leaves;
        std::int64_t first = 0, last = 0;
    };
    auto pending = db_->read<Pending>([](storage::Tx& tx) -> Result<Pending> {
        auto rows = tx.query("SELECT id, leaf_hash FROM records WHERE batch_id IS NULL ORDER BY id LIMIT $1",
                             {std::int64_t{kMaxStampBatch}});
        if (!rows) return rows.error();
        Pending p;
        p.leaves.reserve(rows->size());
        for (const auto& row : *rows) {
            journal::Hash h{};
            const auto bytes = row.as_blob(1).bytes;
            if (bytes.size() == h.size()) std::copy(bytes.begin(), bytes.end(), h.begin());
            p.leaves.push_back(h);
        }
        if (!rows->empty()) {
            p.first = rows->front().as_int(0);
            p.last = rows->back().as_int(0);
        }
        return p;
    });
    if (!pending) {
        set_error("reading un-stamped records: " + pending.error().detail);
        return unavailable(pending.error().code + ": " + pending.error().detail);
    }
    if (pending->leaves.empty()) {
        set_error("");
        return {};
    }
    const journal::Hash root = journal::root_of(pending->leaves);
    std::shared_ptr<trust::TimeStamper> tsa = tsa_ ? tsa_() : nullptr;
    if (!tsa) {
        set_error("no time-stamping authority is configured");
        return Error{"trust.tsa_unavailable", 503, "no time-stamping authority is configured"};
    }
    auto token = tsa->timestamp(std::span<const unsigned char, 32>(root.data(), root.size()));
    if (!token) {
        set_error("time-stamping failed: " + token.error().code + ": " + token.error().detail);
        return token.error();
    }
    const std::int64_t now = clock_.now_ms();
    std::lock_guard o(oldest_mu_);
    std::int64_t new_oldest = 0;
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        auto id = tx.query_one(
            "INSERT INTO batches (first_record, last_record, root, token, stamped_at_ms, archived) "
            "VALUES ($1,$2,$3,$4,$5,0) RETURNING id",
            {pending->first, pending->last, hash_blob(root), storage::Blob{*token}, now});
        if (!id) return id.error();
        auto n = tx.exec("UPDATE records SET batch_id = $1 WHERE id BETWEEN $2 AND $3 AND batch_id IS NULL",
                         {(*id)->as_int(0), pending->first, pending->last});
        if (!n) return n.error();
        if (*n != static_cast<std::int64_t>(pending->leaves.size()))
            return unavailable("records changed while they were being stamped");
        auto oldest = tx.query_one("SELECT MIN(at_ms) FROM records WHERE batch_id IS NULL");
        if (!oldest) return oldest.error();
        new_oldest = (*oldest && !(*oldest)->is_null(0)) ? (*oldest)->as_int(0) : 0;
        return {};
    });
    if (!s) {
        set_error("storing the batch: " + s.error().detail);
        return s.error().code == "exchange.log_unavailable" ? s.error()
                                                            : unavailable(s.error().code + ": " + s.error().detail);
    }
    oldest_ms_ = new_oldest;
    last_stamp_ms_ = now;
    set_error("");
    return {};
}

void Log::stamper_loop() {
    const auto interval = std::chrono::seconds(std::max<std::int64_t>(1, cfg_.log.timestamp_interval_seconds));
    std::unique_lock lk(stamp_cv_mu_);
    while (!stamper_stop_) {
        if (stamp_cv_.wait_for(lk, interval, [this] { return stamper_stop_; })) break;
        lk.unlock();
        (void)stamp_pending();  // the outcome is in health()
        lk.lock();
    }
}

}  // namespace

Result<std::unique_ptr<MessageLog>> open_message_log(const GatewayConfig& cfg, TsaProvider tsa, const Clock& clock) {
    if (sodium_init() < 0) return unavailable("libsodium failed to initialise");
    std::string seal_key;
    if (cfg.log.body_mode == BodyMode::encrypt) {
        auto pk = msglog::b64_decode(cfg.log.log_public_key_b64);
        if (!pk || pk->size() != crypto_box_PUBLICKEYBYTES)
            return Error{"exchange.bad_gateway_config", 400,
                         "log.log_public_key must be a base64 X25519 public key (32 bytes) when body_mode = \"encrypt\""};
        seal_key = std::move(*pk);
    }
    auto db = msglog::open_log_db(cfg.dir, true);
    if (!db) return db.error();
    auto log = std::make_unique<Log>(cfg, std::move(tsa), clock, std::move(*db), std::move(seal_key));
    if (auto s = log->init(); !s) return s.error();
    return std::unique_ptr<MessageLog>(std::move(log));
}

}  // namespace idara::exchange
