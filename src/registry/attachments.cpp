// Attachment checks; the contract is in attachments.hpp.
//
// Content checks, per sniffed type:
//   PDF  qpdf opens it (with the empty password only) and lists its pages; an
//        exception or zero pages is corrupt. Warnings (qpdf recovered a damaged
//        xref table, as many scanners produce) are accepted.
//   JPEG libjpeg reads the header and entropy-decodes every scan (scaled 1/8,
//        so cheap): truncated or garbled data is corrupt (the libjpeg warnings
//        "premature end", "bad Huffman code", "must resync", "hit marker").
//   PNG  libpng reads every row and the chunks up to IEND with CRC errors fatal
//        on every chunk (ancillary ones too).
// Images over 20000 pixels on a side or 100 megapixels are refused as corrupt
// before any pixel buffer is allocated.
#include "registry/attachments.hpp"

#include "core/utf8.hpp"

#include <magic.h>
#include <openssl/evp.h>
#include <png.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <jerror.h>

namespace idara::registry {
namespace {

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::uint32_t kMaxSide = 20000;
constexpr std::uint64_t kMaxPixels = 100'000'000;
constexpr int kMaxJpegScans = 256;

// ---- errors ---------------------------------------------------------------

// A file name made safe for a log line: control bytes escaped, length capped.
std::string for_log(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 120)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '\'') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", u);
            out += buf;
        } else {
            out += c;
        }
    }
    if (s.size() > 120) out += "...";
    return out;
}

Error file_error(std::string code, int status, std::string_view name, std::string_view what) {
    return {std::move(code), status, "attachment '" + for_log(name) + "': " + std::string(what)};
}

// ---- names ----------------------------------------------------------------

// Well-formed UTF-8 without control characters (C0, DEL, C1).
bool utf8_text_without_controls(std::string_view s) { return utf8::valid(s) && !utf8::has_controls(s, false); }

// Path removed, spaces trimmed, NFC; nullopt when the result is not acceptable.
std::optional<std::string> clean_name(std::string_view raw) {
    if (const auto p = raw.find_last_of("/\\"); p != std::string_view::npos) raw.remove_prefix(p + 1);
    while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
    while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
    // NFC never shrinks text by a factor of 4 or more: longer input cannot fit.
    if (raw.empty() || raw.size() > 4 * kMaxNameBytes || !utf8_text_without_controls(raw)) return std::nullopt;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) return std::nullopt;
    const auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(raw.data(), static_cast<std::int32_t>(raw.size())));
    const icu::UnicodeString n = nfc->normalize(u, status);
    if (U_FAILURE(status)) return std::nullopt;
    std::string out;
    n.toUTF8String(out);
    if (out.empty() || out.size() > kMaxNameBytes) return std::nullopt;
    return out;
}

// ---- sniffing -------------------------------------------------------------

// One libmagic cookie per thread (a magic_t is not thread-safe), loaded once.
// Compressed-file inspection is off: it can start decompressors.
struct Magic {
    magic_t cookie = nullptr;
    Magic() {
        cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_TAR |
                            MAGIC_NO_CHECK_CDF);
        if (cookie != nullptr && magic_load(cookie, nullptr) != 0) {
            magic_close(cookie);
            cookie = nullptr;
        }
    }
    ~Magic() {
        if (cookie != nullptr) magic_close(cookie);
    }
    Magic(const Magic&) = delete;
    Magic& operator=(const Magic&) = delete;
};

magic_t thread_magic() {
    thread_local Magic m;
    return m.cookie;
}

// libmagic's MIME type for bytes, or "" when libmagic fails.
std::string magic_mime(std::string_view bytes) {
    magic_t m = thread_magic();
    if (m == nullptr) return {};
    const char* r = magic_buffer(m, bytes.data(), bytes.size());
    return r != nullptr ? std::string(r) : std::string();
}

std::optional<MediaType> media_type_of(std::string_view mime) {
    if (mime == "application/pdf") return MediaType::pdf;
    if (mime == "image/jpeg") return MediaType::jpeg;
    if (mime == "image/png") return MediaType::png;
    return std::nullopt;
}

