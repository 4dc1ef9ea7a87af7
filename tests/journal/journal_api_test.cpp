// The journal through the real binary: a deposit through the API appends a leaf; an operator
// signs a tree head; public inclusion and consistency proofs that verify against it with the
// platform key from /.well-known/idara-keys.json; the leaf's facts only for its staff; the
// entry's proof for its depositor only; every bad parameter with its bilingual error; and
// `idara audit verify` / `idara audit sth` on the data directory, exit 1 with the first bad
// leaf once a row is altered.
#include "../integration/harness.hpp"
#include "journal/journal.hpp"
#include "storage/db.hpp"
#include "sample_pdf.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sodium.h>


using namespace idara::itest;
namespace json = boost::json;
namespace jrn = idara::journal;

namespace {

Server& server() {
    static Server s(true);
    return s;
}

void expect_error(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

std::string deposit(Server& s, const std::string& auth) {
    const std::string boundary = "----idaraJournalBoundary";
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"deposit\"\r\nContent-Type: application/json\r\n\r\n"
                       R"({"administration":"MEF","type":"letter","subject":"طلب شهادة","body":"نص"})"
                       "\r\n--" +
                       boundary +
                       "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"d.pdf\"\r\nContent-Type: "
                       "application/pdf\r\n\r\n" +
                       idara::testing::sample_pdf(1, "Demande") + "\r\n--" + boundary + "--\r\n";
    Client c;
    auto r = c.request("POST", s.url("/api/v1/deposits"),
                       {auth, "Content-Type: multipart/form-data; boundary=" + boundary}, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("register_number").as_string());
}

jrn::SignedTreeHead sth_of(const json::value& v) {
    auto s = jrn::sth_from_json(json::serialize(v));
    EXPECT_TRUE(s) << json::serialize(v);
    return s ? *s : jrn::SignedTreeHead{};
}

std::array<unsigned char, 32> platform_key(Server& s, const std::string& kid) {
    Client c;
    auto r = c.get(s.url("/.well-known/idara-keys.json"));
    EXPECT_EQ(r.status, 200);
    std::array<unsigned char, 32> pk{};
    const json::value doc = json::parse(r.body);
    for (const auto& k : doc.at("keys").as_array()) {
        if (k.at("kid").as_string() != kid) continue;
        const auto& text = k.at("public_key").as_string();
        std::size_t len = 0;
        EXPECT_EQ(sodium_base642bin(pk.data(), pk.size(), text.data(), text.size(), nullptr, &len, nullptr,
                                    sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  0);
        EXPECT_EQ(len, 32u);
    }
    return pk;
}

std::vector<jrn::Hash> hashes(const json::value& a) {
    std::vector<jrn::Hash> out;
    for (const auto& h : a.as_array()) {
        jrn::Hash x{};
        EXPECT_TRUE(jrn::from_hex(std::string(h.as_string()), x));
        out.push_back(x);
    }
    return out;
}

TEST(JournalApi, ProofsOfARealDepositVerifyAgainstTheSignedHead) {
    Server& s = server();
    const auto citizen = s.bearer("amina.elmansouri@example.ma");
    const auto other = s.bearer("youssef.benali@example.ma");
    const auto op = s.bearer("operateur@idara.ma");
    const auto clerk = s.bearer(demo_login(s.init_output(), {"staff", "registry_clerk", "MEF"}));
    const auto men_clerk = s.bearer(demo_login(s.init_output(), {"staff", "registry_clerk", "MEN"}));
    Client c;

    expect_error(c.get(s.url("/api/v1/journal/sth")), 404, "journal.no_sth");
    const std::string number = deposit(s, citizen);
    deposit(s, citizen);

    // Signing: operators and administrators only.
    expect_error(c.request("POST", s.url("/api/v1/journal/sth")), 401, "auth.required");
    expect_error(c.request("POST", s.url("/api/v1/journal/sth"), {citizen}), 403, "auth.forbidden");
    expect_error(c.request("POST", s.url("/api/v1/journal/sth"), {clerk}), 403, "auth.forbidden");
    auto made = c.request("POST", s.url("/api/v1/journal/sth"), {op});
    ASSERT_EQ(made.status, 201) << made.body;
    const auto first = sth_of(json::parse(made.body));
    EXPECT_EQ(first.tree_size, 2);
    EXPECT_EQ(first.kid.rfind("IDARA-", 0), 0u);
    EXPECT_TRUE(jrn::verify_sth_signature(first, platform_key(s, first.kid)));

    auto latest = c.get(s.url("/api/v1/journal/sth"));
    ASSERT_EQ(latest.status, 200);
    EXPECT_EQ(sth_of(json::parse(latest.body)).signature, first.signature);

    // Public inclusion proof: hash and path, no facts.
    auto inc = c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=1"));
    ASSERT_EQ(inc.status, 200) << inc.body;
    json::object p = json::parse(inc.body).as_object();
    EXPECT_EQ(p.if_contains("leaf_data"), nullptr);
    EXPECT_EQ(p.if_contains("subject"), nullptr);
    jrn::Hash leaf{};
    ASSERT_TRUE(jrn::from_hex(std::string(p.at("leaf_hash").as_string()), leaf));
    EXPECT_TRUE(jrn::verify_inclusion(1, 2, leaf, hashes(p.at("audit_path")), first.root_hash));
    // Staff of the leaf's administration see its facts; another administration's staff do not.
    auto staff_view = json::parse(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=0"), {clerk}).body);
    EXPECT_EQ(staff_view.at("subject").as_string(), "entry:" + number);
    EXPECT_EQ(staff_view.at("kind").as_string(), "deposit.registered");
    EXPECT_FALSE(staff_view.at("leaf_data").as_string().empty());
    auto men_view = json::parse(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=0"), {men_clerk}).body);
    EXPECT_EQ(men_view.as_object().if_contains("leaf_data"), nullptr);

    // The entry's own proof: its depositor and its administration's staff; nobody else.
    auto mine = c.get(s.url("/api/v1/entries/" + number + "/journal-proof"), {citizen});
    ASSERT_EQ(mine.status, 200) << mine.body;
    json::object m = json::parse(mine.body).as_object();
    EXPECT_EQ(m.at("leaf_index").as_int64(), 0);
    jrn::Hash mh{};
    ASSERT_TRUE(jrn::from_hex(std::string(m.at("leaf_hash").as_string()), mh));
    EXPECT_TRUE(jrn::verify_inclusion(0, 2, mh, hashes(m.at("audit_path")), first.root_hash));
    EXPECT_EQ(c.get(s.url("/api/v1/entries/" + number + "/journal-proof"), {clerk}).status, 200);
    expect_error(c.get(s.url("/api/v1/entries/" + number + "/journal-proof"), {other}), 404, "resource.not_found");
    expect_error(c.get(s.url("/api/v1/entries/" + number + "/journal-proof")), 401, "auth.required");

    // Consistency between two signed heads.
    deposit(s, citizen);
    auto second_made = c.request("POST", s.url("/api/v1/journal/sth"), {op});
    ASSERT_EQ(second_made.status, 201);
    const auto second = sth_of(json::parse(second_made.body));
    EXPECT_EQ(second.tree_size, 3);
    auto cons = c.get(s.url("/api/v1/journal/proof/consistency?first=2&second=3"));
    ASSERT_EQ(cons.status, 200) << cons.body;
    json::object co = json::parse(cons.body).as_object();
    EXPECT_TRUE(jrn::verify_consistency(2, 3, first.root_hash, second.root_hash, hashes(co.at("proof"))));
    EXPECT_EQ(sth_of(co.at("first_sth")).signature, first.signature);
    // The latest head now covers leaf 2 too, and an older head can be asked for by size.
    auto old = c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=0&tree_size=2"));
    ASSERT_EQ(old.status, 200);
    EXPECT_EQ(json::parse(old.body).at("tree_size").as_int64(), 2);

    // Every bad parameter.
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion")), 400, "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=abc")), 400, "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=-1")), 400, "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=99999999999999999999")), 400,
                 "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=3")), 400, "journal.bad_range");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=0&tree_size=1")), 404, "journal.not_found");
    expect_error(c.get(s.url("/api/v1/journal/proof/inclusion?leaf_index=0&tree_size=x")), 400,
                 "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/consistency?first=2")), 400, "journal.bad_parameter");
    expect_error(c.get(s.url("/api/v1/journal/proof/consistency?first=0&second=3")), 400, "journal.bad_range");
    expect_error(c.get(s.url("/api/v1/journal/proof/consistency?first=3&second=2")), 400, "journal.bad_range");
    expect_error(c.get(s.url("/api/v1/journal/proof/consistency?first=1&second=4")), 400, "journal.bad_range");
    expect_error(c.get(s.url("/api/v1/entries/MEF-2026-999999/journal-proof"), {citizen}), 404, "resource.not_found");
}

