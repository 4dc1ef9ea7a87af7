#include "trust/pades.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstdio>
#include <stdexcept>

namespace idara::trust {

namespace {

constexpr std::size_t kContentsBytes = 8192;                  // room for the DER CMS
constexpr const char* kRangePlaceholder = "[0 1111111111 2222222222 3333333333]";

Error seal_error(const std::string& what) { return Error{"trust.seal", 500, what}; }

// Adds the signature dictionary, its field and widget; returns the written PDF with placeholders.
std::string prepare(std::string_view pdf, const SealOptions& o) {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("receipt.pdf", pdf.data(), pdf.size());
    auto sig = q.makeIndirectObject(QPDFObjectHandle::parse(
        std::string("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ") +
        kRangePlaceholder + " >>"));
    sig.replaceKey("/Contents", QPDFObjectHandle::newString(std::string(kContentsBytes, '\0')));
    if (!o.reason.empty()) sig.replaceKey("/Reason", QPDFObjectHandle::newString(o.reason));
    if (!o.location.empty()) sig.replaceKey("/Location", QPDFObjectHandle::newString(o.location));
    auto pages = q.getAllPages();
    if (pages.empty()) throw std::runtime_error("the PDF has no page");
    auto page = pages.front();
    auto field = q.makeIndirectObject(
        QPDFObjectHandle::parse("<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 >>"));
    field.replaceKey("/T", QPDFObjectHandle::newString(o.field_name));
    field.replaceKey("/V", sig);
    field.replaceKey("/P", page);
    auto annots = page.getKey("/Annots");
    if (!annots.isArray()) {
        annots = QPDFObjectHandle::newArray();
        page.replaceKey("/Annots", annots);
    }
    annots.appendItem(field);
    auto form = QPDFObjectHandle::parse("<< /SigFlags 3 >>");
    auto fields = QPDFObjectHandle::newArray();
    fields.appendItem(field);
    form.replaceKey("/Fields", fields);
    q.getRoot().replaceKey("/AcroForm", form);
    QPDFWriter w(q);
    w.setOutputMemory();
    w.setObjectStreamMode(qpdf_o_disable);  // the signature dictionary must be plain text in the file
    // Streams are copied as they are: no decoding and recompressing of fonts and pages (most of
    // the sealing time otherwise, and nothing to gain: cairo already compressed them).
    w.setDecodeLevel(qpdf_dl_none);
    w.setCompressStreams(false);
    w.setRecompressFlate(false);
    w.write();
    auto buf = w.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
}

Result<std::string> cms_sign(std::string_view content, const SigningIdentity& id) {
    BIO* in = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
    STACK_OF(X509)* chain = sk_X509_new_null();
    for (const auto& c : id.chain) sk_X509_push(chain, c.get());
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, chain, nullptr, flags);
    std::string der;
    bool ok = cms != nullptr &&
              CMS_add1_signer(cms, id.cert.get(), id.key.get(), EVP_sha256(), flags | CMS_CADES) != nullptr &&
              CMS_final(cms, in, nullptr, flags) == 1;
    if (ok) {
        unsigned char* out = nullptr;
        const int n = i2d_CMS_ContentInfo(cms, &out);
        ok = n > 0;
        if (ok) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        OPENSSL_free(out);
    }
    CMS_ContentInfo_free(cms);
    sk_X509_free(chain);
    BIO_free(in);
    if (!ok) return seal_error("CMS signing failed: " + std::to_string(ERR_get_error()));
    return der;
}

}  // namespace

Result<std::string> seal_pdf(std::string_view pdf, const SigningIdentity& id, const SealOptions& o) {
    std::string doc;
    try {
        doc = prepare(pdf, o);
    } catch (const std::exception& e) {
        return seal_error(std::string("not a readable PDF: ") + e.what());
    }
    // Locate the placeholders qpdf wrote: the zero-filled hex string and the byte range.
    const std::string zeros = "<" + std::string(kContentsBytes * 2, '0') + ">";
    const auto lt = doc.find(zeros);
    const auto br = doc.find("/ByteRange");
    if (lt == std::string::npos || br == std::string::npos) return seal_error("signature placeholders not found");
    const auto open = doc.find('[', br), close = doc.find(']', br);
    if (open == std::string::npos || close == std::string::npos || close > lt + zeros.size() + 4096)
        return seal_error("byte range placeholder not found");
    const std::size_t after = lt + zeros.size();
    char range[128];
    std::snprintf(range, sizeof range, "[0 %zu %zu %zu", lt, after, doc.size() - after);
    std::string patched(range);
    if (patched.size() + 1 > close - open + 1) return seal_error("byte range does not fit");
    patched.append(close - open - patched.size(), ' ');
    patched += ']';
    doc.replace(open, close - open + 1, patched);

    const std::string signed_bytes = doc.substr(0, lt) + doc.substr(after);
    auto der = cms_sign(signed_bytes, id);
    if (!der) return der.error();
    if (der->size() > kContentsBytes) return seal_error("signature larger than its placeholder");
    static const char* hex = "0123456789ABCDEF";
    for (std::size_t i = 0; i < der->size(); ++i) {
        const auto b = static_cast<unsigned char>((*der)[i]);
        doc[lt + 1 + 2 * i] = hex[b >> 4];
        doc[lt + 2 + 2 * i] = hex[b & 15];
    }
    return doc;
}

}  // namespace idara::trust
