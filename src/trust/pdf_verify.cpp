// verify_pdf (trust/pdf_verify.hpp).
//
// Finding the signatures: qpdf reads the document and yields every signature
// dictionary (AcroForm fields /FT /Sig with a /V dictionary, then any other
// /Type /Sig object). When qpdf cannot read the file, or finds no signature, a raw
// scan looks for "/ByteRange [" in the bytes: a tampered byte can break the PDF
// structure, and a tampered file must read as "integrity false", never as "not sealed".
//
// Checking one: its /ByteRange is checked against the original bytes (first range
// at 0, both within the file, the gap exactly one hex string, the /Contents qpdf read
// equal to that hex string), then the CMS is verified over the two ranges for
// integrity only (CMS_NO_SIGNER_CERT_VERIFY), then the signer's chain separately
// against the anchors, so an intact signature by an unknown signer reads as
// integrity true, chain_trusted false.
#include "trust/pdf_verify.hpp"
#include "trust/ossl_handles.hpp"

#include "trust/keys.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <ctime>
#include <set>

namespace idara::trust {

namespace {

// A signature dictionary as found, before any check.
struct Candidate {
    std::string field_name;
    std::string sub_filter;
    std::vector<long long> range;         // as written; checked later
    std::optional<std::string> contents;  // /Contents as qpdf decoded it (qpdf path only)
};

std::string hex_lower(const unsigned char* p, std::size_t n) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += hex[p[i] >> 4];
        out += hex[p[i] & 15];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    return hex_lower(md, len);
}

// ---- Finding signature dictionaries with qpdf

Candidate from_dict(QPDFObjectHandle sig, std::string field_name) {
    Candidate c;
    c.field_name = std::move(field_name);
    auto sf = sig.getKey("/SubFilter");
    if (sf.isName()) c.sub_filter = sf.getName().substr(1);
    auto br = sig.getKey("/ByteRange");
    if (br.isArray()) {
        for (auto& v : br.getArrayAsVector()) c.range.push_back(v.isInteger() ? v.getIntValue() : -1);
    }
    auto contents = sig.getKey("/Contents");
    if (contents.isString()) c.contents = contents.getStringValue();
    else c.contents = std::string();  // present in the dictionary or not, it must match the gap
    return c;
}

void walk_fields(QPDFObjectHandle fields, const std::string& prefix, bool inherited_sig, int depth,
                 std::set<QPDFObjGen>& seen_fields, std::set<QPDFObjGen>& seen_sigs, std::vector<Candidate>& out) {
    if (!fields.isArray() || depth > 32) return;
    for (auto& f : fields.getArrayAsVector()) {
        if (!f.isDictionary()) continue;
        if (f.isIndirect() && !seen_fields.insert(f.getObjGen()).second) continue;  // cycles
        std::string name = prefix;
        auto t = f.getKey("/T");
        if (t.isString()) name = prefix.empty() ? t.getUTF8Value() : prefix + "." + t.getUTF8Value();
        auto ft = f.getKey("/FT");
        const bool is_sig = ft.isName() ? ft.getName() == "/Sig" : inherited_sig;
        auto v = f.getKey("/V");
        if (is_sig && v.isDictionary()) {
            if (!v.isIndirect() || seen_sigs.insert(v.getObjGen()).second) out.push_back(from_dict(v, name));
        }
        walk_fields(f.getKey("/Kids"), name, is_sig, depth + 1, seen_fields, seen_sigs, out);
    }
}

// false when qpdf cannot read the file at all.
bool find_with_qpdf(std::string_view pdf, std::vector<Candidate>& out, std::optional<std::string>& keywords) {
    try {
        QPDF q;
        q.setSuppressWarnings(true);
        q.processMemoryFile("input.pdf", pdf.data(), pdf.size());
        auto info = q.getTrailer().getKey("/Info");
        if (info.isDictionary()) {
            auto k = info.getKey("/Keywords");
            if (k.isString()) keywords = k.getUTF8Value();
        }
        std::set<QPDFObjGen> seen_fields, seen_sigs;
        auto form = q.getRoot().getKey("/AcroForm");
        if (form.isDictionary()) walk_fields(form.getKey("/Fields"), "", false, 0, seen_fields, seen_sigs, out);
        for (auto& o : q.getAllObjects()) {
            if (!o.isDictionary() || !o.getKey("/Type").isNameAndEquals("/Sig")) continue;
            if (seen_sigs.insert(o.getObjGen()).second) out.push_back(from_dict(o, ""));
        }
        return true;
    } catch (const std::exception&) {
        out.clear();
        keywords.reset();
        return false;
    }
}

// ---- Raw fallback

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }

// "/ByteRange [a b c d]" at `pos` (pointing at "/ByteRange"); an empty range when unreadable.
std::vector<long long> raw_range(std::string_view pdf, std::size_t pos) {
    std::size_t i = pos + std::string_view("/ByteRange").size();
    auto skip = [&] {
        while (i < pdf.size() && is_space(pdf[i])) ++i;
    };
    skip();
    if (i >= pdf.size() || pdf[i] != '[') return {};
    ++i;
    std::vector<long long> r;
    for (int k = 0; k < 4; ++k) {
        skip();
        long long v = 0;
        std::size_t start = i;
        while (i < pdf.size() && pdf[i] >= '0' && pdf[i] <= '9' && i - start < 15) v = v * 10 + (pdf[i++] - '0');
        if (i == start) return {};
        r.push_back(v);
    }
    skip();
    if (i >= pdf.size() || pdf[i] != ']') return {};
    return r;
}

// The /SubFilter name nearest to `pos`, within the same neighbourhood.
std::string raw_sub_filter(std::string_view pdf, std::size_t pos) {
    constexpr std::string_view key = "/SubFilter";
    const std::size_t from = pos > 4096 ? pos - 4096 : 0;
    const std::string_view window = pdf.substr(from, 4096 * 2 + 20000);
    std::size_t best = std::string_view::npos, best_dist = std::string_view::npos;
    for (auto at = window.find(key); at != std::string_view::npos; at = window.find(key, at + 1)) {
        const std::size_t abs = from + at, dist = abs > pos ? abs - pos : pos - abs;
        if (dist < best_dist) best = abs, best_dist = dist;
    }
    if (best == std::string_view::npos) return {};
    std::size_t i = best + key.size();
    while (i < pdf.size() && is_space(pdf[i])) ++i;
    if (i >= pdf.size() || pdf[i] != '/') return {};
    const std::size_t start = ++i;
    while (i < pdf.size() && i - start < 64 && !is_space(pdf[i]) && pdf[i] != '/' && pdf[i] != '>' && pdf[i] != '[')
        ++i;
    return std::string(pdf.substr(start, i - start));
}

std::vector<Candidate> find_raw(std::string_view pdf) {
    std::vector<Candidate> out;
    constexpr std::string_view key = "/ByteRange";
    for (auto at = pdf.find(key); at != std::string_view::npos && out.size() < 64; at = pdf.find(key, at + 1)) {
        Candidate c;
        c.range = raw_range(pdf, at);
        c.sub_filter = raw_sub_filter(pdf, at);
        out.push_back(std::move(c));
    }
    // The byte range itself may be what was damaged: a signature dictionary's other marks still count.
    if (out.empty() && (pdf.find("/ETSI.CAdES.detached") != std::string_view::npos ||
                        pdf.find("/adbe.pkcs7.detached") != std::string_view::npos))
        out.push_back(Candidate{});
    return out;
}

// ---- Checking one signature


int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::int64_t> signing_time(CMS_SignerInfo* si) {
    const ASN1_OBJECT* oid = OBJ_nid2obj(NID_pkcs9_signingTime);
    for (int type : {V_ASN1_UTCTIME, V_ASN1_GENERALIZEDTIME}) {
        auto* t = static_cast<ASN1_TIME*>(CMS_signed_get0_data_by_OBJ(si, oid, -3, type));
        std::tm tm{};
        if (t != nullptr && ASN1_TIME_to_tm(t, &tm) == 1) return static_cast<std::int64_t>(timegm(&tm)) * 1000;
    }
    ERR_clear_error();
    return std::nullopt;
}

bool detached_sub_filter(const std::string& sf) {
    return sf.empty() || sf == "ETSI.CAdES.detached" || sf == "adbe.pkcs7.detached";
}