TEST(JournalCli, AuditVerifyFindsTheFirstAlteredLeaf) {
    Server s(true);
    const auto citizen = s.bearer("amina.elmansouri@example.ma");
    deposit(s, citizen);
    deposit(s, citizen);
    deposit(s, citizen);
    auto sth = run_idara({"audit", "sth", "--data-dir", s.data_dir()});
    ASSERT_EQ(sth.exit_code, 0) << sth.output;
    EXPECT_NE(sth.output.find("\"tree_size\":3"), std::string::npos) << sth.output;
    ASSERT_EQ(s.terminate(), 0);

    auto ok = run_idara({"audit", "verify", "--data-dir", s.data_dir()});
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("verified 3/3 leaves"), std::string::npos) << ok.output;  // not a terminal: plain lines
    auto js = run_idara({"audit", "verify", "--json", "--data-dir", s.data_dir()});
    EXPECT_EQ(js.exit_code, 0);
    EXPECT_NE(js.output.find("\"ok\":true"), std::string::npos) << js.output;

    // Alter leaf 1's data (one byte of its detail) behind the application's back.
    {
        idara::storage::SqliteOptions o;
        o.path = s.data_dir() + "/idara.db";
        auto db = idara::storage::open_sqlite(o);
        ASSERT_TRUE(db);
        ASSERT_TRUE((*db)->write_tx([](idara::storage::Tx& tx) -> idara::Status {
            auto row = tx.query_one("SELECT data FROM journal_leaves WHERE leaf_index = 1");
            if (!row) return row.error();
            std::string data = (*row)->as_blob(0).bytes;
            data[data.size() - 2] ^= 1;
            auto up = tx.exec("UPDATE journal_leaves SET data = $1 WHERE leaf_index = 1", {idara::storage::Blob{data}});
            if (!up) return up.error();
            return {};
        }));
    }
    auto bad = run_idara({"audit", "verify", "--data-dir", s.data_dir()});
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find("first bad leaf: 1 (altered)"), std::string::npos) << bad.output;
    auto bad_js = run_idara({"audit", "verify", "--json", "--data-dir", s.data_dir()});
    EXPECT_EQ(bad_js.exit_code, 1);
    EXPECT_NE(bad_js.output.find("\"first_bad_leaf\":1"), std::string::npos) << bad_js.output;
    EXPECT_NE(bad_js.output.find("\"fault\":\"altered\""), std::string::npos) << bad_js.output;
}

}  // namespace
