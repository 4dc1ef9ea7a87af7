// DepositService: construction and the registration transaction.
#include "registry/deposit_impl.hpp"

#include "search/index.hpp"

#include "core/random.hpp"
#include "core/text_normalize.hpp"
#include "core/utf8.hpp"
#include "identity/service.hpp"
#include "journal/journal.hpp"

#include <sodium.h>

#include <algorithm>

namespace idara::registry {

using identity::AccountKind;
using identity::Principal;
using identity::Role;
using storage::Tx;

std::string_view channel_name(Channel c) {
    switch (c) {
        case Channel::portal: return "portal";
        case Channel::administration: return "administration";
        case Channel::counter: return "counter";
        case Channel::assisted: return "assisted";
    }
    return "portal";
}

std::optional<Channel> parse_channel(std::string_view s) {
    for (Channel c : {Channel::portal, Channel::administration, Channel::counter, Channel::assisted})
        if (channel_name(c) == s) return c;
    return std::nullopt;
}

std::string_view status_name(EntryStatus s) { return s == EntryStatus::cancelled ? "cancelled" : "registered"; }

Status DepositService::Impl::step(Step s) {
    std::function<Status(Step)> h;
    {
        std::lock_guard lock(hook_mu);
        h = hook;
    }
    return h ? h(s) : Status{};
}

DepositService::DepositService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                               identity::Service& ids, DepositOptions o, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, blobs, keys, ids, std::move(o), clock)) {}
DepositService::~DepositService() = default;

void DepositService::set_fault_hook(std::function<Status(Step)> hook) {
    std::lock_guard lock(impl_->hook_mu);
    impl_->hook = std::move(hook);
}