SignatureReport check(std::string_view pdf, const Candidate& c, X509_STORE* anchors) {
    SignatureReport r;
    r.field_name = c.field_name;
    r.sub_filter = c.sub_filter;
    // The byte range, against the original bytes.
    const auto size = static_cast<long long>(pdf.size());
    const auto& br = c.range;
    if (br.size() != 4 || br[0] != 0 || br[1] < 0 || br[2] < 0 || br[3] < 0 || br[1] + 2 > br[2] ||
        br[2] > size || br[3] > size - br[2]) {
        r.chain_error = "the byte range is malformed";
        return r;
    }
    r.total_document = br[2] + br[3] == size;
    const auto gap = pdf.substr(static_cast<std::size_t>(br[1]), static_cast<std::size_t>(br[2] - br[1]));
    if (gap.front() != '<' || gap.back() != '>' || gap.size() % 2 != 0) {
        r.chain_error = "the byte range gap is not the /Contents string";
        return r;
    }
    std::string der;
    der.reserve(gap.size() / 2);
    for (std::size_t i = 1; i + 1 < gap.size(); i += 2) {
        const int hi = hex_digit(gap[i]), lo = hex_digit(gap[i + 1]);
        if (hi < 0 || lo < 0) {
            r.chain_error = "the byte range gap is not the /Contents string";
            return r;
        }
        der += static_cast<char>(hi * 16 + lo);
    }
    if (c.contents && *c.contents != der) {
        r.chain_error = "/Contents is not the string the byte range leaves out";
        return r;
    }
    r.byte_range = br;
    if (!detached_sub_filter(c.sub_filter)) {
        r.chain_error = "unsupported SubFilter";
        return r;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<CMS_ContentInfo, CmsDeleter> cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        ERR_clear_error();
        r.chain_error = "the signature is not a CMS SignedData";
        return r;
    }
    r.cms_der = der;
    // Integrity: digest and signature over the two ranges.
    const std::string content = std::string(pdf.substr(0, static_cast<std::size_t>(br[1]))) +
                                std::string(pdf.substr(static_cast<std::size_t>(br[2]), static_cast<std::size_t>(br[3])));
    {
        // The memory BIO sits under a buffer filter: OpenSSL 3.0's CMS_verify copies a bare memory
        // BIO into a temporary one that it leaks when the CMS content cannot be set up (found by fuzzing).
        std::unique_ptr<BIO, BioDeleter> in(BIO_new(BIO_f_buffer()));
        BIO* mem = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
        if (in && mem) BIO_push(in.get(), mem);
        else BIO_free(mem);
        std::unique_ptr<X509_STORE, StoreDeleter> empty(X509_STORE_new());
        r.integrity = in && mem && empty &&
                      CMS_verify(cms.get(), nullptr, empty.get(), in.get(), nullptr,
                                 CMS_DETACHED | CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
        ERR_clear_error();
    }
    // The signer.
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (infos == nullptr || sk_CMS_SignerInfo_num(infos) < 1) {
        r.integrity = false;
        r.chain_error = "no signer";
        return r;
    }
    CMS_set1_signers_certs(cms.get(), nullptr, 0);
    ERR_clear_error();
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    X509* signer = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, &signer, nullptr, nullptr);
    r.signing_time_ms = signing_time(si);
    if (signer == nullptr) {
        r.chain_error = "the signer certificate is not in the signature";
        return r;
    }
    r.signer_common_name = name_entry(X509_get_subject_name(signer), NID_commonName);
    r.signer_organisation = name_entry(X509_get_subject_name(signer), NID_organizationName);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(signer, EVP_sha256(), md, &len) == 1) r.signer_cert_sha256 = hex_lower(md, len);
    // The chain, to the anchors, at the signing time when there is one.
    std::unique_ptr<STACK_OF(X509), StackDeleter> certs(CMS_get1_certs(cms.get()));
    std::unique_ptr<X509_STORE_CTX, CtxDeleter> ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), anchors, signer, certs.get()) != 1) {
        r.chain_error = "cannot check the chain";
        ERR_clear_error();
        return r;
    }
    if (r.signing_time_ms)
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(*r.signing_time_ms / 1000));
    r.chain_trusted = X509_verify_cert(ctx.get()) == 1;
    if (!r.chain_trusted) r.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return r;
}

}  // namespace

Result<PdfReport> verify_pdf(std::string_view pdf, const std::vector<std::string>& anchors_pem) {
    if (pdf.empty()) return Error{"trust.verify_input", 400, "empty file"};
    PdfReport report;
    report.sha256 = sha256_hex(pdf);

    std::vector<Candidate> candidates;
    const bool read = find_with_qpdf(pdf, candidates, report.keywords);
    if (!read || candidates.empty()) candidates = find_raw(pdf);
    if (candidates.empty()) return report;

    // Anchors that do not parse as certificates trust nothing (they are skipped).
    std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
    if (!store) return errors::internal("X509_STORE_new");
    for (const auto& pem : anchors_pem)
        for (auto& cert : certs_from_pem(pem)) X509_STORE_add_cert(store.get(), cert.get());
    ERR_clear_error();
    for (const auto& c : candidates) report.signatures.push_back(check(pdf, c, store.get()));
    return report;
}

}  // namespace idara::trust
