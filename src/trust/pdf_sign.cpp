#include "trust/pdf_sign.hpp"

#include "trust/cades_engine.hpp"
#include "trust/pdf_incremental.hpp"

#include <openssl/x509.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFAcroFormDocumentHelper.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>

namespace idara::trust {

namespace {

Error input_error(std::string d) { return Error{"trust.sign_input", 400, std::move(d)}; }
Error field_error(std::string d) { return Error{"trust.sign_field", 400, std::move(d)}; }
Error stamp_error(std::string d) { return Error{"trust.sign_stamp", 400, std::move(d)}; }

constexpr const char* kRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string utf8_decode(const std::string& s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i++]);
        int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        char32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : extra == 1 ? c & 0x1f : c;
        bool bad = c >= 0x80 && extra == 0;
        for (; extra > 0 && !bad; --extra) {
            if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) bad = true;
            else cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3f);
        }
        out += bad || cp > 0x10ffff ? char32_t{0xfffd} : cp;
    }
    return out;
}

// A PDF text string: a literal string when printable ASCII, else UTF-16BE with a BOM in hex.
std::string pdf_text(const std::string& s) {
    const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (ascii) {
        std::string out = "(";
        for (char c : s) {
            if (c == '(' || c == ')' || c == '\\') out += '\\';
            out += c;
        }
        return out + ")";
    }
    static const char* hex = "0123456789ABCDEF";
    std::string out = "<FEFF";
    auto unit = [&](unsigned v) {
        for (int shift = 12; shift >= 0; shift -= 4) out += hex[(v >> shift) & 15];
    };
    for (char32_t cp : utf8_decode(s)) {
        if (cp == '\n' || cp == '\r' || cp == '\t' || cp >= 0x20) {
            if (cp >= 0x10000) {
                cp -= 0x10000;
                unit(0xd800 + static_cast<unsigned>(cp >> 10));
                unit(0xdc00 + static_cast<unsigned>(cp & 0x3ff));
            } else {
                unit(static_cast<unsigned>(cp));
            }
        }
    }
    return out + ">";
}

std::string ref(int id, int gen = 0) { return std::to_string(id) + " " + std::to_string(gen) + " R"; }
std::string ref(const QPDFObjectHandle& h) { return ref(h.getObjectID(), h.getGeneration()); }

// A dictionary written back with some keys replaced or added (raw PDF syntax values).
std::string dict_with(QPDFObjectHandle d, const std::map<std::string, std::string>& set) {
    std::string out = "<<";
    for (const auto& k : d.getKeys()) {
        if (set.count(k) != 0) continue;
        out += ' ';
        out += QPDFObjectHandle::newName(k).unparse();
        out += ' ';
        out += d.getKey(k).unparse();
    }
    for (const auto& [k, v] : set) {
        out += ' ';
        out += k;
        out += ' ';
        out += v;
    }
    return out + " >>";
}

// The items of an array followed by one more reference.
std::string array_plus(QPDFObjectHandle a, const std::string& extra) {
    std::string out = "[";
    if (a.isArray())
        for (int i = 0; i < a.getArrayNItems(); ++i) out += a.getArrayItem(i).unparse() + " ";
    return out + extra + "]";
}

std::string pdf_date_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "(D:%04d%02d%02d%02d%02d%02d+00'00')", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string signer_cn(const X509* cert) {
    char buf[256] = {};
    const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> deflate(const std::string& in) {
    uLongf n = compressBound(static_cast<uLong>(in.size()));
    std::string out(n, '\0');
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                  static_cast<uLong>(in.size()), 6) != Z_OK)
        return std::nullopt;
    out.resize(n);
    return out;
}

// The appearance of a visible stamp: a form XObject drawing one RGB image over its box.
struct Appearance {
    std::string form, image;
};
Result<Appearance> appearance(const VisibleStamp& s, int image_id) {
    auto img = render_stamp(s);
    if (!img) return img.error();
    auto z = deflate(img->rgb);
    if (!z) return cades::sign_error("compressing the stamp image");
    char box[160];
    std::snprintf(box, sizeof box, "%.3f 0 0 %.3f 0 0 cm", s.width, s.height);
    const std::string content = std::string("q ") + box + " /Im0 Do Q";
    char bbox[96];
    std::snprintf(bbox, sizeof bbox, "[0 0 %.3f %.3f]", s.width, s.height);
    Appearance a;
    a.form = std::string("<< /Type /XObject /Subtype /Form /BBox ") + bbox + " /Resources << /XObject << /Im0 " +
             ref(image_id) + " >> >> /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
             "\nendstream";
    a.image = "<< /Type /XObject /Subtype /Image /Width " + std::to_string(img->width) + " /Height " +
              std::to_string(img->height) + " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length " +
              std::to_string(z->size()) + " >>\nstream\n" + *z + "\nendstream";
    return a;
}

