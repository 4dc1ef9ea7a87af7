// The e-parapheur through the real server and its JSON API, with the demo accounts and their
// demo second factor: a reply to a citizen's deposit is submitted (numbered, rendered, circuit
// started), visaed by the unit head, signed by the signer with password + TOTP, then sealed and
// dispatched; the PDF carries both signatures (pdfsig) and the entry is answered. A circuit on an
// uploaded PDF: wrong code and out-of-turn errors are bilingual; another administration gets 404.
#include "harness.hpp"
#include "sample_pdf.hpp"
#include "shell.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace idara::itest;
namespace json = boost::json;

namespace {

Server& server() {
    static Server s(true);
    return s;
}

const std::string kBoundary = "----idaraParapheurBoundary7";

std::string part_json(const std::string& name, const std::string& body) {
    return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
           "\"\r\nContent-Type: application/json\r\n\r\n" + body + "\r\n";
}
std::string part_file(const std::string& filename, const std::string& body) {
    return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
           "\"\r\nContent-Type: application/pdf\r\n\r\n" + body + "\r\n";
}
Response multipart(const std::string& auth, const std::string& path, const std::string& parts) {
    Client c;
    return c.request("POST", server().url(path), {auth, "Content-Type: multipart/form-data; boundary=" + kBoundary},
                     parts + "--" + kBoundary + "--\r\n");
}
Response post(const std::string& auth, const std::string& path, const json::object& body) {
    Client c;
    return c.post_json(server().url(path), json::serialize(body), {auth});
}
json::object get_json(const std::string& auth, const std::string& path) {
    Client c;
    auto r = c.get(server().url(path), {auth});
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return json::parse(r.body).as_object();
}
void expect_error(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

// RFC 6238 over the demo secret (docs/DEMO.md: base32 of "idara-demo-totp-2026"), for the
// current 30-second step plus `ahead` steps (a code is accepted once; the server allows one
// step of drift).
std::string totp(int ahead = 0) {
    const std::string secret = "idara-demo-totp-2026";
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::uint64_t step = static_cast<std::uint64_t>(now / 30 + ahead);
    unsigned char msg[8];
    for (int i = 7; i >= 0; --i, step >>= 8) msg[i] = static_cast<unsigned char>(step & 0xff);
    unsigned char mac[20];
    unsigned int len = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), msg, sizeof msg, mac, &len);
    const int off = mac[19] & 0x0f;
    const std::uint32_t bin = ((mac[off] & 0x7fu) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
    char out[8];
    std::snprintf(out, sizeof out, "%06u", bin % 1000000u);
    return out;
}

std::string password(const std::string& login) { return demo_password(server().init_output(), login); }

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::string pdfsig(const std::string& pdf) {
    const auto file = std::filesystem::path(server().data_dir()) / "check.pdf";
    idara::testing::write_file(file, pdf);
    auto out = idara::testing::run_command("pdfsig '" + file.string() + "'");
    std::filesystem::remove(file);
    return out;
}

TEST(ParapheurApi, AReplyGoesThroughItsCircuitAndIsSealedAndDispatched) {
    const std::string citizen = server().bearer("amina.elmansouri@example.ma");
    const std::string agent = server().bearer("agent@mef.gov.ma");
    const std::string head = server().bearer("chef.service@mef.gov.ma");
    const std::string signer = server().bearer("signataire@mef.gov.ma");
    // A deposit to answer.
    auto dep = multipart(citizen, "/api/v1/deposits",
                         part_json("deposit", R"({"administration":"MEF","type":"request","subject":"طلب شهادة","body":"نص"})") +
                             part_file("demande.pdf", idara::testing::sample_pdf()));
    ASSERT_EQ(dep.status, 201) << dep.body;
    const std::string number(json::parse(dep.body).at("register_number").as_string());
    // The reply, drafted and submitted.
    auto made = post(agent, "/api/v1/letters",
                     {{"in_reply_to", number}, {"lang", "ar"}, {"subject", "جواب"}, {"template", "answer"},
                      {"body", "الشهادة جاهزة."}, {"recipient", json::object{{"kind", "depositor"}}}});
    ASSERT_EQ(made.status, 201) << made.body;
    auto letter = json::parse(made.body).as_object();
    const std::string lpath = "/api/v1/letters/" + std::to_string(letter.at("id").as_int64());
    auto sub = post(agent, lpath + "/submit", {{"version", letter.at("version").as_int64()}});
    ASSERT_EQ(sub.status, 200) << sub.body;
    letter = json::parse(sub.body).as_object();
    EXPECT_EQ(letter.at("state").as_string(), "pending_approval");
    EXPECT_TRUE(letter.at("register_number").is_string());
    const std::string cpath(letter.at("circuit_url").as_string());
    // The old direct approval is gone.
    EXPECT_NE(post(signer, lpath + "/approve", {{"version", 1}}).status, 200);
    // In the head's queue; the signer must wait for the visa.
    auto mine = get_json(head, "/api/v1/circuits?box=mine");
    ASSERT_EQ(mine.at("circuits").as_array().size(), 1u);
    auto c = get_json(head, cpath);
    EXPECT_TRUE(c.at("allowed").at("approve").as_bool());
    const std::int64_t v1 = c.at("version").as_int64();
    expect_error(post(signer, cpath + "/sign", {{"version", v1}, {"password", password("signataire@mef.gov.ma")},
                                               {"totp", totp()}}),
                 409, "parapheur.not_your_turn");
    auto a = post(head, cpath + "/approve", {{"version", v1}, {"comment", "موافق"}});
    ASSERT_EQ(a.status, 200) << a.body;
    const std::int64_t v2 = json::parse(a.body).at("version").as_int64();
    expect_error(post(signer, cpath + "/sign", {{"version", v2}}), 401, "parapheur.reauth_required");
    expect_error(post(signer, cpath + "/sign", {{"version", v2}, {"password", "wrong"}, {"totp", totp()}}), 401,
                 "identity.reauth_failed");
    auto s = post(signer, cpath + "/sign", {{"version", v2}, {"password", password("signataire@mef.gov.ma")},
                                           {"totp", totp(1)}});
    ASSERT_EQ(s.status, 200) << s.body;
    auto done = json::parse(s.body).as_object();
    EXPECT_EQ(done.at("state").as_string(), "completed");
    // The letter: approved and delivered to the depositor's space; signature + seal in its PDF.
    auto now = get_json(agent, lpath);
    EXPECT_EQ(now.at("state").as_string(), "dispatched");
    Client cl;
    auto pdf = cl.get(server().url(lpath + "/pdf"), {agent});
    ASSERT_EQ(pdf.status, 200);
    const std::string report = pdfsig(pdf.body);
    EXPECT_EQ(count_of(report, "Signature is Valid"), 2) << report;
    EXPECT_EQ(count_of(report, "Total document signed"), 1) << report;
    // The incoming entry is answered.
    auto entry = get_json(agent, "/api/v1/entries/" + number);
    EXPECT_EQ(entry.at("state").as_string(), "answered") << json::serialize(entry);
}

TEST(ParapheurApi, ACircuitOnAnUploadedPdfWithTemplatesAndBoundaries) {
    const std::string agent = server().bearer("agent@mef.gov.ma");
    const std::string head = server().bearer("chef.service@mef.gov.ma");
    const std::string admin = server().bearer("admin@mef.gov.ma");
    const std::string other = server().bearer("chef.service@men.gov.ma");
    auto templates = get_json(agent, "/api/v1/circuit-templates");
    std::vector<std::string> codes;
    for (const auto& t : templates.at("templates").as_array()) codes.emplace_back(t.at("code").as_string());
    EXPECT_EQ(codes, (std::vector<std::string>{"evaluation_decision", "hr_decision", "internal_note", "outgoing_letter", "purchase_order"}));
    // Only an admin changes templates.
    const json::object note{{"name_ar", "مذكرة"},
                            {"name_fr", "Note"},
                            {"steps", json::array{json::object{{"kind", "visa"},
                                                               {"mode", "any"},
                                                               {"role", "unit_head"},
                                                               {"label_ar", "تأشيرة"},
                                                               {"label_fr", "Visa"}}}}};
    Client c1;
    auto denied = c1.request("PUT", server().url("/api/v1/circuit-templates/note2"), {agent, "Content-Type: application/json"},
                             json::serialize(note));
    expect_error(denied, 403, "parapheur.forbidden");
    Client c2;
    auto ok = c2.request("PUT", server().url("/api/v1/circuit-templates/note2"), {admin, "Content-Type: application/json"},
                         json::serialize(note));
    EXPECT_EQ(ok.status, 200) << ok.body;
    // Start on an uploaded PDF.
    auto started = multipart(agent, "/api/v1/circuits",
                             part_json("circuit", R"({"template":"note2","title":"مذكرة داخلية"})") +
                                 part_file("note.pdf", idara::testing::sample_pdf()));
    ASSERT_EQ(started.status, 201) << started.body;
    auto c = json::parse(started.body).as_object();
    const std::string path = "/api/v1/circuits/" + std::to_string(c.at("id").as_int64());
    expect_error(multipart(agent, "/api/v1/circuits",
                           part_json("circuit", R"({"template":"nope","title":"x"})") +
                               part_file("note.pdf", idara::testing::sample_pdf())),
                 404, "parapheur.unknown_template");
    expect_error(multipart(agent, "/api/v1/circuits",
                           part_json("circuit", R"({"template":"note2","title":"x"})") + part_file("note.pdf", "not a pdf")),
                 400, "parapheur.not_pdf");
    // Another administration: 404, for reading, the document and acting.
    Client c3;
    EXPECT_EQ(c3.get(server().url(path), {other}).status, 404);
    EXPECT_EQ(c3.get(server().url(path + "/document.pdf"), {other}).status, 404);
    expect_error(post(other, path + "/approve", {{"version", c.at("version").as_int64()}}), 404, "resource.not_found");
    expect_error(post(agent, path + "/approve", {{"version", c.at("version").as_int64()}}), 403,
                 "parapheur.not_assignee");
    expect_error(post(head, path + "/approve", {{"version", 99}}), 409, "parapheur.version_conflict");
    expect_error(post(head, path + "/reject", {{"version", c.at("version").as_int64()}}), 400,
                 "parapheur.reason_required");
    auto rej = post(head, path + "/reject", {{"version", c.at("version").as_int64()}, {"reason", "ناقص"}});
    ASSERT_EQ(rej.status, 200) << rej.body;
    EXPECT_EQ(json::parse(rej.body).at("state").as_string(), "rejected");
    Client c4;
    auto doc = c4.get(server().url(path + "/document.pdf"), {agent});
    EXPECT_EQ(doc.status, 200);
    EXPECT_EQ(doc.body, idara::testing::sample_pdf());
    auto started_box = get_json(agent, "/api/v1/circuits?box=started");
    EXPECT_GE(started_box.at("circuits").as_array().size(), 1u);
}

}  // namespace
