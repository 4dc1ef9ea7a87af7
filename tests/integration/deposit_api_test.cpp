// The registry office through the real server: a deposit in each channel with a
// receipt that pdfsig, openssl and zbarimg accept and `idara verify` checks offline;
// every kind of bad request with its bilingual error and nothing stored; idempotency;
// tracking; verification.
#include "harness.hpp"
#include "sample_pdf.hpp"
#include "shell.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace idara::itest;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Small limits so that each refusal is cheap to provoke.
Server& server() {
    static Server s(true, {"--set", "registry.max_files=2", "--set", "registry.max_file_bytes=20000", "--set",
                           "server.max_body_bytes=200000", "--set", "server.public_url=https://idara.example.ma"});
    return s;
}

std::string shell(const std::string& cmd, bool quiet_stderr = false) {
    return idara::testing::run_command(cmd, quiet_stderr);
}

void write(const fs::path& p, const std::string& data) { idara::testing::write_file(p, data); }

std::string token_for(const std::string& login) { return server().bearer(login); }

const std::string& citizen() {
    static const std::string t = token_for("amina.elmansouri@example.ma");
    return t;
}

std::string pdf(const std::string& text = "Demande") { return idara::testing::sample_pdf(1, text); }

struct FilePart {
    std::string name, filename, content_type, body;
};

// A multipart/form-data body written by hand (as curl or a browser sends it).
std::pair<std::string, std::string> multipart(const std::string& deposit_json, const std::vector<FilePart>& files) {
    const std::string boundary = "----idaraTestBoundary7MA4YWxkTrZu0gW";
    std::string body;
    if (!deposit_json.empty())
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deposit\"\r\nContent-Type: application/json\r\n\r\n" +
                deposit_json + "\r\n";
    for (const auto& f : files)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"; filename=\"" + f.filename +
                "\"\r\nContent-Type: " + f.content_type + "\r\n\r\n" + f.body + "\r\n";
    body += "--" + boundary + "--\r\n";
    return {"Content-Type: multipart/form-data; boundary=" + boundary, body};
}

const char* kLetter =
    R"({"administration":"MEF","type":"letter","subject":"طلب شهادة إدارية","body":"السلام عليكم، أطلب شهادة إدارية."})";

Response deposit(const std::string& auth, const std::string& json_part, const std::vector<FilePart>& files,
                 std::vector<std::string> extra = {}) {
    auto [ct, body] = multipart(json_part, files);
    extra.push_back(auth);
    extra.push_back(ct);
    Client c;
    return c.request("POST", server().url("/api/v1/deposits"), extra, body);
}