// ---- content checks -------------------------------------------------------
// Each returns nullopt when the content is valid, else the reason (for logs).

std::optional<std::string> pdf_problem(std::string_view bytes) {
    try {
        QPDF q;
        q.setSuppressWarnings(true);
        q.processMemoryFile("attachment", bytes.data(), bytes.size(), nullptr);
        const auto pages = QPDFPageDocumentHelper(q).getAllPages();
        if (pages.empty()) return "PDF without pages";
        return std::nullopt;
    } catch (const std::exception& e) {
        return std::string("qpdf: ") + e.what();
    }
}

// libjpeg reports errors through error_exit, which must not return: it jumps
// back to jpeg_problem. Nothing with a destructor lives in that function.
struct JpegErrors {
    jpeg_error_mgr mgr;  // first member: libjpeg hands out &mgr
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_fail(j_common_ptr c) {
    auto* e = reinterpret_cast<JpegErrors*>(c->err);
    c->err->format_message(c, e->message);
    std::longjmp(e->jump, 1);
}

void jpeg_message(j_common_ptr c, int level) {
    if (level >= 0) return;  // trace messages
    const int code = c->err->msg_code;
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC)
        jpeg_fail(c);
}

void jpeg_progress(j_common_ptr c) {
    auto* d = reinterpret_cast<j_decompress_ptr>(c);
    if (d->input_scan_number > kMaxJpegScans) {
        auto* e = reinterpret_cast<JpegErrors*>(c->err);
        std::snprintf(e->message, sizeof e->message, "more than %d scans", kMaxJpegScans);
        std::longjmp(e->jump, 1);
    }
}

// Returns "" when the JPEG decodes, else the reason (static or in `errors`).
const char* jpeg_check(const unsigned char* data, unsigned long size, JpegErrors& errors) {
    jpeg_decompress_struct cinfo;
    jpeg_progress_mgr progress;
    std::memset(&cinfo, 0, sizeof cinfo);
    std::memset(&progress, 0, sizeof progress);
    cinfo.err = jpeg_std_error(&errors.mgr);
    errors.mgr.error_exit = jpeg_fail;
    errors.mgr.emit_message = jpeg_message;
    progress.progress_monitor = jpeg_progress;
    if (setjmp(errors.jump) != 0) {
        jpeg_destroy_decompress(&cinfo);
        return errors.message;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > kMaxSide || cinfo.image_height > kMaxSide ||
        std::uint64_t{cinfo.image_width} * cinfo.image_height > kMaxPixels) {
        jpeg_destroy_decompress(&cinfo);
        return "image dimensions over the limit";
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = 8;  // every coefficient is still entropy-decoded
    cinfo.dct_method = JDCT_IFAST;
    cinfo.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&cinfo);
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                                cinfo.output_width * static_cast<JDIMENSION>(cinfo.output_components), 1);
    while (cinfo.output_scanline < cinfo.output_height) jpeg_read_scanlines(&cinfo, row, 1);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return "";
}

std::optional<std::string> jpeg_problem(std::string_view bytes) {
    JpegErrors errors{};
    const char* r = jpeg_check(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<unsigned long>(bytes.size()), errors);
    if (*r == '\0') return std::nullopt;
    return std::string("libjpeg: ") + r;
}

// libpng: the same longjmp discipline as libjpeg.
struct PngInput {
    const unsigned char* data;
    std::size_t size;
    std::size_t pos;
    char message[128];
};

void png_read_memory(png_structp png, png_bytep out, std::size_t n) {
    auto* in = static_cast<PngInput*>(png_get_io_ptr(png));
    if (n > in->size - in->pos) png_error(png, "unexpected end of file");
    std::memcpy(out, in->data + in->pos, n);
    in->pos += n;
}

[[noreturn]] void png_fail(png_structp png, png_const_charp msg) {
    auto* in = static_cast<PngInput*>(png_get_error_ptr(png));
    std::snprintf(in->message, sizeof in->message, "%s", msg != nullptr ? msg : "error");
    png_longjmp(png, 1);
}

void png_ignore_warning(png_structp, png_const_charp) {}

