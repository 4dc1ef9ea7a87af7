// PAdES signatures as incremental updates, checked by the tools people would use: poppler's
// pdfsig (test root trusted in an NSS database) and `openssl cms -verify` over each byte
// range, `openssl ts -verify` over the embedded signature time-stamp, pdftoppm for the
// visible stamp; on a cross-reference table and on a cross-reference stream; errors that
// produce nothing.
#include "sample_pdf.hpp"
#include "shell.hpp"
#include "sign_fixture.hpp"
#include "trust/pades.hpp"
#include "trust/pdf_sign.hpp"
#include "trust/pdf_verify.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace idara;
using namespace idara::trust;

namespace {

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd); }

class PdfSign : public ::testing::Test {
protected:
    test::TestPki pki_ = test::make_test_pki();
    test::Scratch scratch_{pki_};
    std::unique_ptr<BuiltinTsa> tsa_ = make_builtin_tsa(pki_.tsa(), system_clock());

    PdfSignRequest req(const std::string& field) {
        PdfSignRequest r;
        r.field_name = field;
        r.reason = "Approval";
        r.location = "Rabat";
        return r;
    }

    // Checks every embedded CMS with openssl over its byte range and its time-stamp token.
    void openssl_checks(const std::string& pdf, std::size_t expected, bool timestamped) {
        const auto sigs = test::embedded_signatures(pdf);
        ASSERT_EQ(sigs.size(), expected);
        for (std::size_t i = 0; i < sigs.size(); ++i) {
            SCOPED_TRACE("signature " + std::to_string(i + 1));
            EXPECT_EQ(sigs[i].total, i + 1 == sigs.size());
            const auto sig = scratch_.write("sig.der", sigs[i].cms);
            const auto content = scratch_.write("content.bin", sigs[i].content);
            const std::string out = run("openssl cms -verify -binary -inform DER -in " + sig.string() + " -content " +
                                        content.string() + " -CAfile " + (scratch_.dir() / "root.pem").string() +
                                        " -purpose any -out /dev/null");
            EXPECT_NE(out.find("Verification successful"), std::string::npos) << out;
            EXPECT_EQ(test::has_signing_time(sigs[i].cms), !timestamped);  // B-T: the token's time only
            std::string sig_hash;
            const std::string token = test::timestamp_token(sigs[i].cms, &sig_hash);
            EXPECT_EQ(token.empty(), !timestamped);
            if (timestamped && !token.empty()) {
                const auto t = scratch_.write("token.der", token);
                const std::string ts = run("openssl ts -verify -digest " + sig_hash + " -token_in -in " + t.string() +
                                           " -CAfile " + (scratch_.dir() / "root.pem").string() + " -untrusted " +
                                           (scratch_.dir() / "chain.pem").string());
                EXPECT_NE(ts.find("Verification: OK"), std::string::npos) << ts;
            }
        }
    }

    void three_signers(const std::string& base, bool xref_stream) {
        std::string doc = base;
        const char* fields[] = {"Sig1-visa", "Sig2-signature", "Sig3-seal"};
        const char* names[] = {"Amina El Idrissi", "Youssef Benali", "MEF electronic seal"};
        for (int i = 0; i < 3; ++i) {
            auto signer = pki_.signer(names[i]);
            auto out = sign_pdf(doc, signer, tsa_.get(), req(fields[i]));
            ASSERT_TRUE(out) << out.error().code << ": " << out.error().detail;
            // An incremental update: everything before is kept byte for byte.
            ASSERT_GT(out->size(), doc.size());
            ASSERT_EQ(out->compare(0, doc.size(), doc), 0);
            const std::string appended = out->substr(doc.size());
            EXPECT_EQ(appended.find("/Type /XRef") != std::string::npos, xref_stream);
            EXPECT_EQ(appended.find("\nxref\n") != std::string::npos, !xref_stream);
            EXPECT_NE(appended.find("/Prev "), std::string::npos);
            doc = std::move(*out);
        }
        const auto file = scratch_.write("three.pdf", doc);
        const std::string out = scratch_.pdfsig(file);
        const auto sigs = test::parse_pdfsig(out);
        ASSERT_EQ(sigs.size(), 3u) << out;
        for (std::size_t i = 0; i < 3; ++i) {
            EXPECT_TRUE(sigs[i].valid) << "signature " << i + 1 << "\n" << out;
            EXPECT_TRUE(sigs[i].trusted) << out;
            EXPECT_EQ(sigs[i].total, i == 2) << out;
            EXPECT_EQ(sigs[i].field, fields[i]) << out;
        }
        openssl_checks(doc, 3, true);
        // The in-process verifier agrees.
        auto report = verify_pdf(doc, {to_pem(pki_.root.get())});
        ASSERT_TRUE(report);
        ASSERT_EQ(report->signatures.size(), 3u);
        for (std::size_t i = 0; i < 3; ++i) {
            EXPECT_TRUE(report->signatures[i].integrity) << i;
            EXPECT_TRUE(report->signatures[i].chain_trusted) << report->signatures[i].chain_error;
            EXPECT_EQ(report->signatures[i].total_document, i == 2);
            EXPECT_EQ(report->signatures[i].field_name, fields[i]);
        }
        // qpdf still reads the whole file without complaint.
        const std::string check = run("qpdf --check " + file.string());
        EXPECT_NE(check.find("No syntax or stream encoding errors found"), std::string::npos) << check;
    }
};

