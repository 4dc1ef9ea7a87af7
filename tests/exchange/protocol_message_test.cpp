// Canonical texts, signatures and the request hash (exchange/message.hpp).
#include "exchange/message.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace {

using namespace idara::exchange;

RequestParts sample_request() {
    RequestParts r;
    r.method = "GET";
    r.target = "/r1/MA/GOV/MEN/bac-results/bac-result/results/123?x=1";
    r.client = "MA/GOV/UNIV/registration";
    r.query_id = "q-1";
    r.user_id = "MA123";
    r.issue = "";
    r.content_type = "";
    r.body_sha256 = sha256("");
    return r;
}

ResponseParts sample_response(const std::string& req_hash) {
    ResponseParts r;
    r.status = 200;
    r.query_id = "q-1";
    r.request_hash = req_hash;
    r.content_type = "application/json";
    r.body_sha256 = sha256(R"({"ok":true})");
    return r;
}

TEST(ProtocolMessage, Sha256AndHasher) {
    EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BodyHasher h;
    h.update("a");
    h.update("");
    h.update("bc");
    EXPECT_EQ(h.finish(), sha256("abc"));
    BodyHasher empty;
    EXPECT_EQ(empty.finish(), sha256(""));
}

TEST(ProtocolMessage, RequestCanonicalExact) {
    auto c = canonical(sample_request());
    ASSERT_TRUE(c);
    EXPECT_EQ(*c,
              "idara-exchange-v1\nrequest\nGET\n/r1/MA/GOV/MEN/bac-results/bac-result/results/123?x=1\n"
              "MA/GOV/UNIV/registration\nq-1\nMA123\n\n\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
}

TEST(ProtocolMessage, ResponseCanonicalExact) {
    auto c = canonical(sample_response("HASH="));
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, "idara-exchange-v1\nresponse\n200\nq-1\nHASH=\napplication/json\n" + hex(sha256(R"({"ok":true})")) +
                      "\n");
}

TEST(ProtocolMessage, LineBreaksRefused) {
    std::vector<std::function<void(RequestParts&)>> edits = {
        [](RequestParts& r) { r.method = "GET\n"; },         [](RequestParts& r) { r.target += "\r"; },
        [](RequestParts& r) { r.client += "\nX"; },          [](RequestParts& r) { r.query_id = "a\r\nb"; },
        [](RequestParts& r) { r.user_id = "\n"; },           [](RequestParts& r) { r.issue = "x\ry"; },
        [](RequestParts& r) { r.content_type = "text/plain\n"; }};
    for (const auto& edit : edits) {
        auto r = sample_request();
        edit(r);
        auto c = canonical(r);
        ASSERT_FALSE(c);
        EXPECT_EQ(c.error().code, "exchange.bad_header");
        EXPECT_EQ(c.error().status, 400);
    }
    auto resp = sample_response("h");
    resp.request_hash = "h\n";
    ASSERT_FALSE(canonical(resp));
    resp = sample_response("h");
    resp.content_type = "a\rb";
    auto c = canonical(resp);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, "exchange.bad_header");
}

TEST(ProtocolMessage, RequestHashStable) {
    const auto c = *canonical(sample_request());
    EXPECT_EQ(request_hash(c), request_hash(c));
    EXPECT_EQ(request_hash(c), b64(std::string(reinterpret_cast<const char*>(sha256(c).data()), 32)));
    EXPECT_EQ(request_hash(c).size(), 44u);
    auto other = sample_request();
    other.query_id = "q-2";
    EXPECT_NE(request_hash(*canonical(other)), request_hash(c));
}

TEST(ProtocolMessage, SignAndVerifyRequest) {
    const auto key = SigningKey::generate();
    const MemberId univ{"MA", "GOV", "UNIV"};
    const auto c = *canonical(sample_request());
    const auto header = signature_header(univ, key, c);
    EXPECT_EQ(header.rfind("v1;member=MA/GOV/UNIV;sig=", 0), 0u);
    auto parsed = parse_signature_header(header);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(parsed->signer, univ);
    EXPECT_EQ(parsed->sig.size(), 64u);
    EXPECT_TRUE(verify_canonical(key.public_key(), c, parsed->sig));
    EXPECT_FALSE(verify_canonical(SigningKey::generate().public_key(), c, parsed->sig));
}

