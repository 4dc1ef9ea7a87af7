#include "fixture.hpp"

#include <cstdio>

namespace idara::testing {

namespace {
std::int64_t id_of(storage::Tx& tx, const std::string& sql, const storage::Params& p) {
    auto r = tx.query_one(sql + " RETURNING id", p);
    if (!r || !*r) throw ErrorException(r ? errors::internal("no id") : r.error());
    return (*r)->as_int(0);
}
storage::Value opt(const std::optional<std::int64_t>& v) { return v ? storage::Value(*v) : storage::Value(nullptr); }
}  // namespace

std::int64_t utc_ms(std::chrono::sys_days d, int hour, int minute, int ms) {
    using namespace std::chrono;
    return duration_cast<milliseconds>((d + hours(hour) + minutes(minute)).time_since_epoch()).count() + ms;
}

void DashboardTest::SetUp() {
    db_ = fresh_database(GetParam());
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        const std::string adm = "INSERT INTO administrations (code, name_ar, name_fr, created_at) VALUES ($1, $2, $3, 0)";
        mef_ = id_of(tx, adm, {std::string("MEF"), std::string("وزارة الاقتصاد والمالية"), std::string("Ministère de l'Économie")});
        men_ = id_of(tx, adm, {std::string("MEN"), std::string("وزارة التربية الوطنية"), std::string("Ministère de l'Éducation")});
        account_ = id_of(tx,
                         "INSERT INTO accounts (kind, login, display_name, password_hash, created_at, password_changed_at) "
                         "VALUES ('staff', 'clerk@mef.gov.ma', 'Clerk', 'x', 0, 0)",
                         {});
        const std::string unit = "INSERT INTO units (administration_id, code, name_ar, name_fr, created_at) VALUES ($1, $2, $3, $4, 0)";
        mef_bo_ = id_of(tx, unit, {mef_, std::string("BO"), std::string("مكتب الضبط"), std::string("Bureau d'ordre")});
        mef_db_ = id_of(tx, unit, {mef_, std::string("DB"), std::string("مديرية الميزانية"), std::string("Direction du budget")});
        mef_drh_ = id_of(tx, unit, {mef_, std::string("DRH"), std::string("الموارد البشرية"), std::string("Ressources humaines")});
        men_bo_ = id_of(tx, unit, {men_, std::string("BO"), std::string("مكتب الضبط"), std::string("Bureau d'ordre")});
        auto b = tx.exec("INSERT INTO blobs (digest, size, created_at) VALUES ($1, 0, 0)", {std::string(64, '0')});
        if (!b) return b.error();
        return {};
    });
    ASSERT_TRUE(s) << s.error().detail;
}

std::int64_t DashboardTest::add_entry(EntryRow e) {
    if (e.administration_id == 0) e.administration_id = mef_;
    if (e.due_at == 0) e.due_at = e.registered_at + 60 * kDay;
    const int seq = ++sequence_;
    char number[32];
    std::snprintf(number, sizeof number, "%s-2026-%06d", e.administration_id == mef_ ? "MEF" : "MEN", seq);
    auto id = db_->write<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
        const std::int64_t entry = id_of(
            tx,
            "INSERT INTO entries (administration_id, register_number, year, sequence, channel, registered_by, "
            "depositor_name, type_code, subject, body, status, tracking_hash, registered_at, due_at, deadline_days, "
            "working_days, silence_is_approval, receipt_digest, receipt_blob, seal_kid) VALUES ($1, $2, 2026, $3, "
            "'counter', $4, 'Amina', $5, 'SECRET SUBJECT', '', $6, 'h', $7, $8, 60, 0, 0, 'd', $9, 'k')",
            {e.administration_id, std::string(number), std::int64_t{seq}, account_, e.type, e.status, e.registered_at,
             e.due_at, std::string(64, '0')});
        auto f = tx.exec(
            "INSERT INTO entry_flow (entry_id, administration_id, state, confidential, lead_unit_id, due_at, paused_at, "
            "missing_requested_at, completed_at, answered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)",
            {entry, e.administration_id, e.state, std::int64_t{e.confidential}, opt(e.lead_unit), e.due_at,
             opt(e.paused_at), opt(e.missing_requested_at), opt(e.completed_at), opt(e.answered_at)});
        if (!f) return f.error();
        return entry;
    });
    if (!id) ADD_FAILURE() << id.error().code << " " << id.error().detail;
    return id ? *id : 0;
}

std::int64_t DashboardTest::add_letter(std::int64_t administration_id, std::optional<std::int64_t> approved_at,
                                       std::optional<std::int64_t> in_reply_to) {
    const int seq = ++sequence_;
    auto id = db_->write<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
        storage::Value number = approved_at ? storage::Value("S-" + std::to_string(seq)) : storage::Value(nullptr);
        storage::Value year = approved_at ? storage::Value(std::int64_t{2026}) : storage::Value(nullptr);
        storage::Value sequence = approved_at ? storage::Value(std::int64_t{seq}) : storage::Value(nullptr);
        return id_of(tx,
                     "INSERT INTO outgoing_letters (administration_id, state, lang, in_reply_to, recipient_kind, subject, "
                     "author_id, register_number, year, sequence, approved_at, created_at, updated_at) VALUES ($1, $2, "
                     "'ar', $3, 'depositor', 'SECRET LETTER', $4, $5, $6, $7, $8, 0, 0)",
                     {administration_id, std::string(approved_at ? "dispatched" : "draft"), opt(in_reply_to), account_,
                      number, year, sequence, opt(approved_at)});
    });
    if (!id) ADD_FAILURE() << id.error().code << " " << id.error().detail;
    return id ? *id : 0;
}

std::int64_t DashboardTest::add_account(const std::string& login) {
    return db_->write<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
        return id_of(tx,
                     "INSERT INTO accounts (kind, login, display_name, password_hash, created_at, password_changed_at) "
                     "VALUES ('staff', $1, $1, 'x', 0, 0)",
                     {login});
    }).value();
}

void DashboardTest::add_membership(std::int64_t account, std::int64_t administration, std::optional<std::int64_t> unit,
                                   const std::string& role) {
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO memberships (account_id, administration_id, unit_id, role) VALUES ($1, $2, $3, $4)",
                         {account, administration, opt(unit), role});
        if (!r) return r.error();
        return {};
    });
    ASSERT_TRUE(s) << s.error().detail;
}

dashboard::Dashboard DashboardTest::compute(const dashboard::Filter& f, std::optional<std::int64_t> administration) {
    auto d = dashboard::compute(*db_, identity::TenantScope::trusted(administration.value_or(mef_)), f);
    if (!d) {
        ADD_FAILURE() << d.error().code << " " << d.error().detail;
        return {};
    }
    return *d;
}

}  // namespace idara::testing
