// The central's SQLite store: registration requests, approved facts and the serial
// (exchange/central_store.hpp). Every change runs in one write transaction.
#include "exchange/central_store.hpp"

#include <boost/json.hpp>

#include <map>

namespace idara::exchange::central_detail {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  serial INTEGER NOT NULL
);
INSERT INTO meta (id, serial) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS members (
  id TEXT PRIMARY KEY,
  member_class TEXT NOT NULL,
  member_code TEXT NOT NULL,
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL,
  sign_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subsystems (
  member_id TEXT NOT NULL REFERENCES members (id),
  code TEXT NOT NULL,
  PRIMARY KEY (member_id, code)
);
CREATE TABLE IF NOT EXISTS gateways (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES members (id),
  address TEXT NOT NULL,
  tls_cert_sha256 TEXT NOT NULL UNIQUE,
  tls_cert_pem TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
  code TEXT NOT NULL,
  client_id TEXT NOT NULL,
  PRIMARY KEY (code, client_id)
);
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('member', 'subsystem', 'gateway')),
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  cert_sha256 TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  at_ms INTEGER NOT NULL,
  decided_at_ms INTEGER
);
CREATE INDEX IF NOT EXISTS requests_by_subject ON requests (kind, subject, state);
)sql";

namespace json = boost::json;

Error duplicate(std::string detail) { return Error{"exchange.duplicate", 409, std::move(detail)}; }
Error not_pending(std::string detail) { return Error{"exchange.not_pending", 409, std::move(detail)}; }

// A validated request, ready to store.
struct Filed {
    std::string subject;
    std::string payload;      // canonical JSON of the validated fields
    std::string cert_sha256;  // gateways only
};

bool has_control(std::string_view s) {
    for (unsigned char ch : s)
        if (ch < 0x20 || ch == 0x7f) return true;
    return false;
}

// Reads the object's fields: every one of `required`, any of `optional`, nothing else.
Result<std::map<std::string, std::string>> string_fields(const json::object& o, std::initializer_list<const char*> required,
                                                         std::initializer_list<const char*> optional = {}) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : o) {
        const std::string key(k);
        bool known = false;
        for (const char* r : required) known = known || key == r;
        for (const char* r : optional) known = known || key == r;
        if (!known) return bad_registration("unknown field '" + key + "'");
        if (!v.is_string()) return bad_registration("field '" + key + "' must be a string");
        out[key] = std::string(v.get_string());
    }
    for (const char* r : required)
        if (!out.count(r)) return bad_registration(std::string("missing field '") + r + "'");
    return out;
}

Result<bool> exists(storage::Tx& tx, std::string_view sql, const storage::Params& params) {
    auto row = tx.query_one(sql, params);
    if (!row) return row.error();
    return row->has_value();
}

Status bump_serial(storage::Tx& tx) {
    auto n = tx.exec("UPDATE meta SET serial = serial + 1 WHERE id = 1");
    if (!n) return n.error();
    return {};
}

}  // namespace

struct Store::Impl {
    std::unique_ptr<storage::Database> db;
    std::string instance;
    trust::X509Ptr ca;

    Result<MemberId> known_member(storage::Tx& tx, std::string_view text) {
        auto m = parse_member_id(text);
        if (!m) return bad_registration("member: " + m.error().detail);
        if (m->instance != instance) return bad_registration("member: instance is not " + instance);
        auto have = exists(tx, "SELECT 1 FROM members WHERE id = $1", {m->str()});
        if (!have) return have.error();
        if (!*have) return bad_registration("unknown member " + m->str());
        return *m;
    }