TEST_F(PdfSign, OneTimestampedSignatureIsValidTrustedAndTotal) {
    const std::string base = test::cairo_pdf();
    ASSERT_FALSE(base.empty());
    auto out = sign_pdf(base, pki_.signer("Amina El Idrissi"), tsa_.get(), req("Sig1"));
    ASSERT_TRUE(out) << out.error().detail;
    EXPECT_EQ(out->compare(0, base.size(), base), 0);
    const auto file = scratch_.write("one.pdf", *out);
    const std::string text = scratch_.pdfsig(file);
    const auto sigs = test::parse_pdfsig(text);
    ASSERT_EQ(sigs.size(), 1u) << text;
    EXPECT_TRUE(sigs[0].valid) << text;
    EXPECT_TRUE(sigs[0].trusted) << text;
    EXPECT_TRUE(sigs[0].total) << text;
    EXPECT_NE(text.find("ETSI.CAdES.detached"), std::string::npos);
    EXPECT_NE(text.find("Amina El Idrissi"), std::string::npos);
    openssl_checks(*out, 1, true);
}

TEST_F(PdfSign, ThreeSignersOnACrossReferenceTable) { three_signers(test::cairo_pdf(), false); }

TEST_F(PdfSign, ThreeSignersOnACrossReferenceStream) {
    const std::string base = test::xref_stream_pdf(scratch_.dir());
    ASSERT_NE(base.find("/ObjStm"), std::string::npos);
    three_signers(base, true);
}

TEST_F(PdfSign, AFlippedByteInsideASignedRangeIsReported) {
    auto one = sign_pdf(test::cairo_pdf(), pki_.signer("A"), tsa_.get(), req("Sig1"));
    ASSERT_TRUE(one);
    auto two = sign_pdf(*one, pki_.signer("B"), tsa_.get(), req("Sig2"));
    ASSERT_TRUE(two);
    std::string tampered = *two;
    const auto pos = tampered.find("/MediaBox");  // in the original part, signed by both
    ASSERT_NE(pos, std::string::npos);
    tampered[pos + 12] = tampered[pos + 12] == '1' ? '2' : '1';
    const std::string out = scratch_.pdfsig(scratch_.write("tampered.pdf", tampered));
    const auto sigs = test::parse_pdfsig(out);
    ASSERT_EQ(sigs.size(), 2u) << out;
    EXPECT_FALSE(sigs[0].valid) << out;
    EXPECT_FALSE(sigs[1].valid) << out;
    EXPECT_NE(out.find("Digest Mismatch"), std::string::npos) << out;
}

TEST_F(PdfSign, AnUnreachableAuthorityProducesNothing) {
    auto tsa = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/tsr"});
    auto out = sign_pdf(test::cairo_pdf(), pki_.signer("A"), tsa.get(), req("Sig1"));
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, "trust.tsa_unavailable");
    EXPECT_EQ(out.error().status, 503);
}

