// multipart/form-data parsing (http/multipart.hpp): round trips, the RFC 2046
// delimiter rules, Content-Disposition parameters, limits and every refusal.
#include "http/multipart.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace idara::http;
using namespace std::string_literals;

namespace {

constexpr const char* kCt = "multipart/form-data; boundary=XyZ";

std::string part(std::string_view headers, std::string_view body) {
    return "--XyZ\r\n" + std::string(headers) + "\r\n\r\n" + std::string(body) + "\r\n";
}

std::string field(std::string_view name, std::string_view value) {
    return part("Content-Disposition: form-data; name=\"" + std::string(name) + "\"", value);
}

const std::string kEnd = "--XyZ--\r\n";

void expect_error(const idara::Result<std::vector<Part>>& r, std::string_view code, int status) {
    ASSERT_FALSE(r) << "parsed " << r->size() << " parts";
    EXPECT_EQ(r.error().code, code) << r.error().detail;
    EXPECT_EQ(r.error().status, status) << r.error().detail;
    EXPECT_FALSE(r.error().detail.empty());
}

}  // namespace

TEST(Multipart, RoundTripBuildThenParse) {
    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
    binary += "\r\n--\r\n\r\n--idara-\r\n";
    const std::vector<Part> in = {
        {"subject", std::nullopt, "text/plain", "طلب شهادة"},
        {"file", std::string("scan \"1\" é.pdf"), "application/pdf", binary},
        {"back\\slash \"q\"", std::nullopt, "text/csv", "a,b"},
        {"empty", std::string(""), "application/octet-stream", ""},
        {"note", std::nullopt, "text/plain", ""},
    };
    const auto built = build_multipart(in);
    EXPECT_EQ(built.content_type.rfind("multipart/form-data; boundary=", 0), 0u);
    auto out = parse_multipart(built.content_type, built.body);
    ASSERT_TRUE(out) << out.error().detail;
    ASSERT_EQ(out->size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        EXPECT_EQ((*out)[i].name, in[i].name);
        EXPECT_EQ((*out)[i].filename, in[i].filename);
        EXPECT_EQ((*out)[i].content_type, in[i].content_type);
        EXPECT_EQ((*out)[i].body, in[i].body);
    }
}

TEST(Multipart, BuildPicksABoundaryAbsentFromTheParts) {
    const auto a = build_multipart({{"a", std::nullopt, "text/plain", "x"}});
    const std::string boundary = a.content_type.substr(a.content_type.find('=') + 1);
    // A body that contains the first boundary: a second build must choose another one.
    const std::string tricky = "--" + boundary + "--\r\n";
    const auto b = build_multipart({{"a", std::nullopt, "text/plain", tricky}});
    EXPECT_EQ(b.body.find("--" + boundary), b.body.find(tricky));
    auto parsed = parse_multipart(b.content_type, b.body);
    ASSERT_TRUE(parsed);
    EXPECT_EQ((*parsed)[0].body, tricky);
}

TEST(Multipart, QuotedBoundaryWithSpacesAndCaseInsensitiveMediaType) {
    const std::string body = "--a b:c\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b:c--";
    auto r = parse_multipart("Multipart/Form-Data ; charset=utf-8; BOUNDARY=\"a b:c\"", body);
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].name, "x");
    EXPECT_EQ((*r)[0].body, "1");
    EXPECT_EQ((*r)[0].content_type, "text/plain");
}

TEST(Multipart, PreambleAndEpilogueAreIgnored) {
    const std::string body = "preamble --XyZ not at line start\r\n" + field("a", "1") + kEnd + "epilogue\r\n--XyZ\r\n";
    auto r = parse_multipart(kCt, body);
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].body, "1");
}

TEST(Multipart, TransportPaddingAfterDelimiters) {
    const std::string body = "--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ-- \r\n";
    auto r = parse_multipart(kCt, body);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ((*r)[0].body, "v");
}

TEST(Multipart, FilenameStarWinsAndIsPercentDecoded) {
    const std::string body =
        part("Content-Disposition: form-data; name=\"f\"; filename=\"fallback.pdf\"; "
             "filename*=UTF-8''%D8%B7%D9%84%D8%A8%20%C3%A9.pdf\r\nContent-Type: Application/PDF; x=y",
             "%PDF") + kEnd;
    auto r = parse_multipart(kCt, body);
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_TRUE((*r)[0].filename);
    EXPECT_EQ(*(*r)[0].filename, "طلب é.pdf");
    EXPECT_EQ((*r)[0].content_type, "application/pdf");
}