TEST(ProtocolMessage, EveryRequestFieldIsCovered) {
    const auto key = SigningKey::generate();
    const auto base = sample_request();
    const auto sig = parse_signature_header(signature_header({"MA", "GOV", "UNIV"}, key, *canonical(base)))->sig;
    std::vector<std::function<void(RequestParts&)>> flips = {
        [](RequestParts& r) { r.method = "POST"; },
        [](RequestParts& r) { r.target += "0"; },
        [](RequestParts& r) { r.client = "MA/GOV/UNIV/library"; },
        [](RequestParts& r) { r.query_id = "q-2"; },
        [](RequestParts& r) { r.user_id = "MA124"; },
        [](RequestParts& r) { r.issue = "1"; },
        [](RequestParts& r) { r.content_type = "application/json"; },
        [](RequestParts& r) { r.body_sha256[31] ^= 1; }};
    for (std::size_t i = 0; i < flips.size(); ++i) {
        auto r = base;
        flips[i](r);
        EXPECT_FALSE(verify_canonical(key.public_key(), *canonical(r), sig)) << "field " << i;
    }
    // Moving a value between adjacent fields changes the text too.
    auto shifted = base;
    shifted.user_id = "";
    shifted.issue = "MA123";
    EXPECT_FALSE(verify_canonical(key.public_key(), *canonical(shifted), sig));
}

TEST(ProtocolMessage, EveryResponseFieldIsCovered) {
    const auto key = SigningKey::generate();
    const auto base = sample_response(request_hash(*canonical(sample_request())));
    const auto c = *canonical(base);
    const auto sig = key.sign(std::string(reinterpret_cast<const char*>(sha256(c).data()), 32));
    EXPECT_TRUE(verify_canonical(key.public_key(), c, sig));
    std::vector<std::function<void(ResponseParts&)>> flips = {
        [](ResponseParts& r) { r.status = 201; },
        [](ResponseParts& r) { r.query_id = "q-9"; },
        [](ResponseParts& r) { r.request_hash[0] ^= 1; },
        [](ResponseParts& r) { r.content_type = "text/plain"; },
        [](ResponseParts& r) { r.body_sha256[0] ^= 0x80; }};
    for (std::size_t i = 0; i < flips.size(); ++i) {
        auto r = base;
        flips[i](r);
        EXPECT_FALSE(verify_canonical(key.public_key(), *canonical(r), sig)) << "field " << i;
    }
}

TEST(ProtocolMessage, BadSignatureHeaders) {
    const auto key = SigningKey::generate();
    const std::string sig = b64(key.sign("x"));
    for (const std::string& bad :
         std::vector<std::string>{std::string(""), std::string("v1"), "v2;member=MA/GOV/MEN;sig=" + sig, "v1;sig=" + sig + ";member=MA/GOV/MEN",
          "v1;member=MA/GOV/MEN/sub;sig=" + sig, "v1;member=MA/GOV;sig=" + sig, "v1;member=MA/GOV/MEN;sig=",
          "v1;member=MA/GOV/MEN;sig=" + b64(std::string(63, 'x')), "v1;member=MA/GOV/MEN;sig=" + sig + ";x=1",
          "v1;member=MA/GOV/MEN;sig=" + sig + " ", " v1;member=MA/GOV/MEN;sig=" + sig,
          "v1;member=MA/GOV/MEN;sig=" + sig.substr(1), "V1;member=MA/GOV/MEN;sig=" + sig,
          "v1;member=MA/GOV/MEN;sig=" + sig + std::string(600, 'A')}) {
        auto r = parse_signature_header(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_signature_header") << bad;
        EXPECT_EQ(r.error().status, 400);
    }
    EXPECT_TRUE(parse_signature_header("v1;member=MA/GOV/MEN;sig=" + sig));
}

}  // namespace