TEST_F(PdfSign, ALoopbackHttpAuthorityWorksEndToEnd) {
    test::LoopbackHttp server([this](const std::string& body, int&) {
        auto r = tsa_->respond(body);
        return r ? *r : std::string();
    });
    auto tsa = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/tsr"});
    auto out = sign_pdf(test::cairo_pdf(), pki_.signer("Amina El Idrissi"), tsa.get(), req("Sig1"));
    ASSERT_TRUE(out) << out.error().detail;
    EXPECT_EQ(server.requests(), 1);
    const auto sigs = test::parse_pdfsig(scratch_.pdfsig(scratch_.write("http.pdf", *out)));
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_TRUE(sigs[0].valid);
    openssl_checks(*out, 1, true);
}

// Dark pixels of a P6 PPM inside a rectangle (pixel coordinates from the top left).
int dark_in(const std::string& ppm, int x0, int y0, int x1, int y1) {
    std::istringstream in(ppm);
    std::string magic;
    int w = 0, h = 0, max = 0;
    in >> magic >> w >> h >> max;
    in.get();
    const std::size_t data = static_cast<std::size_t>(in.tellg());
    if (magic != "P6" || ppm.size() < data + static_cast<std::size_t>(w) * h * 3) return -1;
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y)
        for (int x = std::max(0, x0); x < std::min(w, x1); ++x) {
            const auto* p = reinterpret_cast<const unsigned char*>(ppm.data() + data) + (static_cast<std::size_t>(y) * w + x) * 3;
            if (p[0] < 128 && p[1] < 128 && p[2] < 128) ++n;
        }
    return n;
}

TEST_F(PdfSign, VisibleStampIsDrawnOnTheChosenPageWithItsTextForAssistiveTechnology) {
    const std::string base = test::cairo_pdf(2);
    auto r = req("Sig1-visible");
    r.stamp = VisibleStamp{.page = 2, .x = 340, .y = 60, .width = 200, .height = 60,
                           .lines = {"وقعه إلكترونيا: أمينة الإدريسي", "2026-03-01 10:00 UTC", "Signé par Amina El Idrissi"}};
    auto out = sign_pdf(base, pki_.signer("Amina El Idrissi"), tsa_.get(), r);
    ASSERT_TRUE(out) << out.error().detail;
    const auto file = scratch_.write("stamp.pdf", *out);
    const auto orig = scratch_.write("orig.pdf", base);
    // 72 dpi: one pixel per point; the page is 842 points high.
    run("pdftoppm -r 72 -f 2 -l 2 " + file.string() + " " + (scratch_.dir() / "signed").string());
    run("pdftoppm -r 72 -f 2 -l 2 " + orig.string() + " " + (scratch_.dir() / "orig").string());
    const std::string signed_ppm = test::read_file(scratch_.dir() / "signed-2.ppm");
    const std::string orig_ppm = test::read_file(scratch_.dir() / "orig-2.ppm");
    const int top = 842 - (60 + 60), bottom = 842 - 60;
    EXPECT_EQ(dark_in(orig_ppm, 340, top, 540, bottom), 0);  // blank there before
    EXPECT_GT(dark_in(signed_ppm, 345, top + 4, 535, bottom - 4), 150) << "stamp not drawn";
    // Page 1 stays untouched.
    run("pdftoppm -r 72 -f 1 -l 1 " + file.string() + " " + (scratch_.dir() / "signed").string());
    EXPECT_EQ(dark_in(test::read_file(scratch_.dir() / "signed-1.ppm"), 340, top, 540, bottom), 0);
    // /TU and /Contents carry the text (UTF-16BE), and the signature is valid.
    EXPECT_NE(out->find("/TU <FEFF"), std::string::npos);
    EXPECT_NE(out->find("/Subtype /Image"), std::string::npos);
    const auto sigs = test::parse_pdfsig(scratch_.pdfsig(file));
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_TRUE(sigs[0].valid);
    EXPECT_TRUE(sigs[0].total);
}