TEST(Multipart, FilenameStarRefusesOtherCharsetsAndBadEscapes) {
    for (const char* v : {"ISO-8859-1''a.pdf", "UTF-8''a%2", "UTF-8''a%zz.pdf", "UTF-8''a b", "a.pdf"}) {
        const std::string body = part(std::string("Content-Disposition: form-data; name=f; filename*=") + v, "x") + kEnd;
        expect_error(parse_multipart(kCt, body), "request.invalid", 400);
    }
}

TEST(Multipart, FilenamePathIsStrippedAndEscapesResolved) {
    struct Case { const char* param; const char* want; };
    for (const Case c : {Case{R"(filename="C:\Users\x\a.pdf")", "a.pdf"},
                         Case{R"(filename="C:\\dir\\b.png")", "b.png"},
                         Case{R"(filename="/etc/../c d.jpg")", "c d.jpg"},
                         Case{R"(filename="say \"hi\".txt")", "say \"hi\".txt"},
                         Case{"filename=token.pdf", "token.pdf"},
                         Case{R"(filename="dir/")", ""}}) {
        const std::string body = part(std::string("Content-Disposition: form-data; name=\"f\"; ") + c.param, "x") + kEnd;
        auto r = parse_multipart(kCt, body);
        ASSERT_TRUE(r) << c.param << ": " << r.error().detail;
        ASSERT_TRUE((*r)[0].filename) << c.param;
        EXPECT_EQ(*(*r)[0].filename, c.want) << c.param;
        EXPECT_EQ((*r)[0].content_type, "application/octet-stream");
    }
}

TEST(Multipart, HeaderNamesAreCaseInsensitiveAndUnknownHeadersIgnored) {
    const std::string body =
        part("content-disposition: FORM-DATA; NAME=a\r\nX-Other: 1\r\ncontent-transfer-encoding: binary", "v") + kEnd;
    auto r = parse_multipart(kCt, body);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ((*r)[0].name, "a");
}

TEST(Multipart, BinaryBodyWithCrLfAndBoundaryLikeText) {
    const std::string tricky = "\r\n\r\n--XyZa\0\r--XyZ\n-XyZ\r\n-"s + "--XyZ\r\r\n";
    // "--XyZa" right after a CRLF is the delimiter followed by garbage: refused (RFC 2046: the
    // delimiter must not occur in a part). Without that line the rest is plain data.
    expect_error(parse_multipart(kCt, field("a", tricky) + kEnd), "request.invalid", 400);
    const std::string data = "\r\n\r\nx--XyZ\0\r--XyZ\n-XyZ\r\n-"s + "--XyZ\r\r\n\r";
    ASSERT_EQ(data.size(), 34u);
    auto r = parse_multipart(kCt, field("a", data) + kEnd);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ((*r)[0].body, data);
}

TEST(Multipart, MissingFinalDelimiter) {
    expect_error(parse_multipart(kCt, field("a", "1")), "request.invalid", 400);
    expect_error(parse_multipart(kCt, field("a", "1") + "--XyZ"), "request.invalid", 400);
    expect_error(parse_multipart(kCt, field("a", "1") + "--XyZ-"), "request.invalid", 400);
    expect_error(parse_multipart(kCt, field("a", "1") + "--XyZ--garbage"), "request.invalid", 400);
}

TEST(Multipart, NoPartOrEmptyBody) {
    expect_error(parse_multipart(kCt, ""), "request.invalid", 400);
    expect_error(parse_multipart(kCt, kEnd), "request.invalid", 400);
    expect_error(parse_multipart(kCt, "just text, no delimiter"), "request.invalid", 400);
}

TEST(Multipart, WrongOrMissingBoundaryIs415) {
    const std::string body = field("a", "1") + kEnd;
    for (const char* ct : {"multipart/form-data", "multipart/form-data;", "multipart/form-data; boundary=",
                           "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"bad;\"",
                           "multipart/form-data; boundary=\"ends with space \"", "multipart/form-data; boundary=\"open",
                           "multipart/form-data; boundary=XyZ; boundary=XyZ",
                           "multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901"}) {
        expect_error(parse_multipart(ct, body), "request.unsupported_media_type", 415);
    }
    // 70 characters is the maximum and is fine.
    const std::string b70(70, 'b');
    auto r = parse_multipart("multipart/form-data; boundary=" + b70,
                             "--" + b70 + "\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--" + b70 + "--");
    EXPECT_TRUE(r) << r.error().detail;
}

TEST(Multipart, WrongMediaTypeIs415) {
    const std::string body = field("a", "1") + kEnd;
    for (const char* ct : {"", "application/x-www-form-urlencoded", "multipart/mixed; boundary=XyZ", "text/plain",
                           "multipart/form-datax; boundary=XyZ"}) {
        expect_error(parse_multipart(ct, body), "request.unsupported_media_type", 415);
    }
}

