#include "search_fixture.hpp"

#include <algorithm>
#include <cstdio>

namespace idara::testing {

namespace {
std::int64_t id_of(storage::Tx& tx, const std::string& sql, const storage::Params& p) {
    auto r = tx.query_one(sql + " RETURNING id", p);
    if (!r || !*r) throw ErrorException(r ? errors::internal("no id") : r.error());
    return (*r)->as_int(0);
}
}  // namespace

void SearchTest::SetUp() {
    db_ = fresh_database(GetParam());
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        const std::string adm = "INSERT INTO administrations (code, name_ar, name_fr, created_at) VALUES ($1, $2, $3, 0)";
        mef_ = id_of(tx, adm, {std::string("MEF"), std::string("وزارة الاقتصاد والمالية"), std::string("Ministère de l'Économie")});
        men_ = id_of(tx, adm, {std::string("MEN"), std::string("وزارة التربية الوطنية"), std::string("Ministère de l'Éducation")});
        account_ = id_of(tx,
                         "INSERT INTO accounts (kind, login, display_name, password_hash, created_at, password_changed_at) "
                         "VALUES ('staff', 'clerk@mef.gov.ma', 'Clerk', 'x', 0, 0)",
                         {});
        const std::string unit =
            "INSERT INTO units (administration_id, code, name_ar, name_fr, created_at) VALUES ($1, $2, 'وحدة', 'Unité', 0)";
        mef_bo_ = id_of(tx, unit, {mef_, std::string("BO")});
        mef_db_ = id_of(tx, unit, {mef_, std::string("DB")});
        mef_drh_ = id_of(tx, unit, {mef_, std::string("DRH")});
        men_bo_ = id_of(tx, unit, {men_, std::string("BO")});
        auto b = tx.exec("INSERT INTO blobs (digest, size, created_at) VALUES ($1, 0, 0)", {std::string(64, '0')});
        if (!b) return b.error();
        return {};
    });
    ASSERT_TRUE(s) << s.error().detail;
}

std::int64_t SearchTest::add(EntrySpec e) {
    if (e.administration_id == 0) e.administration_id = mef_;
    const int seq = ++sequence_;
    char number[32];
    std::snprintf(number, sizeof number, "%s-2026-%06d", e.administration_id == mef_ ? "MEF" : "MEN", seq);
    auto id = db_->write<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
        const std::int64_t entry = id_of(
            tx,
            "INSERT INTO entries (administration_id, register_number, year, sequence, channel, registered_by, "
            "depositor_name, type_code, subject, body, status, tracking_hash, registered_at, due_at, deadline_days, "
            "working_days, silence_is_approval, receipt_digest, receipt_blob, seal_kid) VALUES ($1, $2, 2026, $3, "
            "'counter', $4, $5, $6, $7, $8, $9, 'h', $10, $11, 60, 0, 0, 'd', $12, 'k')",
            {e.administration_id, std::string(number), std::int64_t{seq}, account_, e.depositor, e.type, e.subject,
             e.body, std::string(e.state == "cancelled" ? "cancelled" : "registered"), e.registered_at, e.due_at,
             std::string(64, '0')});
        storage::Value lead = e.lead_unit ? storage::Value(*e.lead_unit) : storage::Value(nullptr);
        auto f = tx.exec(
            "INSERT INTO entry_flow (entry_id, administration_id, state, confidential, lead_unit_id, due_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, 0)",
            {entry, e.administration_id, e.state, std::int64_t{e.confidential}, lead, e.due_at});
        if (!f) return f.error();
        for (const auto& [unit, role] : e.units) {
            auto u = tx.exec("INSERT INTO entry_units (entry_id, unit_id, role, assigned_at) VALUES ($1, $2, $3, 0)",
                             {entry, unit, role});
            if (!u) return u.error();
        }
        if (auto s = search::index_entry(tx, entry, e.extra_texts); !s) return s.error();
        return entry;
    });
    if (!id) ADD_FAILURE() << id.error().code << " " << id.error().detail;
    return id ? *id : 0;
}

std::string SearchTest::register_number(std::int64_t entry_id) {
    return db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto r = tx.query_one("SELECT register_number FROM entries WHERE id = $1", {entry_id});
        if (!r) return r.error();
        return (*r)->as_text(0);
    }).value();
}

search::SearchPage SearchTest::find(const search::SearchQuery& q, const search::Viewer& v) {
    auto p = search::search(*db_, q, v);
    if (!p) {
        ADD_FAILURE() << "search(" << q.text << "): " << p.error().code << " " << p.error().detail;
        return {};
    }
    return *p;
}

std::vector<std::int64_t> SearchTest::ids(const search::SearchQuery& q, const search::Viewer& v) {
    std::vector<std::int64_t> out;
    for (const auto& r : find(q, v).rows) out.push_back(r.entry_id);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::int64_t> SearchTest::ids(const std::string& text) {
    search::SearchQuery q;
    q.text = text;
    return ids(q, mef_admin());
}

}  // namespace idara::testing