    Result<Filed> member(const json::object& o) {
        auto f = string_fields(o, {"class", "code", "name_ar", "name_fr", "sign_key"}, {"instance"});
        if (!f) return f.error();
        auto& v = *f;
        if (v.count("instance") && v["instance"] != instance) return bad_registration("instance is not " + instance);
        if (!valid_part(v["class"]) || !valid_part(v["code"])) return bad_registration("class or code: not a valid part");
        for (const char* n : {"name_ar", "name_fr"})
            if (v[n].empty() || v[n].size() > 256 || has_control(v[n]))
                return bad_registration(std::string(n) + ": 1 to 256 bytes, no control characters");
        auto pk = parse_public_key_b64(v["sign_key"]);
        if (!pk) return bad_registration("sign_key: not a base64 Ed25519 public key");
        const MemberId id{instance, v["class"], v["code"]};
        json::object p{{"class", v["class"]}, {"code", v["code"]}, {"name_ar", v["name_ar"]},
                       {"name_fr", v["name_fr"]}, {"sign_key", v["sign_key"]}};
        return Filed{id.str(), json::serialize(p), {}};
    }

    Result<Filed> subsystem(storage::Tx& tx, const json::object& o) {
        auto f = string_fields(o, {"member", "code"});
        if (!f) return f.error();
        auto m = known_member(tx, (*f)["member"]);
        if (!m) return m.error();
        if (!valid_part((*f)["code"])) return bad_registration("code: not a valid part");
        json::object p{{"member", m->str()}, {"code", (*f)["code"]}};
        return Filed{m->str() + "/" + (*f)["code"], json::serialize(p), {}};
    }

    Result<Filed> gateway(storage::Tx& tx, const json::object& o, std::int64_t now_ms) {
        auto f = string_fields(o, {"owner", "code", "address", "tls_cert_pem"});
        if (!f) return f.error();
        auto& v = *f;
        auto m = known_member(tx, v["owner"]);
        if (!m) return m.error();
        if (!valid_part(v["code"])) return bad_registration("code: not a valid part");
        std::string host;
        std::uint16_t port = 0;
        if (!split_host_port(v["address"], host, port)) return bad_registration("address: expected host:port");
        if (v["tls_cert_pem"].size() > 16 * 1024) return bad_registration("tls_cert_pem: over 16 KiB");
        auto certs = trust::certs_from_pem(v["tls_cert_pem"]);
        if (certs.size() != 1) return bad_registration("tls_cert_pem: expected one PEM certificate");
        if (auto s = check_issued_by(certs[0].get(), ca.get(), now_ms); !s) return s.error();
        auto digest = cert_digest_from_pem(v["tls_cert_pem"]);
        if (!digest) return bad_registration("tls_cert_pem: " + digest.error().detail);
        json::object p{{"owner", m->str()}, {"code", v["code"]}, {"address", v["address"]},
                       {"tls_cert_pem", v["tls_cert_pem"]}};
        return Filed{m->str() + "/" + v["code"], json::serialize(p), *digest};
    }

    Status not_duplicate(storage::Tx& tx, std::string_view kind, const Filed& f) {
        auto req = exists(tx, "SELECT 1 FROM requests WHERE kind = $1 AND subject = $2 AND state IN ('pending', 'approved')",
                          {std::string(kind), f.subject});
        if (!req) return req.error();
        if (*req) return duplicate(std::string(kind) + " " + f.subject + " is pending or approved");
        const char* fact = kind == "member"      ? "SELECT 1 FROM members WHERE id = $1"
                           : kind == "subsystem" ? "SELECT 1 FROM subsystems WHERE member_id || '/' || code = $1"
                                                 : "SELECT 1 FROM gateways WHERE id = $1";
        auto have = exists(tx, fact, {f.subject});
        if (!have) return have.error();
        if (*have) return duplicate(std::string(kind) + " " + f.subject + " is registered");
        if (f.cert_sha256.empty()) return {};
        auto cert = exists(tx,
                           "SELECT 1 FROM gateways WHERE tls_cert_sha256 = $1 UNION ALL SELECT 1 FROM requests WHERE "
                           "cert_sha256 = $1 AND state IN ('pending', 'approved')",
                           {f.cert_sha256});
        if (!cert) return cert.error();
        if (*cert) return duplicate("certificate " + f.cert_sha256 + " is already registered or pending");
        return {};
    }

