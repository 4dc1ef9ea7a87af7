// Identifiers and request targets (exchange/ids.hpp), keys and base64 (exchange/ed25519.hpp).
#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace idara::exchange;

TEST(ProtocolIds, ValidParts) {
    EXPECT_TRUE(valid_part("MA"));
    EXPECT_TRUE(valid_part("bac-results"));
    EXPECT_TRUE(valid_part("a.b_c-9"));
    EXPECT_TRUE(valid_part(std::string(64, 'x')));
    EXPECT_FALSE(valid_part(""));
    EXPECT_FALSE(valid_part("."));
    EXPECT_FALSE(valid_part(".."));
    EXPECT_FALSE(valid_part(std::string(65, 'x')));
    for (const char* bad : {"a b", "a/b", "é", "a%2f", "a:b", "a\nb", "a*"}) EXPECT_FALSE(valid_part(bad)) << bad;
}

TEST(ProtocolIds, MemberAndClient) {
    auto m = parse_member_id("MA/GOV/MEN");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->instance, "MA");
    EXPECT_EQ(m->member_class, "GOV");
    EXPECT_EQ(m->member_code, "MEN");
    EXPECT_EQ(m->str(), "MA/GOV/MEN");

    auto c = parse_client_id("MA/GOV/UNIV/registration");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->subsystem, "registration");
    EXPECT_EQ(c->str(), "MA/GOV/UNIV/registration");
    EXPECT_EQ(c->member().str(), "MA/GOV/UNIV");

    auto whole = parse_client_id("MA/GOV/UNIV");
    ASSERT_TRUE(whole);
    EXPECT_TRUE(whole->subsystem.empty());
    EXPECT_EQ(whole->str(), "MA/GOV/UNIV");

    for (const char* bad : {"", "MA", "MA/GOV", "MA/GOV/MEN/x/y", "MA//MEN", "MA/GOV/MEN/", "/MA/GOV/MEN",
                            "MA/GOV/..", "MA/GOV/M EN"}) {
        auto r = parse_client_id(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_identifier");
        EXPECT_EQ(r.error().status, 400);
    }
    EXPECT_FALSE(parse_member_id("MA/GOV/UNIV/registration"));
    EXPECT_FALSE(parse_client_id(std::string(300, 'a')));
}

TEST(ProtocolIds, ServiceTarget) {
    auto t = parse_target("/r1/MA/GOV/MEN/bac-results/bac-result/results/123?x=1&y=%20");
    ASSERT_TRUE(t) << t.error().detail;
    EXPECT_EQ(t->kind, Target::Kind::service);
    EXPECT_EQ(t->service.provider.str(), "MA/GOV/MEN/bac-results");
    EXPECT_EQ(t->service.service_code, "bac-result");
    EXPECT_EQ(t->service.str(), "MA/GOV/MEN/bac-results/bac-result");
    EXPECT_EQ(t->rest, "/results/123");
    EXPECT_EQ(t->query, "x=1&y=%20");

    auto bare = parse_target("/r1/MA/GOV/MEN/bac-results/bac-result");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->rest, "");
    EXPECT_EQ(bare->query, "");

    auto slash = parse_target("/r1/MA/GOV/MEN/bac-results/bac-result/");
    ASSERT_TRUE(slash);
    EXPECT_EQ(slash->rest, "/");

    auto encoded = parse_target("/r1/MA/GOV/MEN/s/c/a%20b/%C3%A9");
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->rest, "/a%20b/%C3%A9");  // percent-encoding kept

    auto meta = parse_target("/r1/MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=bac-result");
    ASSERT_TRUE(meta);
    EXPECT_TRUE(is_metaservice(meta->service.service_code));
    EXPECT_EQ(meta->query, "serviceCode=bac-result");
    EXPECT_TRUE(is_metaservice("listMethods"));
    EXPECT_TRUE(is_metaservice("allowedMethods"));
    EXPECT_FALSE(is_metaservice("listClients"));
    EXPECT_FALSE(is_metaservice("bac-result"));
}

TEST(ProtocolIds, ListClients) {
    auto t = parse_target("/r1/MA/listClients");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, Target::Kind::list_clients);
    EXPECT_EQ(t->instance, "MA");
    auto q = parse_target("/r1/MA/listClients?format=json");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->kind, Target::Kind::list_clients);
    EXPECT_FALSE(parse_target("/r1/../listClients"));
    EXPECT_FALSE(parse_target("/r1/MA/listClients/x"));
}

