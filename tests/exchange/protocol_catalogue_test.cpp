// Every error code of the exchange sources and every X-Road error type of the design note has a
// message in Arabic and in French; X-Road error bodies carry them (exchange/xerror.hpp).
#include "core/i18n.hpp"
#include "error_codes.hpp"
#include "exchange/xerror.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

using idara::i18n::catalogue;
using idara::i18n::kAllLangs;
using idara::i18n::Lang;
using namespace idara::exchange;

std::vector<std::string> exchange_sources() {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(std::string(IDARA_TEST_SOURCE_DIR) + "/src/exchange"))
        if (e.path().extension() == ".cpp") files.push_back("src/exchange/" + e.path().filename().string());
    return files;
}

// The X-Road error types listed in docs/design/exchange.md, section "Errors".
std::set<std::string> design_types() {
    std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/docs/design/exchange.md");
    EXPECT_TRUE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const auto start = text.find("## Errors");
    EXPECT_NE(start, std::string::npos);
    const auto end = text.find("\n## ", start + 1);
    const std::string section = text.substr(start, end - start);
    // Every "Client.X" or "Server.Y.Z" word made only of letters and dots (not "Client.*").
    std::set<std::string> types;
    auto word_char = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '.'; };
    for (std::size_t i = 0; i < section.size(); ++i) {
        if (i > 0 && word_char(section[i - 1])) continue;
        std::size_t j = i;
        while (j < section.size() && word_char(section[j])) ++j;
        std::string w = section.substr(i, j - i);
        while (!w.empty() && w.back() == '.') w.pop_back();
        if ((w.rfind("Client.", 0) == 0 || w.rfind("Server.", 0) == 0) && w != "Server.ClientProxy" &&
            w != "Server.ServerProxy")
            types.insert(w);
        if (j > i) i = j - 1;
    }
    return types;
}

TEST(ProtocolCatalogue, EveryExchangeErrorCodeHasBothMessages) {
    const auto codes = idara::testing::error_codes_in(exchange_sources());
    const std::set<std::string> protocol = {"exchange.bad_identifier",     "exchange.bad_base64",
                                            "exchange.key_file",           "exchange.bad_configuration",
                                            "exchange.configuration_signature", "exchange.bad_header",
                                            "exchange.bad_signature_header", "exchange.bad_access_rule",
                                            "exchange.bad_gateway_config", "exchange.bad_address",
                                            "exchange.conf_cache",         "exchange.bad_certificate"};
    for (const auto& c : protocol) EXPECT_TRUE(codes.count(c)) << c << " not found in the sources";
    for (const auto& code : codes) {
        if (code.rfind("exchange.", 0) != 0) continue;  // other modules' codes live in their catalogues
        for (auto l : kAllLangs) EXPECT_TRUE(catalogue().has(l, "error." + code)) << code;
    }
    for (const char* code : {"exchange.bad_registration", "exchange.duplicate", "exchange.log_unavailable",
                             "exchange.bad_demo_kind"})
        for (auto l : kAllLangs) EXPECT_TRUE(catalogue().has(l, std::string("error.") + code)) << code;
}

TEST(ProtocolCatalogue, EveryXRoadTypeHasBothMessages) {
    const auto types = design_types();
    EXPECT_GE(types.size(), 21u);
    EXPECT_TRUE(types.count("Server.ServerProxy.AccessDenied"));
    for (const auto& t : types)
        for (auto l : kAllLangs) EXPECT_TRUE(catalogue().has(l, "xroad." + t)) << t;
}

TEST(ProtocolCatalogue, SameKeysInBothLanguagesOfExchangeJson) {
    std::set<std::string> ar, fr;
    for (const auto& k : catalogue().keys(Lang::ar))
        if (k.rfind("error.exchange.", 0) == 0 || k.rfind("xroad.", 0) == 0) ar.insert(k);
    for (const auto& k : catalogue().keys(Lang::fr))
        if (k.rfind("error.exchange.", 0) == 0 || k.rfind("xroad.", 0) == 0) fr.insert(k);
    EXPECT_EQ(ar, fr);
}

TEST(ProtocolXError, StatusByType) {
    EXPECT_EQ((XError{"Client.InvalidRequest", ""}.status()), 400);
    EXPECT_EQ((XError{"Client.UnknownMember", ""}.status()), 400);
    EXPECT_EQ((XError{"Server.ServerProxy.AccessDenied", ""}.status()), 500);
    EXPECT_EQ((XError{"Server.ClientProxy.NetworkError", ""}.status()), 500);
}

TEST(ProtocolXError, DetailIdIsUuidV4) {
    auto is_uuid_v4 = [](const std::string& id) {
        if (id.size() != 36 || id[14] != '4' || std::string("89ab").find(id[19]) == std::string::npos) return false;
        for (std::size_t i = 0; i < id.size(); ++i) {
            const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash != (id[i] == '-')) return false;
            if (!dash && !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
            if (!dash && std::isupper(static_cast<unsigned char>(id[i]))) return false;
        }
        return true;
    };
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto id = new_detail_id();
        EXPECT_TRUE(is_uuid_v4(id)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(ProtocolXError, BodyInBothLanguages) {
    const XError e{"Server.ServerProxy.AccessDenied", "rule list empty"};
    const auto body = xerror_body(e, catalogue(), "0b4f2c1e-1111-4222-8333-444455556666");
    const auto v = boost::json::parse(body).as_object();
    EXPECT_EQ(v.at("type").as_string(), "Server.ServerProxy.AccessDenied");
    const auto fr = catalogue().get(Lang::fr, "xroad.Server.ServerProxy.AccessDenied");
    const auto ar = catalogue().get(Lang::ar, "xroad.Server.ServerProxy.AccessDenied");
    EXPECT_NE(fr, "xroad.Server.ServerProxy.AccessDenied");
    EXPECT_EQ(v.at("message").as_string(), fr);
    EXPECT_EQ(v.at("message_fr").as_string(), fr);
    EXPECT_EQ(v.at("message_ar").as_string(), ar);
    EXPECT_EQ(v.at("detail").as_string(), "0b4f2c1e-1111-4222-8333-444455556666");
    EXPECT_EQ(body.find("rule list empty"), std::string::npos);  // technical text never sent
    EXPECT_EQ(xerror_type_of(body), "Server.ServerProxy.AccessDenied");
}

TEST(ProtocolXError, TypeOfForeignBodies) {
    for (const char* bad : {"", "null", "[]", "{}", R"({"type": "Server.X"})", R"({"type": 1, "detail": "d"})",
                            R"({"type": "Other.X", "detail": "d"})", R"({"type": "Client.<script>", "detail": "d"})",
                            "{\"type\": \"Client.X\", \"detail\": \"d\"", "<html>500</html>"})
        EXPECT_EQ(xerror_type_of(bad), "") << bad;
    EXPECT_EQ(xerror_type_of(R"({"type": "Client.InvalidRequest", "message": "m", "detail": "d"})"),
              "Client.InvalidRequest");
}

}  // namespace