    Status apply(storage::Tx& tx, const std::string& kind, const std::string& payload) {
        json::error_code ec;
        const json::value v = json::parse(payload, ec);
        if (ec || !v.is_object()) return errors::internal("stored request payload is not JSON");
        const auto& o = v.as_object();
        auto s = [&](const char* k) { return std::string(o.at(k).as_string()); };
        Result<std::int64_t> n = std::int64_t{0};
        if (kind == "member") {
            const MemberId id{instance, s("class"), s("code")};
            n = tx.exec("INSERT INTO members (id, member_class, member_code, name_ar, name_fr, sign_key) "
                        "VALUES ($1, $2, $3, $4, $5, $6)",
                        {id.str(), s("class"), s("code"), s("name_ar"), s("name_fr"), s("sign_key")});
        } else if (kind == "subsystem") {
            auto m = known_member(tx, s("member"));
            if (!m) return m.error();
            n = tx.exec("INSERT INTO subsystems (member_id, code) VALUES ($1, $2)", {m->str(), s("code")});
        } else {
            auto m = known_member(tx, s("owner"));
            if (!m) return m.error();
            auto digest = cert_digest_from_pem(s("tls_cert_pem"));
            if (!digest) return digest.error();
            n = tx.exec("INSERT INTO gateways (id, owner, address, tls_cert_sha256, tls_cert_pem) VALUES ($1, $2, $3, $4, $5)",
                        {m->str() + "/" + s("code"), m->str(), s("address"), *digest, s("tls_cert_pem")});
        }
        if (!n) return n.error();
        return {};
    }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, std::string instance, const std::string& ca_pem) {
    auto impl = std::make_unique<Impl>();
    impl->instance = std::move(instance);
    impl->ca = trust::cert_from_pem(ca_pem);
    if (!impl->ca) return config_error("CA certificate unreadable");
    storage::SqliteOptions so;
    so.path = db_path(dir);
    so.readers = 2;
    auto db = storage::open_sqlite(so);
    if (!db) return db.error();
    impl->db = std::move(*db);
    if (auto s = impl->db->write_tx([](storage::Tx& tx) { return tx.exec_script(kSchema); }); !s) return s.error();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::int64_t> Store::request(std::string_view kind, std::string_view text, std::int64_t now_ms) {
    if (kind != "member" && kind != "subsystem" && kind != "gateway")
        return bad_registration("kind: member, subsystem or gateway");
    if (text.size() > kMaxRegistrationBytes) return bad_registration("request over 64 KiB");
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return bad_registration("not JSON: " + ec.message());
    if (!v.is_object()) return bad_registration("not a JSON object");
    return impl_->db->write<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
        Result<Filed> f = kind == "member"      ? impl_->member(v.as_object())
                          : kind == "subsystem" ? impl_->subsystem(tx, v.as_object())
                                                : impl_->gateway(tx, v.as_object(), now_ms);
        if (!f) return f.error();
        if (auto s = impl_->not_duplicate(tx, kind, *f); !s) return s.error();
        auto row = tx.query_one(
            "INSERT INTO requests (kind, subject, payload, cert_sha256, state, at_ms) "
            "VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
            {std::string(kind), f->subject, f->payload,
             f->cert_sha256.empty() ? storage::Value{nullptr} : storage::Value{f->cert_sha256}, now_ms});
        if (!row) return row.error();
        if (!*row) return errors::internal("INSERT ... RETURNING gave no row");
        return (*row)->as_int(0);
    });
}

Result<std::vector<RegistrationRequest>> Store::requests(std::string_view state) {
    if (state != "pending" && state != "approved" && state != "rejected" && state != "all")
        return errors::bad_request("state: pending, approved, rejected or all");
    return impl_->db->read<std::vector<RegistrationRequest>>([&](storage::Tx& tx) -> Result<std::vector<RegistrationRequest>> {
        auto rows = tx.query("SELECT id, kind, subject, payload, state, at_ms FROM requests "
                             "WHERE $1 = 'all' OR state = $1 ORDER BY id",
                             {std::string(state)});
        if (!rows) return rows.error();
        std::vector<RegistrationRequest> out;
        for (const auto& r : *rows)
            out.push_back({r.as_int(0), r.as_text(1), r.as_text(2), r.as_text(3), r.as_text(4), r.as_int(5)});
        return out;
    });
}

