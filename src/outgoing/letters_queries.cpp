// Reads: one letter, the outgoing register, letters by state or by entry, the sealed PDF.
#include "outgoing/letters_impl.hpp"

#include <algorithm>

namespace idara::outgoing {

using identity::Principal;
using storage::Tx;

namespace {

Result<detail::Stored> visible(Tx& tx, const Principal& who, std::int64_t id) {
    auto s = detail::load(tx, id);
    if (!s) return s.error();
    if (!*s || !detail::can_see(who, **s)) return errors::not_found("letter");
    return std::move(**s);
}

std::int64_t clamp_limit(int limit) { return std::clamp(limit, 1, 500); }
std::int64_t clamp_offset(int offset) { return std::max(offset, 0); }

}  // namespace

Result<Letter> OutgoingService::get(const Principal& who, std::int64_t id) {
    return impl_->db.read<Letter>([&](Tx& tx) -> Result<Letter> {
        auto s = visible(tx, who, id);
        if (!s) return s.error();
        return std::move(s->letter);
    });
}

Result<std::string> OutgoingService::pdf(const Principal& who, std::int64_t id) {
    return impl_->db.read<std::string>([&](Tx& tx) -> Result<std::string> {
        auto s = visible(tx, who, id);
        if (!s) return s.error();
        if (!s->letter.pdf_sha256) return errors::not_found("letter not registered yet");
        auto bytes = impl_->blobs.get(tx, *s->letter.pdf_sha256);
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.corrupt", 500, "letter PDF missing"};
        return std::move(**bytes);
    });
}

Result<std::string> OutgoingService::preview_text(const Principal& who, std::int64_t id) {
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.read<std::string>([&](Tx& tx) -> Result<std::string> {
        auto s = visible(tx, who, id);
        if (!s) return s.error();
        const Letter& l = s->letter;
        return detail::letter_text(tx, l, l.register_number.value_or("…"), l.approved_at_ms.value_or(now));
    });
}

Result<std::vector<RegisterLine>> OutgoingService::list_register(const identity::TenantScope& scope,
                                                                 std::optional<int> year, int limit, int offset) {
    return impl_->db.read<std::vector<RegisterLine>>([&](Tx& tx) -> Result<std::vector<RegisterLine>> {
        std::string sql =
            "SELECT l.id, l.register_number, COALESCE(l.approved_at, l.updated_at), l.state, l.subject, l.recipient_name, e.register_number "
            "FROM outgoing_letters l LEFT JOIN entries e ON e.id = l.in_reply_to "
            "WHERE l.administration_id = $1 AND l.register_number IS NOT NULL";
        storage::Params p{scope.administration_id(), clamp_limit(limit), clamp_offset(offset)};
        if (year) {
            sql += " AND l.year = $4";
            p.push_back(std::int64_t{*year});
        }
        sql += " ORDER BY l.year DESC, l.sequence DESC LIMIT $2 OFFSET $3";
        auto rows = tx.query(sql, p);
        if (!rows) return rows.error();
        std::vector<RegisterLine> out;
        for (const auto& r : *rows)
            out.push_back({r.as_int(0), r.as_text(1), r.as_int(2), parse_state(r.as_text(3)).value_or(LetterState::approved),
                           r.as_text(4), r.as_text(5), r.opt_text(6)});
        return out;
    });
}

Result<std::vector<Letter>> OutgoingService::list_in_state(const identity::TenantScope& scope, LetterState s,
                                                           int limit, int offset) {
    return impl_->db.read<std::vector<Letter>>([&](Tx& tx) -> Result<std::vector<Letter>> {
        return detail::load_where(tx, "WHERE l.administration_id = $1 AND l.state = $2 ORDER BY l.updated_at DESC, "
                                      "l.id DESC LIMIT $3 OFFSET $4",
                                  {scope.administration_id(), std::string(state_name(s)), clamp_limit(limit),
                                   clamp_offset(offset)});
    });
}

Result<std::vector<Letter>> OutgoingService::list_for_entry(const Principal& who, std::int64_t entry_id) {
    return impl_->db.read<std::vector<Letter>>([&](Tx& tx) -> Result<std::vector<Letter>> {
        auto e = tx.query_one("SELECT administration_id, depositor_account_id FROM entries WHERE id = $1", {entry_id});
        if (!e) return e.error();
        if (!*e) return errors::not_found("entry");
        const bool staff = detail::is_staff_of(who, (*e)->as_int(0));
        const auto depositor = (*e)->opt_int(1);
        if (!staff && !(depositor && *depositor == who.account_id)) return errors::not_found("entry");
        return detail::load_where(tx,
                                  std::string("WHERE l.in_reply_to = $1") +
                                      (staff ? "" : " AND l.state = 'dispatched'") + " ORDER BY l.id",
                                  {entry_id});
    });
}

}  // namespace idara::outgoing