// Returns "" when the PNG decodes, else the reason (in `in.message`).
const char* png_check(PngInput& in) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &in, png_fail, png_ignore_warning);
    if (png == nullptr) return "cannot create a libpng reader";
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        return "cannot create a libpng reader";
    }
    png_bytep volatile row = nullptr;
    if (setjmp(png_jmpbuf(png)) != 0) {
        png_free(png, row);
        png_destroy_read_struct(&png, &info, nullptr);
        return in.message;
    }
    png_set_read_fn(png, &in, png_read_memory);
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_set_user_limits(png, kMaxSide, kMaxSide);
    png_read_info(png, info);
    const std::uint64_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w * h > kMaxPixels) png_error(png, "image over 100 megapixels");
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    row = static_cast<png_bytep>(png_malloc(png, png_get_rowbytes(png, info)));
    for (int p = 0; p < passes; ++p)
        for (std::uint64_t y = 0; y < h; ++y) png_read_row(png, row, nullptr);
    png_read_end(png, nullptr);
    png_free(png, row);
    png_destroy_read_struct(&png, &info, nullptr);
    return "";
}

std::optional<std::string> png_problem(std::string_view bytes) {
    PngInput in{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), 0, {}};
    const char* r = png_check(in);
    if (*r == '\0') return std::nullopt;
    return std::string("libpng: ") + r;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0x0F];
    }
    return out;
}

}  // namespace

std::string_view media_type_name(MediaType t) {
    switch (t) {
        case MediaType::pdf: return "application/pdf";
        case MediaType::jpeg: return "image/jpeg";
        case MediaType::png: return "image/png";
    }
    return "application/octet-stream";
}

std::optional<MediaType> sniff(std::string_view bytes) {
    if (bytes.empty()) return std::nullopt;
    return media_type_of(magic_mime(bytes));
}

Result<CheckedFile> check_attachment(IncomingFile f, const AttachmentLimits& limits) {
    if (f.bytes.empty()) return file_error("deposit.attachment_empty", 400, f.name, "zero bytes");
    if (f.bytes.size() > limits.max_bytes)
        return file_error("deposit.attachment_too_large", 413, f.name,
                          std::to_string(f.bytes.size()) + " bytes, over " + std::to_string(limits.max_bytes));
    auto name = clean_name(f.name);
    if (!name) return file_error("deposit.attachment_name", 400, f.name, "unacceptable file name");
    if (thread_magic() == nullptr) return errors::internal("attachments: the libmagic database cannot be loaded");
    const std::string mime = magic_mime(f.bytes);
    const auto type = media_type_of(mime);
    if (!type) return file_error("deposit.attachment_type", 415, *name, "sniffed as '" + for_log(mime) + "'");
    std::optional<std::string> problem;
    switch (*type) {
        case MediaType::pdf: problem = pdf_problem(f.bytes); break;
        case MediaType::jpeg: problem = jpeg_problem(f.bytes); break;
        case MediaType::png: problem = png_problem(f.bytes); break;
    }
    if (problem) return file_error("deposit.attachment_corrupt", 422, *name, *problem);
    CheckedFile out;
    out.sha256 = sha256_hex(f.bytes);
    if (out.sha256.empty()) return errors::internal("attachments: SHA-256 failed");
    out.name = std::move(*name);
    out.type = *type;
    out.bytes = std::move(f.bytes);
    return out;
}

Result<std::vector<CheckedFile>> check_all(std::vector<IncomingFile> files, const AttachmentLimits& limits) {
    if (files.size() > limits.max_count)
        return Error("deposit.too_many_files", 413,
                     std::to_string(files.size()) + " files, over " + std::to_string(limits.max_count));
    std::vector<CheckedFile> out;
    out.reserve(files.size());
    std::size_t total = 0;
    for (auto& f : files) {
        auto checked = check_attachment(std::move(f), limits);
        if (!checked) return checked.error();
        total += checked->bytes.size();
        out.push_back(std::move(*checked));
    }
    if (total > limits.max_total_bytes)
        return Error("deposit.total_too_large", 413,
                     std::to_string(total) + " bytes in all, over " + std::to_string(limits.max_total_bytes));
    return out;
}

}  // namespace idara::registry
