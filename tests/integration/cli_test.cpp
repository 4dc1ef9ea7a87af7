// The idara binary's command line: help, configuration errors, init, migrate, users, tokens.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace idara::itest;

TEST(Cli, HelpListsTheCommands) {
    auto r = run_idara({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* c : {"serve", "init", "migrate", "user", "token", "admin"})
        EXPECT_NE(r.output.find(c), std::string::npos) << c;
}

TEST(Cli, UnknownCommandIsAUsageError) {
    EXPECT_EQ(run_idara({"frobnicate"}).exit_code, 2);
}

TEST(Cli, InvalidConfigFileNamesTheKeyAndExitsWith2) {
    TempDir d;
    const std::string cfg = d.path() + "/bad.toml";
    std::ofstream(cfg) << "[server]\nprot = 8080\n";
    auto r = run_idara({"migrate", "--status", "--config", cfg, "--data-dir", d.path() + "/var"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("server.prot"), std::string::npos) << r.output;
}

TEST(Cli, InvalidSettingFlagExitsWith2) {
    TempDir d;
    auto r = run_idara({"serve", "--data-dir", d.path(), "--set", "server.port=eighty"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("server.port"), std::string::npos) << r.output;
    r = run_idara({"serve", "--data-dir", d.path(), "--set", "storage.backend=oracle"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("storage.backend"), std::string::npos) << r.output;
}

TEST(Cli, InitCreatesDataOnceAndMigrateReportsVersion) {
    TempDir d;
    const std::string var = d.path() + "/var";
    auto r = run_idara({"init", "--data-dir", var});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = run_idara({"init", "--data-dir", var});
    EXPECT_EQ(r.exit_code, 1) << "a second init must refuse to touch existing data";
    r = run_idara({"migrate", "--status", "--data-dir", var});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("up to date"), std::string::npos) << r.output;
}

TEST(Cli, ServeRefusesAnUninitialisedDataDirectory) {
    TempDir d;
    auto r = run_idara({"serve", "--data-dir", d.path() + "/nothing", "--port", "0"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("idara init"), std::string::npos) << r.output;
}

TEST(Cli, DemoInitPrintsLoginsOfEveryKindAndRole) {
    TempDir d;
    auto r = run_idara({"init", "--demo", "--data-dir", d.path() + "/var"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* w : {"citizen", "company", "operator", "agent", "registry_clerk", "unit_head", "signer", "admin"})
        EXPECT_NE(r.output.find(w), std::string::npos) << w;
    auto admins = run_idara({"admin", "list", "--data-dir", d.path() + "/var"});
    EXPECT_EQ(admins.exit_code, 0);
    EXPECT_GE(std::count(admins.output.begin(), admins.output.end(), '\n'), 3) << admins.output;
}

TEST(Cli, UserAddReadsPasswordFromStdinAndEnforcesPolicy) {
    TempDir d;
    const std::string var = d.path() + "/var";
    ASSERT_EQ(run_idara({"init", "--demo", "--data-dir", var}).exit_code, 0);
    auto weak = run_idara({"user", "add", "--data-dir", var, "--kind", "citizen", "--login", "weak@example.ma",
                           "--name", "Weak"}, "short\n");
    EXPECT_EQ(weak.exit_code, 1) << weak.output;
    auto ok = run_idara({"user", "add", "--data-dir", var, "--kind", "staff", "--login", "new.agent@mef.gov.ma",
                         "--name", "Nouvel agent", "--admin", "MEF", "--role", "agent"},
                        "a-long-enough-passphrase-42\n");
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    auto dup = run_idara({"user", "add", "--data-dir", var, "--kind", "citizen", "--login", "new.agent@mef.gov.ma",
                          "--name", "Again"}, "a-long-enough-passphrase-42\n");
    EXPECT_EQ(dup.exit_code, 1) << dup.output;
    auto list = run_idara({"user", "list", "--data-dir", var, "--admin", "MEF"});
    EXPECT_NE(list.output.find("new.agent@mef.gov.ma"), std::string::npos) << list.output;
    // The password never appears in any output.
    EXPECT_EQ(list.output.find("a-long-enough-passphrase-42"), std::string::npos);
}

TEST(Cli, StaffNeedsAnAdministrationAndRole) {
    TempDir d;
    const std::string var = d.path() + "/var";
    ASSERT_EQ(run_idara({"init", "--demo", "--data-dir", var}).exit_code, 0);
    auto r = run_idara({"user", "add", "--data-dir", var, "--kind", "staff", "--login", "x@mef.gov.ma", "--name", "X"},
                       "a-long-enough-passphrase-42\n");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = run_idara({"user", "add", "--data-dir", var, "--kind", "staff", "--login", "x@mef.gov.ma", "--name", "X",
                   "--admin", "NOPE", "--role", "agent"}, "a-long-enough-passphrase-42\n");
    EXPECT_EQ(r.exit_code, 1) << r.output;
}