TEST(Multipart, TooManyParts) {
    std::string body;
    for (int i = 0; i < 4; ++i) body += field("f" + std::to_string(i), "v");
    body += kEnd;
    EXPECT_TRUE(parse_multipart(kCt, body, {.max_parts = 4}));
    expect_error(parse_multipart(kCt, body, {.max_parts = 3}), "request.invalid", 400);
}

TEST(Multipart, OversizePartIs413) {
    const std::string body = field("a", std::string(100, 'x')) + kEnd;
    EXPECT_TRUE(parse_multipart(kCt, body, {.max_part_bytes = 100}));
    expect_error(parse_multipart(kCt, body, {.max_part_bytes = 99}), "request.too_large", 413);
}

TEST(Multipart, HeadersTooBig) {
    const std::string headers = "Content-Disposition: form-data; name=a\r\nX-Pad: " + std::string(200, 'p');
    const std::string body = part(headers, "v") + kEnd;
    EXPECT_TRUE(parse_multipart(kCt, body, {.max_header_bytes = headers.size() + 2}));
    expect_error(parse_multipart(kCt, body, {.max_header_bytes = headers.size() + 1}), "request.invalid", 400);
    // Headers that never end, longer than the limit.
    const std::string endless = "--XyZ\r\nX-Pad: " + std::string(300, 'p') + "\r\n--XyZ--";
    expect_error(parse_multipart(kCt, endless, {.max_header_bytes = 100}), "request.invalid", 400);
}

TEST(Multipart, MissingOrEmptyName) {
    for (const char* h : {"Content-Disposition: form-data", "Content-Disposition: form-data; filename=\"a.pdf\"",
                          "Content-Disposition: form-data; name=\"\"", "Content-Type: text/plain",
                          "Content-Disposition: attachment; name=a"}) {
        expect_error(parse_multipart(kCt, part(h, "v") + kEnd), "request.invalid", 400);
    }
    // No header at all.
    expect_error(parse_multipart(kCt, "--XyZ\r\n\r\nv\r\n" + kEnd), "request.invalid", 400);
}

TEST(Multipart, MalformedHeadersAreRefused) {
    for (const char* h : {"Content-Disposition form-data; name=a",  // no colon
                          "Content-Disposition: form-data; name=a\r\n folded",
                          "Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b",
                          "Content-Disposition: form-data; name=a; name=b",
                          "Content-Disposition: form-data; name=\"a",
                          "Content-Disposition: form-data; name=a b",
                          "Content-Disposition: form-data; name=a\r\nContent-Type: pdf",
                          "Content-Disposition: form-data; name=a\r\nContent-Type: a/b\r\nContent-Type: a/b",
                          "Content-Disposition: form-data; name=a\r\nContent-Transfer-Encoding: base64",
                          "Content-Disposition: form-data; name=\"a\x01\""}) {
        expect_error(parse_multipart(kCt, part(h, "v") + kEnd), "request.invalid", 400);
    }
}

TEST(Multipart, NamesMustBeUtf8WithoutControlCharacters) {
    for (const char* h : {"Content-Disposition: form-data; name=\"\xC3\x28\"",
                          "Content-Disposition: form-data; name=a; filename=\"\xED\xA0\x80.pdf\"",
                          "Content-Disposition: form-data; name=a; filename*=UTF-8''a%0Ab.pdf",
                          "Content-Disposition: form-data; name=a; filename*=UTF-8''a%C2%85b.pdf",
                          "Content-Disposition: form-data; name=a; filename*=UTF-8''%C0%AF.pdf"}) {
        expect_error(parse_multipart(kCt, part(h, "v") + kEnd), "request.invalid", 400);
    }
}

// Choice (documented in multipart.cpp): CRLF only. Bare-LF bodies are refused, never guessed.
TEST(Multipart, LfOnlyLineEndingsAreRefused) {
    const std::string lf = "--XyZ\nContent-Disposition: form-data; name=a\n\nv\n--XyZ--\n";
    expect_error(parse_multipart(kCt, lf), "request.invalid", 400);
    const std::string mixed = "--XyZ\r\nContent-Disposition: form-data; name=a\n\nv\r\n--XyZ--\r\n";
    expect_error(parse_multipart(kCt, mixed), "request.invalid", 400);
}

TEST(Multipart, BodyEndingWithCrOrEmpty) {
    const std::string body = field("a", "\r") + field("b", "") + kEnd;
    auto r = parse_multipart(kCt, body);
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].body, "\r");
    EXPECT_EQ((*r)[1].body, "");
}