Status Store::decide(std::int64_t id, bool approve, std::int64_t now_ms) {
    return impl_->db->write_tx([&](storage::Tx& tx) -> Status {
        auto row = tx.query_one("SELECT kind, payload, state FROM requests WHERE id = $1", {id});
        if (!row) return row.error();
        if (!*row) return errors::not_found("no request " + std::to_string(id));
        if ((*row)->as_text(2) != "pending")
            return not_pending("request " + std::to_string(id) + " is " + (*row)->as_text(2));
        if (approve) {
            if (auto s = impl_->apply(tx, (*row)->as_text(0), (*row)->as_text(1)); !s) return s;
            if (auto s = bump_serial(tx); !s) return s;
        }
        auto n = tx.exec("UPDATE requests SET state = $1, decided_at_ms = $2 WHERE id = $3",
                         {std::string(approve ? "approved" : "rejected"), now_ms, id});
        if (!n) return n.error();
        return {};
    });
}

Status Store::add_group_member(std::string_view group, const ClientId& c) {
    if (!valid_part(group)) return bad_registration("group: not a valid identifier part");
    if (c.instance != impl_->instance) return bad_registration("client: instance is not " + impl_->instance);
    return impl_->db->write_tx([&](storage::Tx& tx) -> Status {
        auto m = impl_->known_member(tx, c.member().str());
        if (!m) return m.error();
        if (!c.subsystem.empty()) {
            auto have = exists(tx, "SELECT 1 FROM subsystems WHERE member_id = $1 AND code = $2", {m->str(), c.subsystem});
            if (!have) return have.error();
            if (!*have) return bad_registration("unknown subsystem " + c.str());
        }
        auto n = tx.exec("INSERT INTO groups (code, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         {std::string(group), c.str()});
        if (!n) return n.error();
        if (*n == 0) return {};  // already a member of the group: nothing changes
        return bump_serial(tx);
    });
}

Result<Facts> Store::facts() {
    return impl_->db->read<Facts>([&](storage::Tx& tx) -> Result<Facts> {
        Facts f;
        auto serial = tx.query_one("SELECT serial FROM meta WHERE id = 1");
        if (!serial) return serial.error();
        f.serial = *serial ? (*serial)->as_int(0) : 0;
        auto members = tx.query("SELECT id, member_class, member_code, name_ar, name_fr, sign_key FROM members ORDER BY id");
        if (!members) return members.error();
        auto subs = tx.query("SELECT member_id, code FROM subsystems ORDER BY member_id, code");
        if (!subs) return subs.error();
        std::map<std::string, std::vector<std::string>> by_member;
        for (const auto& r : *subs) by_member[r.as_text(0)].push_back(r.as_text(1));
        for (const auto& r : *members) {
            MemberInfo m;
            m.id = MemberId{impl_->instance, r.as_text(1), r.as_text(2)};
            m.name_ar = r.as_text(3);
            m.name_fr = r.as_text(4);
            m.subsystems = by_member[r.as_text(0)];
            auto pk = parse_public_key_b64(r.as_text(5));
            if (!pk) return errors::internal("stored sign_key of " + r.as_text(0) + " unreadable");
            m.sign_key = *pk;
            f.members.push_back(std::move(m));
        }
        auto gws = tx.query("SELECT id, owner, address, tls_cert_sha256 FROM gateways ORDER BY id");
        if (!gws) return gws.error();
        for (const auto& r : *gws) {
            auto owner = parse_member_id(r.as_text(1));
            if (!owner) return errors::internal("stored gateway owner unreadable");
            f.gateways.push_back(GatewayInfo{r.as_text(0), *owner, r.as_text(2), r.as_text(3)});
        }
        auto groups = tx.query("SELECT code, client_id FROM groups ORDER BY code, client_id");
        if (!groups) return groups.error();
        for (const auto& r : *groups) {
            auto c = parse_client_id(r.as_text(1));
            if (!c) return errors::internal("stored group client unreadable");
            if (f.groups.empty() || f.groups.back().code != r.as_text(0)) f.groups.push_back(GroupInfo{r.as_text(0), {}});
            f.groups.back().members.push_back(*c);
        }
        return f;
    });
}

}  // namespace idara::exchange::central_detail