TEST(ProtocolIds, BadTargets) {
    const std::string long_target = "/r1/MA/GOV/MEN/s/c/" + std::string(4100, 'a');
    for (const std::string& bad : std::vector<std::string>{
             "", "/", "/r1", "/r1/", "/r2/MA/GOV/MEN/s/c", "/R1/MA/GOV/MEN/s/c", "r1/MA/GOV/MEN/s/c",
          "/r1/MA/GOV/MEN/s", "/r1/MA/GOV/MEN//c", "/r1/MA/GOV/MEN/s/c//x", "/r1/MA/GOV/MEN/s/c/../x",
          "/r1/MA/GOV/MEN/s/c/x/..", "/r1/MA/GOV/MEN/s/c/./x", "/r1/MA/GOV/MEN/s/c/%2e%2E/x",
          "/r1/MA/GOV/MEN/s/c/.%2e", "/r1/MA/GOV/../s/c", "/r1/MA/GOV/MEN/s/c/a b", "/r1/MA/GOV/MEN/s/c/a\tb",
          "/r1/MA/GOV/MEN/s/c#frag", "/r1/MA/GOV/MEN/s/c/\x80", "/r1/MA/GOV/ME*N/s/c", "/r1/MA/GOV/MEN/s/c\\x",
          long_target}) {
        auto t = parse_target(bad);
        ASSERT_FALSE(t) << bad;
        EXPECT_EQ(t.error().code, "exchange.bad_identifier") << bad;
        EXPECT_EQ(t.error().status, 400);
    }
    // ".." inside a segment is an ordinary name.
    EXPECT_TRUE(parse_target("/r1/MA/GOV/MEN/s/c/a..b"));
}

TEST(ProtocolKeys, Base64) {
    EXPECT_EQ(b64(""), "");
    EXPECT_EQ(b64("f"), "Zg==");
    EXPECT_EQ(b64("foob"), "Zm9vYg==");
    auto back = unb64("Zm9vYg==");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, "foob");
    EXPECT_EQ(*unb64(""), "");
    for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v\nYg==", "Zm9v-_==", "Zm9vYg==AAAA=", " Zg=", "Zm9\xf4Yg=="}) {
        auto r = unb64(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_base64");
    }
}

TEST(ProtocolKeys, SignVerifyAndKeyId) {
    const auto k = SigningKey::generate();
    const auto sig = k.sign("hello");
    EXPECT_EQ(sig.size(), 64u);
    EXPECT_TRUE(verify_signature(k.public_key(), "hello", sig));
    EXPECT_FALSE(verify_signature(k.public_key(), "hellO", sig));
    EXPECT_FALSE(verify_signature(k.public_key(), "hello", sig.substr(0, 63)));
    const auto other = SigningKey::generate();
    EXPECT_FALSE(verify_signature(other.public_key(), "hello", sig));
    EXPECT_EQ(k.key_id().size(), 16u);
    EXPECT_EQ(k.key_id(), key_id_of(k.public_key()));
    EXPECT_NE(k.key_id(), other.key_id());
    auto pk = parse_public_key_b64(k.public_key_b64());
    ASSERT_TRUE(pk);
    EXPECT_EQ(*pk, k.public_key());
    auto short_key = parse_public_key_b64(b64("0123456789"));
    ASSERT_FALSE(short_key);
    EXPECT_EQ(short_key.error().code, "exchange.bad_base64");
}

class KeyFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("idara-protocol-keys-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const char* f) const { return (dir_ / f).string(); }
    std::filesystem::path dir_;
};

TEST_F(KeyFile, SaveLoadRoundTrip) {
    const auto k = SigningKey::generate();
    ASSERT_TRUE(k.save(path("sign.key")));
    struct stat st {};
    ASSERT_EQ(::stat(path("sign.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto loaded = SigningKey::load(path("sign.key"));
    ASSERT_TRUE(loaded) << loaded.error().detail;
    EXPECT_EQ(loaded->public_key(), k.public_key());
    EXPECT_TRUE(verify_signature(k.public_key(), "x", loaded->sign("x")));
    std::ifstream in(path("sign.key"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line.size(), 44u);  // base64 of a 32-byte seed
    // No temporary file left behind.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(KeyFile, LoadErrors) {
    auto missing = SigningKey::load(path("none.key"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "exchange.key_file");
    EXPECT_EQ(missing.error().status, 500);
    for (const std::string& content : std::vector<std::string>{std::string(""), std::string("not base64!\n"), b64("short") + "\n",
                                      std::string(1000, 'A')}) {
        std::ofstream(path("bad.key"), std::ios::trunc) << content;
        auto r = SigningKey::load(path("bad.key"));
        ASSERT_FALSE(r) << content;
        EXPECT_EQ(r.error().code, "exchange.key_file");
    }
    const auto k = SigningKey::generate();
    auto unwritable = k.save(path("no-such-dir/sign.key"));
    ASSERT_FALSE(unwritable);
    EXPECT_EQ(unwritable.error().code, "exchange.key_file");
}

}  // namespace
