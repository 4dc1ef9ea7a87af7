// Signature verification and the PKI through the real binary: `idara pki list|issue-dev|
// import|revoke|crl`, `idara verify FILE [--detached SIG] [--json]`, POST /api/v1/verify with
// the per-signature ETSI report, GET /pki/crl.der, and the public /verify page.
// An external CA made with the openssl command line is a configured anchor
// ([trust] anchors_file), so its PKCS#12 can be imported and its CAdES signatures validate.
#include "harness.hpp"
#include "sample_pdf.hpp"
#include "shell.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace idara::itest;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::string shell(const std::string& cmd) { return idara::testing::run_command(cmd); }

// The external CA, its leaf and PKCS#12, made once before the server starts.
const fs::path& ca_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("idara-itest-pki-" + std::to_string(::getpid()));
        fs::create_directories(d);
        const std::string p = d.string();
        shell("cd " + p +
              " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem"
              " -subj '/C=MA/O=Barid eSign Test/CN=Test Qualified Root' -days 30"
              " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
              " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr"
              " -subj '/C=MA/O=MEF/CN=Qualified Signer'"
              " && printf 'keyUsage=critical,digitalSignature,nonRepudiation\\nbasicConstraints=CA:FALSE\\n' > leaf.ext"
              " && openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 10"
              " -extfile leaf.ext -out leaf.pem"
              " && openssl pkcs12 -export -inkey leaf.key -in leaf.pem -passout pass:good-pass -out leaf.p12"
              " && printf 'good-pass\\n' > pass.txt && printf 'bad-pass\\n' > wrong.txt"
              " && printf 'Minutes of the meeting\\n' > content.txt"
              " && openssl cms -sign -binary -nosmimecap -md sha256 -in content.txt -signer leaf.pem -inkey leaf.key"
              " -outform DER -out content.p7s"
              " && printf 'Minutes of the meeting!\\n' > changed.txt");
        return d;
    }();
    return dir;
}

std::string anchors_set() { return "trust.anchors_file=" + (ca_dir() / "root.pem").string(); }

Server& server() {
    static Server s(true, {"--set", anchors_set()});
    return s;
}

CommandResult idara(std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", server().data_dir(), "--set", anchors_set()});
    return run_idara(args);
}

std::string multipart(const std::string& boundary, const std::vector<std::pair<std::string, std::string>>& parts) {
    std::string body;
    for (const auto& [name, data] : parts)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name +
                ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n";
    return body + "--" + boundary + "--\r\n";
}