namespace {

Error field(const char* code, std::string detail = {}) { return Error{code, 400, std::move(detail)}; }

// Text typed by a person: valid UTF-8, within [min, max] code points, no control characters
// (line breaks allowed where `multiline`).
bool text_ok(std::string_view s, std::size_t min, std::size_t max, bool multiline) {
    auto n = utf8::length(s);
    return n && *n >= min && *n <= max && !utf8::has_controls(s, multiline);
}

bool id_number_ok(std::string_view s) {
    return s.size() >= 4 && s.size() <= 32 &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

bool idempotency_key_ok(std::string_view s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// Eight characters from an alphabet without look-alikes (no 0/O, 1/I), shown as XXXX-XXXX: 40 bits.
std::string new_tracking_code() {
    static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == 4) out += '-';
        out += kAlphabet[raw[i] % 32];
    }
    return out;
}

// The fields of a request that an idempotent retry must repeat exactly.
std::string request_hash(const NewDeposit& d, const std::vector<CheckedFile>& files) {
    std::string s = "v1\n";
    for (const auto& part : {std::string(channel_name(d.channel)), d.administration_code, d.unit_code.value_or(""),
                             d.type_code, d.subject, d.body, d.depositor_name.value_or(""),
                             d.depositor_id_number.value_or("")})
        s += std::to_string(part.size()) + ":" + part + "\n";
    for (const auto& f : files) s += f.name + "\n" + f.sha256 + "\n";
    return random::sha256_hex(s);
}

// Who may use which channel to which administration.
Status check_channel(const Principal& who, const NewDeposit& d, std::int64_t receiver_id) {
    const auto forbidden = [](const char* why) { return Error{"deposit.channel_forbidden", 403, why}; };
    switch (d.channel) {
        case Channel::portal:
            if (who.kind != AccountKind::citizen && who.kind != AccountKind::company)
                return forbidden("portal deposits are for citizens and companies");
            return {};
        case Channel::administration:
            if (!who.is_staff() || !who.administration_id) return forbidden("administration deposits are for staff");
            if (*who.administration_id == receiver_id)
                return forbidden("an administration deposits to another administration");
            return {};
        case Channel::counter:
            if (!who.is_staff() || who.administration_id != receiver_id ||
                !(who.has_role(Role::registry_clerk) || who.has_role(Role::admin)))
                return forbidden("counter deposits are for the receiving administration's registry clerks");
            return {};
        case Channel::assisted:
            if (!who.is_staff() || !who.administration_id || !who.has_role(Role::agent))
                return forbidden("assisted deposits are for agents of an administration");
            return {};
    }
    return forbidden("unknown channel");
}

Status check_fields(NewDeposit& d) {
    d.subject = std::string(text::trim(d.subject));
    if (!text_ok(d.subject, 1, 300, false)) return field("deposit.subject");
    if (!text_ok(d.body, 0, 20000, true)) return field("deposit.body");
    if (d.channel == Channel::counter || d.channel == Channel::assisted) {
        d.depositor_name = std::string(text::trim(d.depositor_name.value_or("")));
        if (!text_ok(*d.depositor_name, 1, 200, false)) return field("deposit.depositor_name");
        if (!id_number_ok(d.depositor_id_number.value_or(""))) return field("deposit.depositor_id_number");
    } else {
        d.depositor_name.reset();
        d.depositor_id_number.reset();
    }
    if (d.idempotency_key && !idempotency_key_ok(*d.idempotency_key)) return field("deposit.idempotency_key");
    if (d.type_code.empty() || d.type_code.size() > 32) return field("deposit.unknown_type");
    return {};
}

std::string depositor_label(const Principal& who, const NewDeposit& d, const identity::Administration* sender) {
    if (d.channel == Channel::counter || d.channel == Channel::assisted) return *d.depositor_name;
    std::string name = who.display_name.empty() ? who.login : who.display_name;
    if (d.channel == Channel::administration && sender) name += " — " + sender->name_fr + " / " + sender->name_ar;
    return name;
}

struct Prior {
    std::string request_hash;
    std::string tracking_code;
    RegisterMatch facts;
};

Result<std::optional<Prior>> find_prior(storage::Database& db, std::int64_t account_id, const std::string& key) {
    return db.read<std::optional<Prior>>([&](Tx& tx) -> Result<std::optional<Prior>> {
        auto row = tx.query_one(
            "SELECT k.request_hash, k.tracking_code, e.register_number, e.registered_at, a.code, e.receipt_digest, "
            "e.receipt_blob, e.status FROM idempotency_keys k JOIN entries e ON e.id = k.entry_id "
            "JOIN administrations a ON a.id = e.administration_id WHERE k.account_id = $1 AND k.key = $2",
            {account_id, key});
        if (!row) return row.error();
        if (!*row) return std::optional<Prior>{};
        const auto& r = **row;
        Prior p{r.as_text(0), r.as_text(1),
                RegisterMatch{r.as_text(2), r.as_int(3), r.as_text(4), r.as_text(5), r.as_text(6),
                              detail::status_of(r.as_text(7))}};
        return std::optional<Prior>(std::move(p));
    });
}

Result<DepositResult> replay(const Prior& p, const std::string& hash) {
    if (p.request_hash != hash) return Error{"deposit.idempotency_mismatch", 422, "same key, different request"};
    return DepositResult{p.facts.register_number, p.facts.registered_at_ms, p.tracking_code, p.facts.receipt_digest,
                         p.facts.receipt_sha256, true};
}

// The receipt rendered and sealed ahead of the transaction, for a provisional number.
struct Prerendered {
    std::int64_t seq = 0;
    detail::Receiver receiver;
    std::string kid, digest, pdf;
};

// The lane's last committed incoming number this year (0 when none).
Result<std::int64_t> last_committed(storage::Database& db, std::int64_t administration_id, int year) {
    return db.read<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto row = tx.query_one(
            "SELECT last FROM register_counters WHERE administration_id = $1 AND register = 'in' AND year = $2",
            {administration_id, std::int64_t{year}});
        if (!row) return row.error();
        return *row ? (*row)->as_int(0) : std::int64_t{0};
    });
}

}  // namespace

