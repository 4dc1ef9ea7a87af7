// DepositService::register_transfer: a copy of an entry registered at the competent
// administration, inside the caller's transaction (processing/workflow.hpp's transfer).
#include "registry/deposit_impl.hpp"

#include "core/random.hpp"
#include "journal/journal.hpp"
#include "search/index.hpp"

namespace idara::registry {

using storage::Tx;

Result<TransferredEntry> DepositService::register_transfer(Tx& tx, std::int64_t source_entry_id,
                                                           const identity::Administration& target,
                                                           std::int64_t actor_account_id, const std::string& origin) {
    Impl& im = *impl_;
    auto src = tx.query_one(
        "SELECT e.register_number, e.channel, e.depositor_account_id, e.depositor_name, e.depositor_id_number, "
        "e.depositor_administration_id, e.type_code, e.subject, e.body, e.tracking_hash, e.registered_at "
        "FROM entries e WHERE e.id = $1",
        {source_entry_id});
    if (!src) return src.error();
    if (!*src) return errors::not_found("entry");
    const auto& r = **src;
    const std::string source_number = r.as_text(0);
    const Channel channel = parse_channel(r.as_text(1)).value_or(Channel::portal);
    const std::int64_t registered_at = r.as_int(10);

    NewDeposit d;
    d.channel = channel;
    d.administration_code = target.code;
    d.type_code = r.as_text(6);
    // The competent administration may not know the type: it is then an ordinary letter.
    auto type = detail::find_type(tx, target.id, d.type_code);
    if (!type) {
        if (type.error().status >= 500) return type.error();
        d.type_code = "letter";
    }
    auto rc = detail::resolve_receiver(tx, target, d);
    if (!rc) return rc.error();
    auto keys = detail::seal_keys(im.keys, tx, *rc);
    if (!keys) return keys.error();

    std::vector<CheckedFile> files;
    auto atts = tx.query("SELECT name, media_type, size, blob FROM entry_attachments WHERE entry_id = $1 ORDER BY position",
                         {source_entry_id});
    if (!atts) return atts.error();
    for (const auto& a : *atts) {
        CheckedFile f;
        f.name = a.as_text(0);
        f.type = a.as_text(1) == "image/jpeg" ? MediaType::jpeg : a.as_text(1) == "image/png" ? MediaType::png : MediaType::pdf;
        f.sha256 = a.as_text(3);
        files.push_back(std::move(f));
    }

    const std::int64_t now_ms = im.clock.now_ms();
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms));
    auto number = allocate(tx, identity::TenantScope::trusted(target.id), Register::incoming, at);
    if (!number) return number.error();

    detail::ReceiptFacts facts;
    facts.register_number = number->text();
    facts.registered_at_ms = now_ms;
    facts.due_at_ms = im.due(registered_at, rc->type.deadline_days, rc->type.working_days);
    facts.channel = channel;
    facts.depositor = r.as_text(3);
    facts.subject = r.as_text(7);
    facts.body = r.as_text(8);
    facts.files = &files;
    facts.receiver = &*rc;
    const std::string digest = detail::facts_digest(facts);
    auto pdf = detail::render_receipt(facts, digest, **keys, im.opts.public_url, [](Step) { return Status{}; });
    if (!pdf) return pdf.error();
    auto receipt = im.blobs.put(tx, *pdf);
    if (!receipt) return receipt.error();

    auto id = tx.query_one(
        "INSERT INTO entries (administration_id, register_number, year, sequence, unit_id, channel, "
        "depositor_account_id, registered_by, depositor_name, depositor_id_number, depositor_administration_id, "
        "type_code, subject, body, status, tracking_hash, registered_at, due_at, deadline_days, working_days, "
        "silence_is_approval, receipt_digest, receipt_blob, seal_kid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $13, $14, 'registered', $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id",
        {target.id, facts.register_number, std::int64_t{number->year}, number->sequence,
         rc->unit_id ? storage::Value(*rc->unit_id) : storage::Value(nullptr), std::string(channel_name(channel)),
         r.is_null(2) ? storage::Value(nullptr) : storage::Value(r.as_int(2)), actor_account_id, facts.depositor,
         r.is_null(4) ? storage::Value(nullptr) : storage::Value(r.as_text(4)),
         r.is_null(5) ? storage::Value(nullptr) : storage::Value(r.as_int(5)), rc->type.code, facts.subject,
         facts.body, r.as_text(9), now_ms, facts.due_at_ms, std::int64_t{rc->type.deadline_days},
         std::int64_t{rc->type.working_days ? 1 : 0}, std::int64_t{rc->type.silence_is_approval ? 1 : 0}, digest,
         *receipt, (*keys)->kid});
    if (!id) return id.error();
    const std::int64_t entry_id = (*id)->as_int(0);
    for (std::size_t i = 0; i < (*atts).size(); ++i) {
        const auto& a = (*atts)[i];
        auto ins = tx.exec(
            "INSERT INTO entry_attachments (entry_id, position, name, media_type, size, blob) VALUES ($1, $2, $3, $4, "
            "$5, $6)",
            {entry_id, static_cast<std::int64_t>(i + 1), a.as_text(0), a.as_text(1), a.as_int(2), a.as_text(3)});
        if (!ins) return ins.error();
    }
    auto ev = tx.exec(
        "INSERT INTO entry_events (entry_id, at, kind, actor_id, detail, origin) VALUES ($1, $2, 'transferred_in', $3, "
        "$4, $5)",
        {entry_id, now_ms, actor_account_id, source_number, origin});
    if (!ev) return ev.error();
    auto leaf = journal::append(tx, {target.id, "deposit.transferred_in", "entry:" + facts.register_number,
                                     actor_account_id, now_ms,
                                     journal::detail_json({{"entry_id", entry_id},
                                                           {"receipt_digest", digest},
                                                           {"register_number", facts.register_number},
                                                           {"seal_kid", (*keys)->kid},
                                                           {"source_entry_id", source_entry_id},
                                                           {"source_number", source_number}})});
    if (!leaf) return leaf.error();
    auto texts = search::attachment_texts(tx, im.blobs, entry_id);
    if (!texts) return texts.error();
    if (auto s = search::index_entry(tx, entry_id, *texts); !s) return s.error();
    auto flow = tx.exec(
        "INSERT INTO entry_flow (entry_id, administration_id, state, due_at, transferred_from, updated_at) "
        "VALUES ($1, $2, 'registered', $3, $4, $5)",
        {entry_id, target.id, facts.due_at_ms, source_entry_id, now_ms});
    if (!flow) return flow.error();
    return TransferredEntry{entry_id, facts.register_number, facts.due_at_ms};
}

}  // namespace idara::registry