json::value api_verify(const std::vector<std::pair<std::string, std::string>>& parts, long want_status = 200) {
    Client c;
    auto r = c.request("POST", server().url("/api/v1/verify"), {"Content-Type: multipart/form-data; boundary=BNDRY"},
                       multipart("BNDRY", parts));
    EXPECT_EQ(r.status, want_status) << r.body;
    return json::parse(r.body);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A deposit's sealed receipt PDF.
std::string receipt() {
    const std::string auth = server().bearer("amina.elmansouri@example.ma");
    const std::string boundary = "----pkiReceipt";
    const std::string body =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deposit\"\r\nContent-Type: application/json\r\n\r\n" +
        R"({"administration":"MEF","type":"letter","subject":"طلب","body":"نص"})" + "\r\n--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
        idara::testing::sample_pdf(1, "Demande") + "\r\n--" + boundary + "--\r\n";
    Client c;
    auto r = c.request("POST", server().url("/api/v1/deposits"),
                       {auth, "Content-Type: multipart/form-data; boundary=" + boundary}, body);
    EXPECT_EQ(r.status, 201) << r.body;
    auto o = json::parse(r.body).as_object();
    auto pdf = c.get(server().url(std::string(o.at("receipt_url").as_string())), {auth});
    EXPECT_EQ(pdf.status, 200);
    return pdf.body;
}

std::string sha_of(const json::array& list, const std::string& purpose, const std::string& owner) {
    for (const auto& v : list)
        if (v.at("purpose").as_string() == purpose && v.at("owner").as_string() == owner &&
            v.at("status").as_string() == "active")
            return std::string(v.at("sha256").as_string());
    return {};
}

TEST(PkiCli, ListShowsTheDevelopmentHierarchyAndNoPrivateKey) {
    auto r = idara({"pki", "list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto list = json::parse(r.output).as_array();
    std::set<std::string> purposes;
    for (const auto& v : list) purposes.insert(std::string(v.at("purpose").as_string()));
    for (const char* p : {"root_ca", "issuing_ca", "seal", "tsa"}) EXPECT_TRUE(purposes.count(p)) << p << r.output;
    EXPECT_FALSE(sha_of(list, "seal", "MEF").empty()) << r.output;
    auto text = idara({"pki", "list"});
    ASSERT_EQ(text.exit_code, 0);
    EXPECT_NE(text.output.find("idara Issuing CA"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Test Qualified Root"), std::string::npos);  // the configured anchor
    for (const auto& out : {r.output, text.output}) EXPECT_EQ(out.find("PRIVATE KEY"), std::string::npos);
}

TEST(PkiCli, IssueDevMakesOneSigningCertificatePerPerson) {
    const std::string signer = demo_login(server().init_output(), {" signer ", "MEF"});
    auto first = idara({"pki", "issue-dev", "--account", signer});
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_NE(first.output.find("issuer  CN=idara Issuing CA"), std::string::npos) << first.output;
    auto second = idara({"pki", "issue-dev", "--account", signer});
    ASSERT_EQ(second.exit_code, 0);
    EXPECT_EQ(first.output, second.output);
    EXPECT_EQ(first.output.find("PRIVATE"), std::string::npos);
    auto nobody = idara({"pki", "issue-dev", "--account", "nobody@example.ma"});
    EXPECT_EQ(nobody.exit_code, 1);
    EXPECT_NE(nobody.output.find("trust.no_owner"), std::string::npos) << nobody.output;
}

TEST(PkiCli, ImportChecksThePkcs12) {
    const std::string signer = demo_login(server().init_output(), {" signer ", "MEF"});
    const std::string p12 = (ca_dir() / "leaf.p12").string();
    auto wrong = idara({"pki", "import", "--administration", "MEF", "--account", signer, "--p12", p12, "--password-file",
                        (ca_dir() / "wrong.txt").string()});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_NE(wrong.output.find("trust.pkcs12"), std::string::npos) << wrong.output;
    // Without the anchor (no [trust] anchors_file) the same file is untrusted.
    auto untrusted = run_idara({"pki", "import", "--data-dir", server().data_dir(), "--administration", "MEF", "--account",
                                signer, "--p12", p12, "--password-file", (ca_dir() / "pass.txt").string()});
    EXPECT_EQ(untrusted.exit_code, 1);
    EXPECT_NE(untrusted.output.find("trust.cert_untrusted"), std::string::npos) << untrusted.output;
    auto ok = idara({"pki", "import", "--administration", "MEF", "--account", signer, "--p12", p12, "--password-file",
                     (ca_dir() / "pass.txt").string()});
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    auto issued = idara({"pki", "issue-dev", "--account", signer});  // the import now takes precedence
    EXPECT_NE(issued.output.find("CN=Qualified Signer"), std::string::npos) << issued.output;
    auto list = idara({"pki", "list"});
    EXPECT_NE(list.output.find("pkcs12"), std::string::npos);
    EXPECT_EQ(list.output.find("PRIVATE KEY"), std::string::npos);
}

TEST(VerifyCli, ReceiptAndDetachedSignaturesGetTheEtsiReport) {
    const fs::path file = ca_dir() / "receipt.pdf";
    idara::testing::write_file(file, receipt());
    auto r = idara({"verify", file.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto o = json::parse(r.output).as_object();
    EXPECT_EQ(o.at("verdict").as_string(), "valid");
    const auto& v = o.at("validation").as_object();
    EXPECT_EQ(v.at("indication").as_string(), "TOTAL_PASSED") << r.output;
    const auto& sig = v.at("signatures").as_array().at(0).as_object();
    EXPECT_TRUE(sig.at("total_document").as_bool());
    EXPECT_EQ(sig.at("revocation").as_string(), "good");  // the platform CRL was consulted
    EXPECT_FALSE(sig.at("reason").at("ar").as_string().empty());
    auto text = idara({"verify", file.string(), "--lang", "ar"});
    EXPECT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("TOTAL_PASSED"), std::string::npos) << text.output;

    const std::string content = (ca_dir() / "content.txt").string(), p7s = (ca_dir() / "content.p7s").string();
    auto d = idara({"verify", content, "--detached", p7s});
    EXPECT_EQ(d.exit_code, 0) << d.output;
    EXPECT_NE(d.output.find("signer Qualified Signer — MEF"), std::string::npos) << d.output;
    auto changed = idara({"verify", (ca_dir() / "changed.txt").string(), "--detached", p7s, "--json"});
    EXPECT_EQ(changed.exit_code, 1) << changed.output;
    EXPECT_EQ(json::parse(changed.output).at("validation").at("sub_indication").as_string(), "HASH_FAILURE");
    // Without the external anchor: no chain.
    auto foreign = run_idara({"verify", content, "--detached", p7s, "--data-dir", server().data_dir(), "--json"});
    EXPECT_EQ(foreign.exit_code, 1);
    EXPECT_EQ(json::parse(foreign.output).at("validation").at("sub_indication").as_string(), "NO_CERTIFICATE_CHAIN_FOUND")
        << foreign.output;
    auto not_pdf = idara({"verify", content, "--json"});
    EXPECT_EQ(not_pdf.exit_code, 1);
    EXPECT_EQ(json::parse(not_pdf.output).at("validation").at("sub_indication").as_string(), "FORMAT_FAILURE");
}

TEST(VerifyApi, PerSignatureReportForPdfAndDetached) {
    const std::string pdf = receipt();
    auto ok = api_verify({{"file", pdf}});
    EXPECT_EQ(ok.at("verdict").as_string(), "valid");
    EXPECT_EQ(ok.at("validation").at("indication").as_string(), "TOTAL_PASSED");
    EXPECT_EQ(ok.at("validation").at("signatures").as_array().size(), 1u);
    // One byte in the middle of the first signed range (before the /Contents hex string).
    std::string tampered = pdf;
    std::istringstream range(pdf.substr(pdf.find('[', pdf.rfind("/ByteRange")) + 1));
    std::size_t start = 0, gap = 0;
    range >> start >> gap;
    ASSERT_GT(gap, 100u);
    tampered[gap / 2] ^= 0x01;
    auto bad = api_verify({{"file", tampered}});
    EXPECT_EQ(bad.at("validation").at("indication").as_string(), "TOTAL_FAILED") << json::serialize(bad);

    const std::string content = slurp(ca_dir() / "content.txt"), p7s = slurp(ca_dir() / "content.p7s");
    auto det = api_verify({{"file", content}, {"signature", p7s}});
    EXPECT_EQ(det.at("verdict").as_string(), "valid") << json::serialize(det);
    EXPECT_EQ(det.at("validation").at("format").as_string(), "cades");
    auto det_bad = api_verify({{"file", content + "x"}, {"signature", p7s}});
    EXPECT_EQ(det_bad.at("verdict").as_string(), "invalid");
    EXPECT_EQ(det_bad.at("validation").at("sub_indication").as_string(), "HASH_FAILURE");
    auto no_file = api_verify({{"signature", p7s}}, 400);
    EXPECT_EQ(no_file.at("error").at("code").as_string(), "request.invalid");
    auto two = api_verify({{"file", content}, {"signature", p7s}, {"signature", p7s}}, 400);
    EXPECT_EQ(two.at("error").at("code").as_string(), "request.invalid");
}

TEST(VerifyWeb, TheVerifyPageShowsEachSignature) {
    Client c;
    auto page = c.get(server().url("/verify"));
    ASSERT_EQ(page.status, 200);
    const std::string token = csrf_field(page.body);
    const std::string boundary = "WEBBNDRY";
    const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token +
                             "\r\n--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"receipt\"; filename=\"r.pdf\"\r\nContent-Type: "
                             "application/pdf\r\n\r\n" +
                             receipt() + "\r\n--" + boundary + "--\r\n";
    auto r = c.request("POST", server().url("/verify"), {"Content-Type: multipart/form-data; boundary=" + boundary}, body);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("data-indication=\"TOTAL_PASSED\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("التوقيعات الإلكترونية للوثيقة"), std::string::npos);  // Arabic by default
}

// Last: revoking the MEF seal certificate reaches the CRL, the API and the CLI.
TEST(ZRevocation, RevokedSealIsReportedAndPublishedInTheCrl) {
    const std::string pdf = receipt();
    auto list = json::parse(idara({"pki", "list", "--json"}).output).as_array();
    const std::string sha = sha_of(list, "seal", "MEF");
    ASSERT_FALSE(sha.empty());
    auto bad = idara({"pki", "revoke", std::string(64, '0')});
    EXPECT_EQ(bad.exit_code, 1);
    auto rv = idara({"pki", "revoke", sha, "--reason", "1"});
    ASSERT_EQ(rv.exit_code, 0) << rv.output;
    auto v = api_verify({{"file", pdf}});
    EXPECT_EQ(v.at("validation").at("indication").as_string(), "TOTAL_FAILED") << json::serialize(v);
    EXPECT_EQ(v.at("validation").at("sub_indication").as_string(), "REVOKED");
    Client c;
    auto crl = c.get(server().url("/pki/crl.der"));
    ASSERT_EQ(crl.status, 200);
    EXPECT_EQ(crl.header("content-type"), "application/pkix-crl");
    idara::testing::write_file(ca_dir() / "crl.der", crl.body);
    const std::string text = shell("openssl crl -inform DER -noout -text -in " + (ca_dir() / "crl.der").string());
    EXPECT_NE(text.find("idara Issuing CA"), std::string::npos) << text;
    EXPECT_NE(text.find("Key Compromise"), std::string::npos) << text;
    auto cli_crl = idara({"pki", "crl"});
    EXPECT_NE(cli_crl.output.find("-----BEGIN X509 CRL-----"), std::string::npos);
}

}  // namespace