namespace detail {

Result<Receiver> resolve_receiver(Tx& tx, const identity::Administration& adm, const NewDeposit& d) {
    Receiver rc;
    rc.administration_id = adm.id;
    rc.code = adm.code;
    rc.name_ar = adm.name_ar;
    rc.name_fr = adm.name_fr;
    rc.contact = adm.contact_email;
    // The receiving unit: the one asked for, else the registry office ("BO") when there is one.
    const std::string unit = d.unit_code.value_or("BO");
    auto u = tx.query_one("SELECT id, code, name_ar, name_fr FROM units WHERE administration_id = $1 AND code = $2",
                          {adm.id, unit});
    if (!u) return u.error();
    if (*u) {
        rc.unit_id = (*u)->as_int(0);
        rc.unit_code = (*u)->as_text(1);
        rc.unit_name_ar = (*u)->as_text(2);
        rc.unit_name_fr = (*u)->as_text(3);
    } else if (d.unit_code) {
        return Error{"deposit.unknown_unit", 400, unit};
    }
    auto t = find_type(tx, adm.id, d.type_code);
    if (!t) return t.error();
    rc.type = std::move(*t);
    return rc;
}

Result<std::shared_ptr<const trust::SealKeys>> seal_keys(trust::KeyStore& keys, Tx& tx, const Receiver& rc) {
    auto k = keys.keys_for(tx, rc.administration_id);
    if (k || k.error().code != "trust.no_keys") return k;
    if (auto s = keys.ensure_keys(tx, rc.administration_id, rc.code, rc.name_fr); !s) return s.error();
    return keys.keys_for(tx, rc.administration_id);
}

}  // namespace detail

