// System test of the message log: exchanges are logged and time-stamped by a running gateway; offline,
// `idara exchange log verify` catches an altered record (naming it), archives are written and verified,
// and an altered archive file is caught.
#include "system_fixture.hpp"

#include <sqlite3.h>

#include <filesystem>

namespace idara::systest {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Runs one SQL statement with text parameters; returns the first column of the first row ("" if none).
std::string sql(const std::string& db_path, const std::string& statement, const std::vector<std::string>& params = {}) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        std::string e = db ? sqlite3_errmsg(db) : "open";
        sqlite3_close(db);
        throw std::runtime_error("sqlite open " + db_path + ": " + e);
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, statement.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        std::string e = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw std::runtime_error("sqlite prepare '" + statement + "': " + e);
    }
    for (size_t i = 0; i < params.size(); ++i)
        sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    std::string out;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out.assign(reinterpret_cast<const char*>(sqlite3_column_blob(st, 0)), static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        std::string e = sqlite3_errmsg(db);
        sqlite3_finalize(st);
        sqlite3_close(db);
        throw std::runtime_error("sqlite step '" + statement + "': " + e);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

itest::CommandResult verify(const SystemEnv& env) {
    return itest::run_idara({"exchange", "log", "verify", "--dir", env.gw_dir(Gw::univ)});
}

// 11. Log verification catches an altered record and an altered archive file.
TEST(SystemLog, VerifyCatchesAlteredRecordAndArchive) {
    std::unique_ptr<SystemEnv> env;
    ASSERT_NO_THROW(env = std::make_unique<SystemEnv>());
    const std::string student = demo_student();
    std::vector<std::string> qids;
    for (int i = 0; i < 3; ++i) {
        qids.push_back(new_query_id("logged"));
        ASSERT_TRUE(is_ok(env->bac(student, qids.back()))) << env->logs();
    }
    ASSERT_TRUE(is_ok(env->birth(demo_national_id())));
    ASSERT_TRUE(env->wait_all_stamped(Gw::univ, 20s)) << env->admin_get(Gw::univ, "/metrics").body << env->logs();
    env->stop_gateway(Gw::univ);

    auto ok = verify(*env);
    ASSERT_EQ(ok.exit_code, 0) << ok.output;

    // Alter one stamped record: the verifier fails and names it.
    const std::string db = env->gw_dir(Gw::univ) + "/gateway.db";
    const std::string id = sql(db, "SELECT CAST(id AS TEXT) FROM records WHERE query_id = ?", {qids[1]});
    ASSERT_FALSE(id.empty()) << "no record for " << qids[1];
    ASSERT_FALSE(sql(db, "SELECT CAST(batch_id AS TEXT) FROM records WHERE id = ?", {id}).empty()) << "not stamped";
    const std::string original = sql(db, "SELECT request_canonical FROM records WHERE id = ?", {id});
    ASSERT_NE(original.find(student), std::string::npos) << original;
    std::string altered = original;
    altered.replace(altered.find(student), student.size(), std::string(student.size(), '9'));
    sql(db, "UPDATE records SET request_canonical = ? WHERE id = ?", {altered, id});
    auto bad = verify(*env);
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find("record " + id), std::string::npos) << bad.output;

    // Put it back: verified again. Then archive and verify the archives.
    sql(db, "UPDATE records SET request_canonical = ? WHERE id = ?", {original, id});
    ok = verify(*env);
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    auto archived = itest::run_idara({"exchange", "log", "archive", "--dir", env->gw_dir(Gw::univ)});
    ASSERT_EQ(archived.exit_code, 0) << archived.output;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(env->gw_dir(Gw::univ) + "/archive"))
        if (e.path().extension() == ".json") files.push_back(e.path());
    ASSERT_FALSE(files.empty());
    EXPECT_EQ(sql(db, "SELECT CAST(count(*) AS TEXT) FROM records WHERE query_id = ?", {qids[1]}), "0")
        << "archived records leave the database";
    ok = verify(*env);
    ASSERT_EQ(ok.exit_code, 0) << ok.output;

    // Alter the archive file holding the record: one character of its X-Road-Id.
    fs::path holder;
    std::string text;
    for (const auto& f : files) {
        text = read_text(f.string());
        if (text.find(qids[1]) != std::string::npos) {
            holder = f;
            break;
        }
    }
    ASSERT_FALSE(holder.empty()) << "no archive holds " << qids[1];
    std::string changed = qids[1];
    changed.back() = changed.back() == '0' ? '1' : '0';
    for (size_t pos = text.find(qids[1]); pos != std::string::npos; pos = text.find(qids[1], pos + 1))
        text.replace(pos, qids[1].size(), changed);
    write_text(holder.string(), text);
    bad = verify(*env);
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find(holder.filename().string()), std::string::npos) << bad.output;
}

// An exchange the client gateway's log cannot keep is not handed to the information system: another
// process holds gateway.db's write lock past the log's busy timeout, so the append fails and the
// answer is a MessageLogFailed error; once the lock is gone, exchanges go through again.
TEST(SystemLog, AnExchangeTheLogCannotKeepIsNotDelivered) {
    std::unique_ptr<SystemEnv> env;
    ASSERT_NO_THROW(env = std::make_unique<SystemEnv>());
    const std::string student = demo_student();
    ASSERT_TRUE(is_ok(env->bac(student))) << env->logs();

    const std::string db_path = env->gw_dir(Gw::univ) + "/gateway.db";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    const auto refused = env->bac(student);
    EXPECT_TRUE(is_xroad_error(refused, 500, "Server.ClientProxy.MessageLogFailed")) << env->logs();
    EXPECT_EQ(refused.body.find(student), std::string::npos) << "the data must not be delivered: " << refused.body;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);

    EXPECT_TRUE(is_ok(env->bac(student))) << env->logs();
}

}  // namespace
}  // namespace idara::systest