bool valid_field_name(const std::string& n) {
    return !n.empty() && n.size() <= 127 &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '.'; });
}

// Everything but the CMS: the file with the signature dictionary's placeholders.
struct Prepared {
    std::string pdf;
    std::size_t sig_offset = 0;  // of the signature dictionary object
};

Result<Prepared> prepare(std::string_view pdf, const SigningIdentity& id, const PdfSignRequest& r, std::size_t hex_len) {
    QPDF q;
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(false);
    try {
        q.processMemoryFile("document.pdf", pdf.data(), pdf.size());
    } catch (const std::exception& e) {
        return input_error(std::string("not a readable PDF: ") + e.what());
    }
    try {
        if (q.isEncrypted()) return input_error("encrypted PDF");
        incremental::Base base;
        auto start = incremental::last_startxref(pdf, base.xref_stream);
        if (!start) return start.error();
        base.startxref = *start;
        auto trailer = q.getTrailer();
        const long long declared = trailer.getKey("/Size").isInteger() ? trailer.getKey("/Size").getIntValue() : 0;
        // The highest object number in the cross-reference data (getObjectCount() would resolve
        // every object to find dangling references: most of the signing time on a receipt).
        const auto& xref = q.getXRefTable();
        const long long highest = xref.empty() ? 0 : xref.rbegin()->first.getObj();
        base.size = static_cast<int>(std::max<long long>(declared, highest + 1));
        auto root = q.getRoot();
        base.root = ref(root);
        if (trailer.getKey("/Info").isIndirect()) base.info = ref(trailer.getKey("/Info"));
        auto ids = trailer.getKey("/ID");
        if (ids.isArray() && ids.getArrayNItems() > 0 && ids.getArrayItem(0).isString()) {
            static const char* hex = "0123456789ABCDEF";
            base.id0 = "<";
            for (unsigned char c : ids.getArrayItem(0).getStringValue()) {
                base.id0 += hex[c >> 4];
                base.id0 += hex[c & 15];
            }
            base.id0 += ">";
        }

        QPDFAcroFormDocumentHelper forms(q);
        for (auto& f : forms.getFormFields())
            if (f.getFullyQualifiedName() == r.field_name) return field_error("field name already used: " + r.field_name);

        auto pages = q.getAllPages();
        if (pages.empty()) return input_error("the PDF has no page");
        const int page_no = r.stamp ? r.stamp->page : 1;
        if (page_no < 1 || page_no > static_cast<int>(pages.size()))
            return stamp_error("no page " + std::to_string(page_no));
        auto page = pages[static_cast<std::size_t>(page_no - 1)];

        // Object numbers of the update's new objects.
        const int sig_id = base.size, widget_id = sig_id + 1, form_id = sig_id + 2, image_id = sig_id + 3;
        int next_id = r.stamp ? sig_id + 4 : sig_id + 2;

        std::string rect = "[0 0 0 0]";
        std::optional<Appearance> ap;
        if (r.stamp) {
            if (!(r.stamp->width > 0) || !(r.stamp->height > 0)) return stamp_error("non-positive stamp size");
            auto a = appearance(*r.stamp, image_id);
            if (!a) return a.error();
            ap = std::move(*a);
            const auto box = QPDFPageObjectHelper(page).getMediaBox().getArrayAsRectangle();
            const double x0 = std::min(box.llx, box.urx) + r.stamp->x, y0 = std::min(box.lly, box.ury) + r.stamp->y;
            char buf[160];
            std::snprintf(buf, sizeof buf, "[%.3f %.3f %.3f %.3f]", x0, y0, x0 + r.stamp->width, y0 + r.stamp->height);
            rect = buf;
        }

        std::vector<incremental::Object> objs;
        std::string name = r.name;
        if (name.empty()) name = signer_cn(id.cert.get());
        std::string sig = std::string("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ") +
                          kRangePlaceholder + " /Contents <" + std::string(hex_len, '0') + "> /M " + pdf_date_now();
        if (!r.reason.empty()) sig += " /Reason " + pdf_text(r.reason);
        if (!r.location.empty()) sig += " /Location " + pdf_text(r.location);
        if (!name.empty()) sig += " /Name " + pdf_text(name);
        sig += " >>";
        objs.push_back({sig_id, 0, sig});

        std::string widget = "<< /Type /Annot /Subtype /Widget /FT /Sig /T " + pdf_text(r.field_name) + " /V " +
                             ref(sig_id) + " /P " + ref(page) + " /Rect " + rect + " /F 132";
        if (ap) {
            const std::string text = pdf_text(stamp_text(*r.stamp));
            widget += " /AP << /N " + ref(form_id) + " >> /TU " + text + " /Contents " + text;
        }
        widget += " >>";
        objs.push_back({widget_id, 0, widget});
        if (ap) {
            objs.push_back({form_id, 0, ap->form});
            objs.push_back({image_id, 0, ap->image});
        }

        // The page's /Annots gets the widget.
        auto annots = page.getKey("/Annots");
        if (annots.isIndirect() && annots.isArray()) {
            objs.push_back({annots.getObjectID(), annots.getGeneration(), array_plus(annots, ref(widget_id))});
        } else {
            objs.push_back({page.getObjectID(), page.getGeneration(),
                            dict_with(page, {{"/Annots", array_plus(annots, ref(widget_id))}})});
        }
        // The AcroForm's /Fields gets the field; /SigFlags 3 (signatures exist, append only).
        auto form = root.getKey("/AcroForm");
        if (form.isDictionary()) {
            auto fields = form.getKey("/Fields");
            std::map<std::string, std::string> set;
            long long flags = form.getKey("/SigFlags").isInteger() ? form.getKey("/SigFlags").getIntValue() : 0;
            set["/SigFlags"] = std::to_string(flags | 3);
            if (fields.isIndirect() && fields.isArray())
                objs.push_back({fields.getObjectID(), fields.getGeneration(), array_plus(fields, ref(widget_id))});
            else
                set["/Fields"] = array_plus(fields, ref(widget_id));
            if (form.isIndirect()) objs.push_back({form.getObjectID(), form.getGeneration(), dict_with(form, set)});
            else objs.push_back({root.getObjectID(), root.getGeneration(), dict_with(root, {{"/AcroForm", dict_with(form, set)}})});
        } else {
            const int form_obj = next_id++;
            objs.push_back({form_obj, 0, "<< /Fields [" + ref(widget_id) + "] /SigFlags 3 >>"});
            objs.push_back({root.getObjectID(), root.getGeneration(), dict_with(root, {{"/AcroForm", ref(form_obj)}})});
        }
        // A page that is also the AcroForm's container would be written twice: keep the last version.
        std::map<int, std::size_t> seen;
        for (std::size_t i = 0; i < objs.size(); ++i) seen[objs[i].id] = i;
        if (seen.size() != objs.size()) return input_error("unexpected object sharing between page and form");

        auto u = incremental::append(pdf, base, objs);
        return Prepared{std::move(u.pdf), u.offsets.front()};
    } catch (const std::exception& e) {
        return input_error(std::string("unreadable PDF structure: ") + e.what());
    }
}