Result<DepositResult> DepositService::deposit(const Principal& who, NewDeposit d) {
    Impl& im = *impl_;
    if (auto s = check_fields(d); !s) return s.error();
    auto adm = im.ids.find_administration(d.administration_code);
    if (!adm) {
        if (adm.error().status == 404 || adm.error().status == 400)
            return field("deposit.unknown_administration", d.administration_code);
        return adm.error();
    }
    if (auto s = check_channel(who, d, adm->id); !s) return s.error();
    std::optional<identity::Administration> sender;
    if (d.channel == Channel::administration || d.channel == Channel::assisted) {
        auto s = im.ids.get_administration(*who.administration_id);
        if (!s) return s.error();
        sender = std::move(*s);
    }
    auto files = check_all(std::move(d.files), im.opts.limits);
    if (!files) return files.error();
    const std::string hash = request_hash(d, *files);
    if (d.idempotency_key) {
        auto prior = find_prior(im.db, who.account_id, *d.idempotency_key);
        if (!prior) return prior.error();
        if (*prior) return replay(**prior, hash);
    }

    // The text of the PDF attachments, for search, extracted before any lock.
    std::vector<std::string> pdf_texts;
    for (const auto& f : *files)
        if (f.type == MediaType::pdf) pdf_texts.push_back(search::extract_pdf_text(f.bytes, kIndexedPdfChars));

    const std::int64_t now_ms = im.clock.now_ms();
    const std::string tracking = new_tracking_code();
    const std::string depositor = depositor_label(who, d, sender ? &*sender : nullptr);
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms));
    auto facts_for = [&](const RegisterNumber& number, const detail::Receiver& rc) {
        detail::ReceiptFacts f;
        f.register_number = number.text();
        f.tracking_code = tracking;
        f.registered_at_ms = now_ms;
        f.due_at_ms = im.due(now_ms, rc.type.deadline_days, rc.type.working_days);
        f.channel = d.channel;
        f.depositor = depositor;
        f.subject = d.subject;
        f.body = d.body;
        f.files = &*files;
        f.receiver = &rc;
        return f;
    };

    // Render and seal the receipt before the transaction, for the number the sequencer
    // expects this deposit to get, so that receipts render in parallel and the writer lock
    // is held only to store. If the transaction allocates another number, it renders again.
    const int year = casablanca_year(at);
    std::optional<TicketGuard> ticket;
    std::optional<Prerendered> pre;
    {
        struct Ahead {
            detail::Receiver rc;
            std::shared_ptr<const trust::SealKeys> keys;
        };
        auto ahead = im.db.read<Ahead>([&](Tx& tx) -> Result<Ahead> {
            auto rc = detail::resolve_receiver(tx, *adm, d);
            if (!rc) return rc.error();
            auto k = im.keys.keys_for(tx, adm->id);
            if (!k) return k.error();
            return Ahead{std::move(*rc), std::move(*k)};
        });
        if (!ahead && ahead.error().status < 500) return ahead.error();  // unknown unit or type
        if (ahead) {
            const std::string lane = std::to_string(adm->id) + "/in/" + std::to_string(year);
            ticket.emplace(im.sequencer, im.sequencer.take(lane, [&] { return last_committed(im.db, adm->id, year); }));
            if (ticket->ticket().seq > 0) {
                const RegisterNumber provisional{adm->code, Register::incoming, year, ticket->ticket().seq};
                const auto facts = facts_for(provisional, ahead->rc);
                const std::string digest = detail::facts_digest(facts);
                auto pdf = detail::render_receipt(facts, digest, *ahead->keys, im.opts.public_url,
                                                  [](Step) { return Status{}; });
                if (pdf) pre = Prerendered{provisional.sequence, ahead->rc, ahead->keys->kid, digest, std::move(*pdf)};
            }
        }
        if (ticket) im.sequencer.wait_turn(ticket->ticket(), std::chrono::seconds(5));
    }

    std::int64_t committed_seq = 0;
    auto result = im.db.write<DepositResult>([&](Tx& tx) -> Result<DepositResult> {
        auto rc = detail::resolve_receiver(tx, *adm, d);
        if (!rc) return rc.error();
        auto keys = detail::seal_keys(im.keys, tx, *rc);
        if (!keys) return keys.error();
        const auto scope = identity::TenantScope::trusted(adm->id);
        auto number = allocate(tx, scope, Register::incoming, at);
        if (!number) return number.error();
        if (auto s = im.step(Step::numbered); !s) return s.error();
        for (const auto& f : *files)
            if (auto put = im.blobs.put(tx, f.bytes); !put) return put.error();
        if (auto s = im.step(Step::files_stored); !s) return s.error();

        const auto facts = facts_for(*number, *rc);
        const bool use_pre = pre && pre->seq == number->sequence && pre->kid == (*keys)->kid && pre->receiver == *rc;
        std::string digest;
        Result<std::string> pdf = std::string();
        if (use_pre) {
            digest = pre->digest;
            pdf = pre->pdf;
            if (auto s = im.step(Step::receipt_rendered); !s) return s.error();
            if (auto s = im.step(Step::receipt_sealed); !s) return s.error();
        } else {
            digest = detail::facts_digest(facts);
            pdf = detail::render_receipt(facts, digest, **keys, im.opts.public_url, [&im](Step s) { return im.step(s); });
            if (!pdf) return pdf.error();
        }
        auto receipt = im.blobs.put(tx, *pdf);
        if (!receipt) return receipt.error();
        if (auto s = im.step(Step::receipt_stored); !s) return s.error();

        const bool by_account = d.channel != Channel::counter;
        // entries.channel has no 'assisted' (its CHECK, migration 0016): an assisted entry is stored
        // as 'counter' with the agent as depositor account, which counter entries never have.
        const Channel stored_channel = d.channel == Channel::assisted ? Channel::counter : d.channel;
        auto id = tx.query_one(
            "INSERT INTO entries (administration_id, register_number, year, sequence, unit_id, channel, "
            "depositor_account_id, registered_by, depositor_name, depositor_id_number, depositor_administration_id, "
            "type_code, subject, body, status, tracking_hash, registered_at, due_at, deadline_days, working_days, "
            "silence_is_approval, receipt_digest, receipt_blob, seal_kid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "$10, $11, $12, $13, $14, 'registered', $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id",
            {adm->id, facts.register_number, std::int64_t{number->year}, number->sequence,
             rc->unit_id ? storage::Value(*rc->unit_id) : storage::Value(nullptr), std::string(channel_name(stored_channel)),
             by_account ? storage::Value(who.account_id) : storage::Value(nullptr), who.account_id, depositor,
             d.depositor_id_number ? storage::Value(*d.depositor_id_number) : storage::Value(nullptr),
             sender ? storage::Value(sender->id) : storage::Value(nullptr), rc->type.code, d.subject, d.body,
             random::sha256_hex(tracking), now_ms, facts.due_at_ms, std::int64_t{rc->type.deadline_days},
             std::int64_t{rc->type.working_days ? 1 : 0}, std::int64_t{rc->type.silence_is_approval ? 1 : 0}, digest,
             *receipt, (*keys)->kid});
        if (!id) return id.error();
        const std::int64_t entry_id = (*id)->as_int(0);
        for (std::size_t i = 0; i < files->size(); ++i) {
            const auto& f = (*files)[i];
            auto ins = tx.exec(
                "INSERT INTO entry_attachments (entry_id, position, name, media_type, size, blob) VALUES ($1, $2, $3, "
                "$4, $5, $6)",
                {entry_id, static_cast<std::int64_t>(i + 1), f.name, std::string(media_type_name(f.type)),
                 static_cast<std::int64_t>(f.bytes.size()), f.sha256});
            if (!ins) return ins.error();
        }
        auto ev = tx.exec("INSERT INTO entry_events (entry_id, at, kind, actor_id, detail) VALUES ($1, $2, 'registered', "
                          "$3, $4)",
                          {entry_id, now_ms, who.account_id, std::string(channel_name(d.channel))});
        if (!ev) return ev.error();
        // The tamper-evident journal (journal/journal.hpp) gets the registration in the same transaction.
        auto leaf = journal::append(
            tx, {adm->id, "deposit.registered", "entry:" + facts.register_number, who.account_id, now_ms,
                 journal::detail_json({{"channel", std::string(channel_name(d.channel))},
                                       {"entry_id", entry_id},
                                       {"receipt_digest", digest},
                                       {"register_number", facts.register_number},
                                       {"seal_kid", (*keys)->kid},
                                       {"type", rc->type.code}})});
        if (!leaf) return leaf.error();
        // The search index (search/index.hpp) learns the entry in the same transaction.
        if (auto s = search::index_entry(tx, entry_id, pdf_texts); !s) return s.error();
        // The processing state starts here (processing/workflow.hpp), in the same transaction.
        auto flow = tx.exec("INSERT INTO entry_flow (entry_id, administration_id, state, due_at, updated_at) "
                            "VALUES ($1, $2, 'registered', $3, $4)",
                            {entry_id, adm->id, facts.due_at_ms, now_ms});
        if (!flow) return flow.error();
        if (d.idempotency_key) {
            auto k = tx.exec("INSERT INTO idempotency_keys (account_id, key, request_hash, entry_id, tracking_code, "
                             "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                             {who.account_id, *d.idempotency_key, hash, entry_id, tracking, now_ms});
            if (!k) return k.error();
        }
        if (auto s = im.step(Step::entry_inserted); !s) return s.error();
        committed_seq = number->sequence;
        return DepositResult{facts.register_number, now_ms, tracking, digest, *receipt, false};
    });
    if (ticket) ticket->use(result && committed_seq == ticket->ticket().seq);
    // Two retries with one key racing: the loser's insert of the key conflicts; answer with the winner's entry.
    if (!result && result.error().code == "storage.conflict" && d.idempotency_key) {
        auto prior = find_prior(im.db, who.account_id, *d.idempotency_key);
        if (prior && *prior) return replay(**prior, hash);
    }
    return result;
}

}  // namespace idara::registry