TEST_F(PdfSign, StampOnAMissingPageOrWithNoSizeIsRefused) {
    const std::string base = test::cairo_pdf();
    auto r = req("Sig1");
    r.stamp = VisibleStamp{.page = 2, .x = 10, .y = 10, .width = 100, .height = 40, .lines = {"x"}};
    auto missing = sign_pdf(base, pki_.signer("A"), tsa_.get(), r);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "trust.sign_stamp");
    EXPECT_EQ(missing.error().status, 400);
    r.stamp->page = 0;
    EXPECT_EQ(sign_pdf(base, pki_.signer("A"), tsa_.get(), r).error().code, "trust.sign_stamp");
    r.stamp->page = 1;
    r.stamp->width = 0;
    EXPECT_EQ(sign_pdf(base, pki_.signer("A"), tsa_.get(), r).error().code, "trust.sign_stamp");
}

TEST_F(PdfSign, DuplicateOrMalformedFieldNamesAreRefused) {
    auto one = sign_pdf(test::cairo_pdf(), pki_.signer("A"), nullptr, req("Sig1"));
    ASSERT_TRUE(one);
    auto dup = sign_pdf(*one, pki_.signer("B"), nullptr, req("Sig1"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, "trust.sign_field");
    EXPECT_EQ(dup.error().status, 400);
    for (const char* bad : {"", "a.b", "tab\there"}) {
        auto r = sign_pdf(*one, pki_.signer("B"), nullptr, req(bad));
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "trust.sign_field");
    }
    // A seal made by seal_pdf is a field like any other.
    auto sealed = seal_pdf(test::cairo_pdf(), pki_.signer("Seal"), {.field_name = "Seal"});
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sign_pdf(*sealed, pki_.signer("B"), nullptr, req("Seal")).error().code, "trust.sign_field");
}

// A form that already has a text field, with the AcroForm, its /Fields and the page's
// /Annots all indirect objects, a MediaBox not at the origin, and no end-of-line at the end.
std::string form_pdf() {
    const std::string content = "0 0 1 rg 120 120 100 100 re f\n";
    std::string pdf = idara::testing::assemble_pdf({
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [100 100 400 400] /Contents 4 0 R /Resources << >> /Annots 6 0 R >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
        "<< /Fields 7 0 R /DA (/Helv 0 Tf 0 g) >>",
        "[8 0 R]",
        "[8 0 R]",
        "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Amina) /Rect [110 300 300 320] /P 3 0 R >>",
    });
    while (!pdf.empty() && pdf.back() == '\n') pdf.pop_back();
    return pdf;
}

TEST_F(PdfSign, IndirectFormFieldsAndAnnotationsAreUpdatedInPlace) {
    const std::string base = form_pdf();
    auto r = req("Sig1");
    r.stamp = VisibleStamp{.page = 1, .x = 10, .y = 10, .width = 120, .height = 40, .lines = {"Signé", "موقع"}};
    auto one = sign_pdf(base, pki_.signer("A"), tsa_.get(), r);
    ASSERT_TRUE(one) << one.error().detail;
    ASSERT_EQ(one->compare(0, base.size(), base), 0);
    const std::string update = one->substr(base.size());
    // The arrays are rewritten under their own numbers; the page, AcroForm and catalog are not.
    EXPECT_NE(update.find("\n6 0 obj\n[8 0 R 10 0 R]"), std::string::npos) << update.substr(0, 400);
    EXPECT_NE(update.find("\n7 0 obj\n[8 0 R 10 0 R]"), std::string::npos);
    EXPECT_NE(update.find("\n5 0 obj\n<< /DA (/Helv 0 Tf 0 g) /Fields 7 0 R /SigFlags 3 >>"), std::string::npos);
    EXPECT_EQ(update.find("\n3 0 obj"), std::string::npos);
    EXPECT_EQ(update.find("\n1 0 obj"), std::string::npos);
    // The stamp is placed from the MediaBox corner.
    EXPECT_NE(update.find("/Rect [110.000 110.000 230.000 150.000]"), std::string::npos);
    auto two = sign_pdf(*one, pki_.signer("B"), tsa_.get(), req("Sig2"));
    ASSERT_TRUE(two) << two.error().detail;
    EXPECT_EQ(sign_pdf(*two, pki_.signer("C"), nullptr, req("name")).error().code, "trust.sign_field");
    const auto file = scratch_.write("form.pdf", *two);
    const auto sigs = test::parse_pdfsig(scratch_.pdfsig(file));
    ASSERT_EQ(sigs.size(), 2u);
    EXPECT_TRUE(sigs[0].valid && !sigs[0].total);
    EXPECT_TRUE(sigs[1].valid && sigs[1].total);
    const std::string check = run("qpdf --check " + file.string());
    EXPECT_NE(check.find("No syntax or stream encoding errors found"), std::string::npos) << check;
    // The text field keeps its value.
    EXPECT_NE(run("qpdf --json --json-key=acroform " + file.string()).find("\"u:Amina\""), std::string::npos);
}

