#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace idara::config;

namespace {
std::string error_of(const Sources& s) {
    try {
        load(s);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
std::string toml_error(std::string_view text) {
    try {
        parse_toml(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Config, DefaultsWithoutSources) {
    Config c = load({});
    EXPECT_EQ(c.server.port, 8080);
    EXPECT_EQ(c.storage.backend, "sqlite");
    EXPECT_TRUE(c.security.cookie_secure);
}

TEST(Config, ExampleFileParsesAndMatchesDefaults) {
    const char* src = IDARA_TEST_SOURCE_DIR;
    Config c = load({.file = std::string(src) + "/config/idara.example.toml"});
    Config d;
    EXPECT_EQ(c.server.port, d.server.port);
    EXPECT_EQ(c.server.max_body_bytes, d.server.max_body_bytes);
    EXPECT_EQ(c.storage.data_dir, d.storage.data_dir);
    EXPECT_EQ(c.log.level, d.log.level);
}

TEST(Config, ExampleFileDocumentsEveryKey) {
    const char* src = IDARA_TEST_SOURCE_DIR;
    std::ifstream in(std::string(src) + "/config/idara.example.toml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const auto& k : known_keys()) {
        auto name = k.substr(k.find('.') + 1);
        EXPECT_NE(text.find("\n" + name + " "), std::string::npos) << k;
    }
}

TEST(Config, FileThenEnvThenFlags) {
    Config c = load({.file = std::nullopt,
                     .env = {{"IDARA_SERVER_PORT", "9090"}, {"IDARA_LOG_LEVEL", "debug"}, {"PATH", "/bin"}},
                     .sets = {"server.port=9191"}});
    EXPECT_EQ(c.server.port, 9191);
    EXPECT_EQ(c.log.level, "debug");
    c = parse_toml("[server]\nport = 1234\naccess_log = false\n");
    EXPECT_EQ(c.server.port, 1234);
    EXPECT_FALSE(c.server.access_log);
}

TEST(Config, UnknownKeyIsNamed) {
    auto e = toml_error("[server]\nprot = 80\n");
    EXPECT_NE(e.find("unknown key 'server.prot'"), std::string::npos) << e;
    EXPECT_NE(e.find("line 2"), std::string::npos) << e;
    e = error_of({.sets = {"server.nope=1"}});
    EXPECT_NE(e.find("server.nope"), std::string::npos) << e;
    e = error_of({.env = {{"IDARA_SERVER_PROT", "1"}}});
    EXPECT_NE(e.find("IDARA_SERVER_PROT"), std::string::npos) << e;
}

TEST(Config, WrongTypeIsNamed) {
    auto e = toml_error("[server]\nport = \"eighty\"\n");
    EXPECT_NE(e.find("'server.port' must be an integer"), std::string::npos) << e;
    e = toml_error("[server]\naccess_log = 1\n");
    EXPECT_NE(e.find("'server.access_log' must be true or false"), std::string::npos) << e;
    e = error_of({.env = {{"IDARA_SERVER_PORT", "80x"}}});
    EXPECT_NE(e.find("IDARA_SERVER_PORT"), std::string::npos) << e;
}

TEST(Config, OutOfRangeAndEnumsAreRefused) {
    EXPECT_NE(toml_error("[server]\nport = 70000\n").find("between 0 and 65535"), std::string::npos);
    EXPECT_NE(toml_error("[storage]\nbackend = \"mysql\"\n").find("one of sqlite, postgres"), std::string::npos);
    EXPECT_NE(toml_error("server = 3\n").find("[section]"), std::string::npos);
}

TEST(Config, SyntaxErrorHasPosition) {
    auto e = toml_error("[server\nport = 1\n");
    EXPECT_NE(e.find("line 1"), std::string::npos) << e;
}

TEST(Config, PostgresNeedsDsn) {
    auto e = error_of({.sets = {"storage.backend=postgres"}});
    EXPECT_NE(e.find("storage.postgres_dsn"), std::string::npos) << e;
}

TEST(Config, MissingFileIsAnError) {
    auto e = error_of({.file = "/nonexistent/idara.toml"});
    EXPECT_NE(e.find("cannot be read"), std::string::npos) << e;
}
