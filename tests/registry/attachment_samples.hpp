// Real sample files made in-process for the attachment tests: PDFs written by
// hand with a correct xref table, PNGs through libpng's write API and JPEGs
// through libjpeg's compression API. Link libpng and libjpeg.
#pragma once

#include "sample_pdf.hpp"

#include <png.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <jpeglib.h>

namespace idara::test {

// A PDF with `pages` empty A4 pages (each with a small content stream).
// With `xref_shift`, every offset in the xref table is wrong by that much:
// the file is damaged but recoverable (qpdf reconstructs the table).
inline std::string make_pdf(int pages, long xref_shift = 0) {
    std::vector<std::string> objects;
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    std::string kids;
    for (int i = 0; i < pages; ++i) kids += std::to_string(3 + 2 * i) + " 0 R ";
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
    for (int i = 0; i < pages; ++i) {
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " +
                          std::to_string(4 + 2 * i) + " 0 R >>");
        const std::string content = "0 0 1 rg " + std::to_string(50 + i) + " 50 100 100 re f";
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
    }
    return testing::assemble_pdf(objects, "", xref_shift);
}

// A PDF whose page tree is empty: well-formed, but without any page.
inline std::string make_pdf_without_pages() {
    std::string out = "%PDF-1.4\n";
    const std::size_t o1 = out.size();
    out += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    const std::size_t o2 = out.size();
    out += "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
    const std::size_t xref = out.size();
    char buf[64];
    out += "xref\n0 3\n0000000000 65535 f \n";
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n%010zu 00000 n \n", o1, o2);
    out += buf;
    out += "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
}

// Deterministic noise so that compressed image data is not trivially small.
inline unsigned char noise(unsigned x, unsigned y, unsigned c) {
    unsigned v = x * 2654435761u ^ y * 40503u ^ c * 977u;
    v ^= v >> 13;
    return static_cast<unsigned char>(v * 0x5bd1e995u >> 24);
}

inline std::string make_png(unsigned w, unsigned h, bool with_text = false, bool interlaced = false) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    std::string out;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("libpng write failed");
    }
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, std::size_t n) {
            static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
        },
        [](png_structp) {});
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text text{};
    char key[] = "Comment", value[] = "idara test image";
    if (with_text) {
        text.compression = PNG_TEXT_COMPRESSION_NONE;
        text.key = key;
        text.text = value;
        png_set_text(png, info, &text, 1);
    }
    png_write_info(png, info);
    std::vector<unsigned char> rows(static_cast<std::size_t>(w) * 3 * h);
    std::vector<png_bytep> pointers(h);
    for (unsigned y = 0; y < h; ++y) {
        for (unsigned x = 0; x < w; ++x)
            for (unsigned c = 0; c < 3; ++c) rows[(y * w + x) * 3 + c] = noise(x, y, c);
        pointers[y] = rows.data() + static_cast<std::size_t>(y) * w * 3;
    }
    png_write_image(png, pointers.data());
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return out;
}

// Offset of the CRC of the first chunk of `type` in a PNG (npos if absent).
inline std::size_t png_chunk_crc_offset(const std::string& png, const char* type) {
    std::size_t pos = 8;
    while (pos + 12 <= png.size()) {
        const auto* p = reinterpret_cast<const unsigned char*>(png.data() + pos);
        const std::size_t len = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
        if (std::memcmp(p + 4, type, 4) == 0) return pos + 8 + len;
        pos += 12 + len;
    }
    return std::string::npos;
}

inline std::string make_jpeg(unsigned w, unsigned h, bool progressive = false) {
    jpeg_compress_struct cinfo;
    jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);  // the default error_exit exits: fine for fixed, valid input
    jpeg_create_compress(&cinfo);
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&cinfo, &buffer, &size);
    cinfo.image_width = w;
    cinfo.image_height = h;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 90, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    std::vector<unsigned char> row(static_cast<std::size_t>(w) * 3);
    while (cinfo.next_scanline < h) {
        for (unsigned x = 0; x < w; ++x)
            for (unsigned c = 0; c < 3; ++c) row[x * 3 + c] = noise(x, cinfo.next_scanline, c);
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    std::string out(reinterpret_cast<const char*>(buffer), size);
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);
    return out;
}

}  // namespace idara::test