TEST_F(PdfSign, DirectAcroFormIsCarriedIntoTheNewCatalog) {
    const std::string base = idara::testing::assemble_pdf({
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /DA (/Helv 0 Tf 0 g) >> /Lang (ar-MA) >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
    });
    auto out = sign_pdf(base, pki_.signer("A"), nullptr, req("Sig1"));
    ASSERT_TRUE(out) << out.error().detail;
    const std::string update = out->substr(base.size());
    EXPECT_NE(update.find("\n1 0 obj\n<< /Lang (ar-MA) /Pages 2 0 R /Type /Catalog /AcroForm << /DA (/Helv 0 Tf 0 g) "
                          "/Fields [5 0 R] /SigFlags 3 >> >>"),
              std::string::npos)
        << update;
    const auto sigs = test::parse_pdfsig(scratch_.pdfsig(scratch_.write("direct.pdf", *out)));
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_TRUE(sigs[0].valid && sigs[0].total);
}

TEST_F(PdfSign, EncryptedOrDamagedFilesAreRefused) {
    const auto plain = scratch_.write("plain.pdf", test::cairo_pdf());
    const auto enc = scratch_.dir() / "enc.pdf";
    run("qpdf --encrypt user owner 256 -- " + plain.string() + " " + enc.string());
    auto r = sign_pdf(test::read_file(enc), pki_.signer("A"), nullptr, req("Sig1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.sign_input");
    // Cross-reference offsets all wrong: readers reconstruct, but an update needs a sound startxref.
    const std::string damaged = idara::testing::assemble_pdf(
        {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>"},
        "", 7);
    auto d = sign_pdf(damaged, pki_.signer("A"), nullptr, req("Sig1"));
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "trust.sign_input");
}

TEST_F(PdfSign, WhatIsNotAPdfIsRefused) {
    auto r = sign_pdf("not a pdf at all", pki_.signer("A"), nullptr, req("Sig1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.sign_input");
    EXPECT_EQ(r.error().status, 400);
}

TEST_F(PdfSign, SealWithTimestampThenASignatureBothStayValid) {
    const std::string base = test::cairo_pdf();
    auto sealed = seal_pdf(base, pki_.signer("MEF electronic seal"), {.reason = "Receipt", .location = "Rabat"}, tsa_.get());
    ASSERT_TRUE(sealed) << sealed.error().detail;
    EXPECT_EQ(sealed->compare(0, base.size(), base), 0);  // the seal is an incremental update too
    auto signed_ = sign_pdf(*sealed, pki_.signer("Amina El Idrissi"), nullptr, req("Sig2"));
    ASSERT_TRUE(signed_);
    const auto out = scratch_.pdfsig(scratch_.write("sealed-signed.pdf", *signed_));
    const auto sigs = test::parse_pdfsig(out);
    ASSERT_EQ(sigs.size(), 2u) << out;
    EXPECT_TRUE(sigs[0].valid && !sigs[0].total) << out;
    EXPECT_TRUE(sigs[1].valid && sigs[1].total) << out;
    EXPECT_FALSE(test::timestamp_token(test::embedded_signatures(*signed_)[0].cms).empty());
    EXPECT_TRUE(test::timestamp_token(test::embedded_signatures(*signed_)[1].cms).empty());  // B-B
    EXPECT_FALSE(test::has_signing_time(test::embedded_signatures(*signed_)[0].cms));
    EXPECT_TRUE(test::has_signing_time(test::embedded_signatures(*signed_)[1].cms));
}

TEST_F(PdfSign, SealReportsAnUnreachableAuthority) {
    auto tsa = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/"});
    auto sealed = seal_pdf(test::cairo_pdf(), pki_.signer("Seal"), {}, tsa.get());
    ASSERT_FALSE(sealed);
    EXPECT_EQ(sealed.error().code, "trust.tsa_unavailable");
}

}  // namespace
