// The QR payload: round trip, strict parsing of every malformed form, wrong keys,
// tampering, URL extraction.
#include "trust/codec.hpp"
#include "trust/qr.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

using namespace idara;
using namespace idara::trust;

namespace {

struct Keypair {
    std::array<unsigned char, 64> sk{};
    std::array<unsigned char, 32> pk{};
    Keypair() {
        codec::sodium_ready();
        crypto_sign_keypair(pk.data(), sk.data());
    }
    PublicKey pub(const std::string& kid, bool active = true) const {
        PublicKey k;
        k.kid = kid;
        k.administration_code = "MEF";
        k.ed25519_pk = pk;
        k.active = active;
        return k;
    }
};

const std::string kDigest = "3f2a9c0d4b5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";

QrClaims claims() { return {"MEF-2026-000123", 1778755320123, kDigest, "MEF-1"}; }

// A payload whose body is `body` verbatim, correctly signed: it can fail only for its shape.
std::string signed_body(const std::string& body, const Keypair& k) {
    const std::string head = "IDR1." + codec::b64url_encode(body);
    std::array<unsigned char, 64> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(head.data()), head.size(), k.sk.data());
    return head + "." + codec::b64url_encode(std::string(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

TEST(Qr, SignVerifyRoundTrip) {
    Keypair k;
    const std::string p = sign_qr(claims(), k.sk);
    EXPECT_EQ(p.rfind("IDR1.", 0), 0u);
    EXPECT_LE(p.size(), 512u);
    auto parsed = parse_qr(p);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(*parsed, claims());
    auto verified = verify_qr(p, {Keypair().pub("OTHER-1"), k.pub("MEF-1")});
    ASSERT_TRUE(verified) << verified.error().detail;
    EXPECT_EQ(*verified, claims());
    // The body is exactly the documented fields.
    const auto first = p.find('.'), second = p.find('.', first + 1);
    EXPECT_EQ(codec::b64url_decode(p.substr(first + 1, second - first - 1)),
              std::optional<std::string>("MEF-2026-000123|1778755320123|" + kDigest + "|MEF-1"));
}

TEST(Qr, ARetiredKeyStillVerifiesOldReceipts) {
    Keypair k;
    EXPECT_TRUE(verify_qr(sign_qr(claims(), k.sk), {k.pub("MEF-1", false)}));
}

TEST(Qr, MalformedPayloadsAreRefused) {
    Keypair k;
    const std::string good = sign_qr(claims(), k.sk);
    const auto dot = good.find('.', 5);
    const std::string body = good.substr(5, dot - 5), sig = good.substr(dot + 1);
    std::vector<std::string> bad = {
        "",
        "IDR1.",
        "IDR1..",
        "IDR2." + body + "." + sig,
        "idr1." + body + "." + sig,
        " IDR1." + body + "." + sig,
        "IDR1." + body,
        "IDR1." + body + "." + sig + ".x",
        "IDR1." + body + "." + sig + "=",
        "IDR1." + body + "=." + sig,
        "IDR1." + body + "." + sig.substr(0, sig.size() - 1),
        "IDR1." + body + "." + sig.substr(0, sig.size() - 4),
        "IDR1." + body + "." + sig + "AAAA",
        "IDR1." + body + ".",
        "IDR1.." + sig,
        // standard alphabet instead of URL-safe
        "IDR1." + body + "." + codec::b64_encode(std::string(64, '\xfb')),
        // whitespace inside
        "IDR1." + body.substr(0, 4) + " " + body.substr(4) + "." + sig,
        std::string("IDR1.") + std::string(600, 'A') + "." + sig,
    };
    // Non-canonical base64url: the last character of the 64-byte signature carries 4 unused bits.
    std::string noncanon = sig;
    noncanon.back() = noncanon.back() == 'A' ? 'B' : (noncanon.back() == 'Q' ? 'R' : static_cast<char>(noncanon.back() + 1));
    bad.push_back("IDR1." + body + "." + noncanon);
    // Correctly signed bodies of the wrong shape.
    const std::string t = "1778755320123";
    for (const std::string& b : {
             "MEF-2026-000123|" + t + "|" + kDigest,                          // three fields
             "MEF-2026-000123|" + t + "|" + kDigest + "|MEF-1|x",             // five fields
             "|" + t + "|" + kDigest + "|MEF-1",                              // empty number
             "mef-2026-000123|" + t + "|" + kDigest + "|MEF-1",               // lowercase number
             "MEF 2026|" + t + "|" + kDigest + "|MEF-1",                      // space
             std::string(41, 'A') + "|" + t + "|" + kDigest + "|MEF-1",       // 41 characters
             "MEF-2026-000123|0|" + kDigest + "|MEF-1",                       // time 0
             "MEF-2026-000123|-5|" + kDigest + "|MEF-1",                      // negative
             "MEF-2026-000123|+5|" + kDigest + "|MEF-1",                      // sign
             "MEF-2026-000123|0123|" + kDigest + "|MEF-1",                    // leading zero
             "MEF-2026-000123|12a|" + kDigest + "|MEF-1",                     // not decimal
             "MEF-2026-000123||" + kDigest + "|MEF-1",                        // empty time
             "MEF-2026-000123|9999999999999999999|" + kDigest + "|MEF-1",     // overflows
             "MEF-2026-000123|" + t + "|" + kDigest.substr(1) + "|MEF-1",     // 63 hex
             "MEF-2026-000123|" + t + "|" + kDigest + "0|MEF-1",              // 65 hex
             "MEF-2026-000123|" + t + "|3F" + kDigest.substr(2) + "|MEF-1",   // uppercase hex
             "MEF-2026-000123|" + t + "|g" + kDigest.substr(1) + "|MEF-1",    // not hex
             "MEF-2026-000123|" + t + "|" + kDigest + "|",                    // empty kid
             "MEF-2026-000123|" + t + "|" + kDigest + "|MEF 1",               // kid with a space
             "MEF-2026-000123|" + t + "|" + kDigest + "|MEF-1\n",             // kid with a newline
         })
        bad.push_back(signed_body(b, k));
    // The well-formed control case passes, so the failures above are about shape.
    ASSERT_TRUE(verify_qr(signed_body("MEF-2026-000123|" + t + "|" + kDigest + "|MEF-1", k), {k.pub("MEF-1")}));
    for (const auto& p : bad) {
        auto r = parse_qr(p);
        ASSERT_FALSE(r) << p;
        EXPECT_EQ(r.error().code, "qr.malformed") << p;
        EXPECT_EQ(r.error().status, 400);
        auto v = verify_qr(p, {k.pub("MEF-1")});
        ASSERT_FALSE(v) << p;
        EXPECT_EQ(v.error().code, "qr.malformed") << p;
    }
}

TEST(Qr, AnotherKeyUnderTheSameKidIsABadSignature) {
    Keypair k, other;
    auto r = verify_qr(sign_qr(claims(), k.sk), {other.pub("MEF-1")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "qr.bad_signature");
}

TEST(Qr, AFlippedSignatureCharacterIsABadSignature) {
    Keypair k;
    std::string p = sign_qr(claims(), k.sk);
    const auto dot = p.rfind('.');
    for (std::size_t off : {std::size_t{1}, std::size_t{20}, std::size_t{40}}) {
        std::string t = p;
        char& c = t[dot + off];
        c = c == 'A' ? 'B' : 'A';  // a middle character: still canonical base64url
        auto r = verify_qr(t, {k.pub("MEF-1")});
        ASSERT_FALSE(r) << t;
        EXPECT_EQ(r.error().code, "qr.bad_signature");
    }
}

TEST(Qr, ChangedClaimsUnderTheOldSignatureAreABadSignature) {
    Keypair k;
    const std::string p = sign_qr(claims(), k.sk);
    auto changed = claims();
    changed.register_number = "MEF-2026-000124";
    const std::string q = sign_qr(changed, k.sk);
    const std::string spliced = q.substr(0, q.rfind('.')) + p.substr(p.rfind('.'));
    auto r = verify_qr(spliced, {k.pub("MEF-1")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "qr.bad_signature");
}

TEST(Qr, AnUnknownKidIsReported) {
    Keypair k;
    auto r = verify_qr(sign_qr(claims(), k.sk), {k.pub("MEF-2"), k.pub("MEN-1")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "qr.unknown_key");
    EXPECT_EQ(verify_qr(sign_qr(claims(), k.sk), {}).error().code, "qr.unknown_key");
}

TEST(Qr, PayloadsComeOutOfVerificationUrls) {
    Keypair k;
    const std::string p = sign_qr(claims(), k.sk);
    const std::string url = qr_url("https://idara.gov.ma", p);
    EXPECT_EQ(url, "https://idara.gov.ma/verify?q=" + p);
    EXPECT_EQ(extract_payload(url).value(), p);
    EXPECT_EQ(extract_payload(p).value(), p);
    EXPECT_EQ(extract_payload(p + "\n").value(), p);
    EXPECT_EQ(extract_payload("HTTPS://idara.gov.ma/verify?q=" + p).value(), p);
    EXPECT_EQ(extract_payload("http://127.0.0.1:8080/ar/verify?lang=fr&q=" + p + "&x=1#top").value(), p);
    std::string encoded = p;
    for (std::size_t at = encoded.find('.'); at != std::string::npos; at = encoded.find('.', at + 3))
        encoded.replace(at, 1, "%2E");
    EXPECT_EQ(extract_payload("https://idara.gov.ma/verify?q=" + encoded).value(), p);
    // And what comes out verifies.
    EXPECT_TRUE(verify_qr(extract_payload(url).value(), {k.pub("MEF-1")}));
}

TEST(Qr, BadUrlsAreMalformed) {
    Keypair k;
    const std::string p = sign_qr(claims(), k.sk);
    for (const std::string& bad : {
             std::string(""),
             std::string("hello"),
             "ftp://idara.gov.ma/verify?q=" + p,
             "idara.gov.ma/verify?q=" + p,
             "https://idara.gov.ma/verif?q=" + p,
             "https://idara.gov.ma/verify/x?q=" + p,
             "https://idara.gov.ma/verify?p=" + p,
             std::string("https://idara.gov.ma/verify"),
             "https://idara.gov.ma?q=" + p,
             "https:///verify?q=" + p,
             "https://idara.gov.ma/verify?q=" + p + "&q=" + p,
             std::string("https://idara.gov.ma/verify?q"),
             "https://idara.gov.ma/verify?q=%zz" + p,
             "https://idara.gov.ma/verify?q=" + p + "%4",
             std::string("https://idara.gov.ma/verify?q=hello"),
             "https://idara.gov.ma/verify#?q=" + p,
             "https://idara.gov.ma/verify?q=" + p + std::string(600, 'A'),
             "https://idara.gov.ma/" + std::string(3000, 'a') + "/verify?q=" + p,
             p + std::string(600, 'A'),
         }) {
        auto r = extract_payload(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "qr.malformed");
    }
}

}  // namespace