std::size_t cert_bytes(const SigningIdentity& id) {
    std::size_t n = static_cast<std::size_t>(std::max(0, i2d_X509(id.cert.get(), nullptr)));
    for (const auto& c : id.chain) n += static_cast<std::size_t>(std::max(0, i2d_X509(c.get(), nullptr)));
    return n;
}

}  // namespace

Result<std::string> sign_pdf(std::string_view pdf, const SigningIdentity& id, TimeStamper* tsa, const PdfSignRequest& r) {
    if (!valid_field_name(r.field_name)) return field_error("invalid field name");
    if (!id.key || !id.cert) return cades::sign_error("no signing key or certificate");
    // Room for the DER CMS: the certificates, the attributes and signature, and a time-stamp
    // token (its own certificates included). Too small: signed once more with the room it needed.
    std::size_t room = 2048 + cert_bytes(id) + (tsa ? 8192 : 0);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto prep = prepare(pdf, id, r, room * 2);
        if (!prep) return prep.error();
        std::string& doc = prep->pdf;
        const auto br = doc.find("/ByteRange ", prep->sig_offset);
        const auto lt = doc.find("/Contents <", prep->sig_offset);
        if (br == std::string::npos || lt == std::string::npos) return cades::sign_error("placeholders not found");
        const std::size_t start = lt + 10, after = start + room * 2 + 2;  // '<' … '>'
        char range[64];
        std::snprintf(range, sizeof range, "[0 %zu %zu %zu", start, after, doc.size() - after);
        std::string patched(range);
        const std::size_t width = std::string(kRangePlaceholder).size();
        if (patched.size() + 1 > width) return cades::sign_error("byte range does not fit");
        patched.append(width - 1 - patched.size(), ' ');
        patched += ']';
        doc.replace(br + 11, width, patched);

        const std::string_view view(doc);
        const std::string_view pieces[] = {view.substr(0, start), view.substr(after)};
        auto der = cades::sign(pieces, id, tsa);
        if (!der) return der.error();
        if (der->size() > room) {
            room = der->size() + 2048;
            continue;
        }
        static const char* hex = "0123456789ABCDEF";
        for (std::size_t i = 0; i < der->size(); ++i) {
            const auto b = static_cast<unsigned char>((*der)[i]);
            doc[start + 1 + 2 * i] = hex[b >> 4];
            doc[start + 2 + 2 * i] = hex[b & 15];
        }
        return std::move(doc);
    }
    return cades::sign_error("signature larger than its placeholder");
}

}  // namespace idara::trust