void expect_error(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

std::size_t my_deposits() {
    Client c;
    auto r = c.get(server().url("/api/v1/deposits?scope=mine"), {citizen()});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("deposits").as_array().size();
}

class Receipt : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("idara-itest-receipt-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(Receipt, ACitizensDepositGivesAReceiptThatPdfsigOpensslZbarAndIdaraVerify) {
    auto r = deposit(citizen(), kLetter, {{"files", "demande.pdf", "application/pdf", pdf()}});
    ASSERT_EQ(r.status, 201) << r.body;
    json::object o = json::parse(r.body).as_object();
    const std::string number(o.at("register_number").as_string());
    EXPECT_EQ(number.rfind("MEF-", 0), 0u);
    EXPECT_EQ(o.at("digest").as_string().size(), 64u);
    EXPECT_EQ(o.at("receipt_url").as_string(), "/api/v1/deposits/" + number + "/receipt.pdf");
    EXPECT_EQ(r.header("location"), "/api/v1/deposits/" + number);

    Client c;
    auto got = c.get(server().url("/api/v1/deposits/" + number), {citizen()});
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(json::parse(got.body).at("attachments").as_array().size(), 1u);
    auto receipt = c.get(server().url(std::string(o.at("receipt_url").as_string())), {citizen()});
    ASSERT_EQ(receipt.status, 200);
    EXPECT_EQ(receipt.header("content-type"), "application/pdf");
    write(dir_ / "receipt.pdf", receipt.body);

    // The published keys: the trust anchor for pdfsig/openssl, and the keys for offline checks.
    auto keys = c.get(server().url("/.well-known/idara-keys.json"));
    ASSERT_EQ(keys.status, 200);
    write(dir_ / "keys.json", keys.body);
    EXPECT_EQ(keys.body.find("PRIVATE"), std::string::npos);
    json::value kd = json::parse(keys.body);
    ASSERT_FALSE(kd.at("trust_anchors").as_array().empty());
    write(dir_ / "root.pem", std::string(kd.at("trust_anchors").as_array()[0].as_string()));

    fs::create_directories(dir_ / "nss");
    shell("certutil -N -d sql:" + (dir_ / "nss").string() + " --empty-password");
    shell("certutil -A -d sql:" + (dir_ / "nss").string() + " -n idara-root -t C,C,C -i " + (dir_ / "root.pem").string());
    const std::string sig = shell("pdfsig -nssdir sql:" + (dir_ / "nss").string() + " " + (dir_ / "receipt.pdf").string());
    EXPECT_NE(sig.find("Signature is Valid"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Certificate is Trusted"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;
    EXPECT_NE(sig.find("ETSI.CAdES.detached"), std::string::npos) << sig;

    // openssl over the byte ranges.
    const std::string& s = receipt.body;
    std::istringstream in(s.substr(s.find('[', s.rfind("/ByteRange")) + 1));
    std::size_t a = 0, b = 0, cc = 0, d = 0;
    in >> a >> b >> cc >> d;
    ASSERT_EQ(cc + d, s.size());
    std::string der;
    const std::string hex = s.substr(b + 1, cc - b - 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    write(dir_ / "sig.der", der);
    write(dir_ / "content.bin", s.substr(0, b) + s.substr(cc, d));
    const std::string cms = shell("openssl cms -verify -binary -inform DER -in " + (dir_ / "sig.der").string() +
                                  " -CAfile " + (dir_ / "root.pem").string() + " -purpose any -out /dev/null -content " +
                                  (dir_ / "content.bin").string());
    EXPECT_NE(cms.find("Verification successful"), std::string::npos) << cms;

    // The QR: zbarimg reads the verification URL back from the rendered page.
    shell("pdftoppm -r 150 -png -f 1 -l 1 " + (dir_ / "receipt.pdf").string() + " " + (dir_ / "page").string());
    std::string png;
    for (const auto& e : fs::directory_iterator(dir_))
        if (e.path().filename().string().rfind("page", 0) == 0) png = e.path().string();
    ASSERT_FALSE(png.empty());
    std::string qr = shell("zbarimg --raw -q " + png, true);  // zbar's stderr has D-Bus noise
    while (!qr.empty() && (qr.back() == '\n' || qr.back() == '\r')) qr.pop_back();
    EXPECT_EQ(qr.rfind("https://idara.example.ma/verify?q=IDR1.", 0), 0u) << qr;

    // Offline: the file and the QR, with only the published keys.
    auto offline = run_idara({"verify", (dir_ / "receipt.pdf").string(), "--keys", (dir_ / "keys.json").string()});
    EXPECT_EQ(offline.exit_code, 0) << offline.output;
    EXPECT_NE(offline.output.find("verdict: valid"), std::string::npos) << offline.output;
    auto by_qr = run_idara({"verify", "--payload", qr, "--keys", (dir_ / "keys.json").string()});
    EXPECT_EQ(by_qr.exit_code, 0) << by_qr.output;
    // Online against the register (the data directory).
    auto online = run_idara({"verify", (dir_ / "receipt.pdf").string(), "--data-dir", server().data_dir()});
    EXPECT_EQ(online.exit_code, 0) << online.output;
    EXPECT_NE(online.output.find("matches"), std::string::npos) << online.output;

    // One byte changed: pdfsig, openssl and idara all refuse it.
    std::string tampered = receipt.body;
    tampered[b / 2] ^= 0x01;
    write(dir_ / "tampered.pdf", tampered);
    const std::string bad = shell("pdfsig -nssdir sql:" + (dir_ / "nss").string() + " " + (dir_ / "tampered.pdf").string());
    EXPECT_EQ(bad.find("Signature is Valid"), std::string::npos) << bad;
    auto refused = run_idara({"verify", (dir_ / "tampered.pdf").string(), "--keys", (dir_ / "keys.json").string()});
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_NE(refused.output.find("verdict: invalid"), std::string::npos) << refused.output;

    // The same through the API: the file, and the QR payload.
    auto [ct, body] = [&] {
        const std::string boundary = "----v";
        return std::pair<std::string, std::string>{
            "Content-Type: multipart/form-data; boundary=" + boundary,
            "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
                receipt.body + "\r\n--" + boundary + "--\r\n"};
    }();
    auto v = c.request("POST", server().url("/api/v1/verify"), {ct}, body);
    ASSERT_EQ(v.status, 200) << v.body;
    json::value report = json::parse(v.body);
    EXPECT_EQ(report.at("verdict").as_string(), "valid") << v.body;
    EXPECT_TRUE(report.at("register").at("matches").as_bool());
    auto vq = c.post_json(server().url("/api/v1/verify"), json::serialize(json::object{{"payload", qr}}));
    ASSERT_EQ(vq.status, 200) << vq.body;
    EXPECT_EQ(json::parse(vq.body).at("verdict").as_string(), "valid");
    std::string tampered_body = body;
    tampered_body[body.find("%PDF") + b / 2] ^= 0x01;
    auto vt = c.request("POST", server().url("/api/v1/verify"), {ct}, tampered_body);
    EXPECT_EQ(json::parse(vt.body).at("verdict").as_string(), "invalid") << vt.body;
}

TEST(DepositApi, BadRequestsGetAClearBilingualErrorAndStoreNothing) {
    const std::size_t before = my_deposits();
    const std::string good_pdf = pdf();
    expect_error(deposit(citizen(), "", {{"files", "a.pdf", "application/pdf", good_pdf}}), 400, "deposit.json_part");
    expect_error(deposit(citizen(), "{not json", {}), 400, "request.malformed_json");
    expect_error(deposit(citizen(), R"({"administration":"MEF","type":"letter"})", {}), 400, "deposit.subject");
    expect_error(deposit(citizen(), R"({"type":"letter","subject":"x"})", {}), 400, "deposit.unknown_administration");
    expect_error(deposit(citizen(), R"({"administration":"MEF","subject":"x"})", {}), 400, "deposit.unknown_type");
    // The type is sniffed from the content, not from the name or the declared type.
    expect_error(deposit(citizen(), kLetter, {{"files", "lettre.pdf", "application/pdf", "plain text, not a PDF"}}), 415,
                 "deposit.attachment_type");
    expect_error(deposit(citizen(), kLetter, {{"files", "cassé.pdf", "application/pdf", good_pdf.substr(0, 150)}}), 422,
                 "deposit.attachment_corrupt");
    expect_error(deposit(citizen(), kLetter,
                         {{"files", "a.pdf", "application/pdf", pdf("a")}, {"files", "b.pdf", "application/pdf", pdf("b")},
                          {"files", "c.pdf", "application/pdf", pdf("c")}}),
                 413, "deposit.too_many_files");
    expect_error(deposit(citizen(), kLetter, {{"files", "big.pdf", "application/pdf", pdf(std::string(30000, 'x'))}}), 413,
                 "deposit.attachment_too_large");
    expect_error(deposit(citizen(), kLetter, {{"files", "huge.pdf", "application/pdf", pdf(std::string(250000, 'x'))}}), 413,
                 "request.too_large");
    // Not multipart at all.
    Client c;
    expect_error(c.post_json(server().url("/api/v1/deposits"), kLetter, {citizen()}), 415, "request.unsupported_media_type");
    // No credentials.
    expect_error(deposit("X-Nothing: 1", kLetter, {}), 401, "auth.required");
    EXPECT_EQ(my_deposits(), before);
}

TEST(DepositApi, IdempotencyKeyChannelsAndTracking) {
    auto first = deposit(citizen(), kLetter, {}, {"Idempotency-Key: itest-1"});
    ASSERT_EQ(first.status, 201) << first.body;
    auto again = deposit(citizen(), kLetter, {}, {"Idempotency-Key: itest-1"});
    ASSERT_EQ(again.status, 200) << again.body;
    json::value a = json::parse(first.body), b = json::parse(again.body);
    EXPECT_EQ(a.at("register_number"), b.at("register_number"));
    EXPECT_TRUE(b.at("replayed").as_bool());
    expect_error(deposit(citizen(), R"({"administration":"MEF","type":"letter","subject":"autre"})", {},
                         {"Idempotency-Key: itest-1"}),
                 422, "deposit.idempotency_mismatch");

    // Tracking without login: the right code, a wrong code and an unknown number.
    const std::string number(a.at("register_number").as_string());
    const std::string code(a.at("tracking_code").as_string());
    Client anon;
    auto t = anon.get(server().url("/api/v1/track/" + number + "?code=" + code));
    ASSERT_EQ(t.status, 200) << t.body;
    EXPECT_EQ(json::parse(t.body).at("status").as_string(), "registered");
    EXPECT_EQ(t.body.find("subject"), std::string::npos);  // no content, no personal data
    auto wrong = anon.get(server().url("/api/v1/track/" + number + "?code=AAAA-AAAA"));
    auto unknown = anon.get(server().url("/api/v1/track/MEF-2026-999999?code=" + code));
    EXPECT_EQ(wrong.status, 404);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(wrong.body, unknown.body);

    // The counter (a registry clerk for a walk-in person) and another administration.
    const std::string clerk = token_for("bureau.ordre@mef.gov.ma");
    auto counter = deposit(clerk,
                           R"({"administration":"MEF","type":"request","subject":"Courrier papier",)"
                           R"("depositor":{"name":"Hassan Ouali","id_number":"BK123456"}})",
                           {{"scan", "scan.pdf", "application/pdf", pdf("scan")}});
    ASSERT_EQ(counter.status, 201) << counter.body;
    Client cl;
    auto entry = cl.get(server().url("/api/v1/deposits/" + std::string(json::parse(counter.body).at("register_number").as_string())),
                        {clerk});
    EXPECT_EQ(json::parse(entry.body).at("channel").as_string(), "counter") << entry.body;
    const std::string men = token_for("agent@men.gov.ma");
    auto inter = deposit(men, kLetter, {});
    ASSERT_EQ(inter.status, 201) << inter.body;
    // A citizen may not see what another depositor sent; the receiving clerk may.
    const std::string other(json::parse(inter.body).at("register_number").as_string());
    EXPECT_EQ(cl.get(server().url("/api/v1/deposits/" + other), {citizen()}).status, 404);
    EXPECT_EQ(cl.get(server().url("/api/v1/deposits/" + other), {clerk}).status, 200);
    // Cancellation by the clerk keeps the entry, marked cancelled.
    auto cancel = cl.post_json(server().url("/api/v1/deposits/" + other + "/cancel"), R"({"reason":"Doublon"})", {clerk});
    ASSERT_EQ(cancel.status, 200) << cancel.body;
    EXPECT_EQ(json::parse(cancel.body).at("status").as_string(), "cancelled");
    expect_error(cl.post_json(server().url("/api/v1/deposits/" + other + "/cancel"), R"({"reason":"x"})", {clerk}), 409,
                 "entry.already_cancelled");
    // The directory is searchable in Arabic (with or without vowels) and in French (with or without accents).
    for (const char* q : {"%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF", "economie", "%C3%89conomie"}) {
        auto found = cl.get(server().url(std::string("/api/v1/administrations?q=") + q));
        ASSERT_EQ(found.status, 200);
        auto list = json::parse(found.body).at("administrations").as_array();
        ASSERT_EQ(list.size(), 1u) << q << " " << found.body;
        EXPECT_EQ(list[0].at("code").as_string(), "MEF");
    }
    // An operator configures a type for one administration from the command line.
    auto set = run_idara({"admin", "type-set", "--data-dir", server().data_dir(), "--admin", "ADD", "--code", "label",
                          "--name-ar", "طلب علامة", "--name-fr", "Demande de label", "--deadline-days", "30",
                          "--working-days", "--silence-is-approval"});
    EXPECT_EQ(set.exit_code, 0) << set.output;
    EXPECT_EQ(run_idara({"admin", "type-set", "--data-dir", server().data_dir(), "--admin", "ADD", "--code", "Bad Code",
                         "--name-ar", "x", "--name-fr", "x"}).exit_code, 1);
    auto types = cl.get(server().url("/api/v1/administrations/ADD/deposit-types"));
    ASSERT_EQ(types.status, 200);
    bool label = false;
    const json::value listed = json::parse(types.body);
    for (const auto& t : listed.at("types").as_array())
        if (t.at("code").as_string() == "label") {
            label = true;
            EXPECT_EQ(t.at("deadline_days").as_int64(), 30);
            EXPECT_TRUE(t.at("working_days").as_bool());
            EXPECT_TRUE(t.at("silence_is_approval").as_bool());
        }
    EXPECT_TRUE(label) << types.body;
    auto mef_types = cl.get(server().url("/api/v1/administrations/MEF/deposit-types"));
    EXPECT_EQ(json::parse(mef_types.body).at("types").as_array().size(), 5u) << mef_types.body;
}

}  // namespace
