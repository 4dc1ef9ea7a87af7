// PdfPages (pdf_pages.hpp): poppler-cpp renders, libpng encodes in memory.
#include "web/pdf_pages.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <png.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

namespace idara::web {
namespace {

Error too_large() { return Error{"pdf_pages.too_large", 413}; }
Error too_many_pages() { return Error{"pdf_pages.too_many_pages", 422}; }
Error unreadable(std::string d) { return Error{"pdf_pages.unreadable", 422, std::move(d)}; }

void silence(const std::string&, void*) {}

std::unique_ptr<poppler::document> open_pdf(std::string_view pdf, const PdfPagesOptions& o, Error& err) {
    static std::once_flag quiet;
    std::call_once(quiet, [] { poppler::set_debug_error_function(&silence, nullptr); });
    if (pdf.size() > o.max_pdf_bytes || pdf.size() > INT_MAX) {
        err = too_large();
        return nullptr;
    }
    if (pdf.size() < 5 || pdf.substr(0, 5) != "%PDF-") {
        err = unreadable("not a PDF");
        return nullptr;
    }
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
    if (!doc || doc->is_locked() || doc->pages() < 1) {
        err = unreadable("poppler cannot open it");
        return nullptr;
    }
    if (doc->pages() > o.max_pages) {
        err = too_many_pages();
        return nullptr;
    }
    return doc;
}

struct PngSink {
    std::string out;
};

void png_write(png_structp png, png_bytep data, png_size_t n) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    sink->out.append(reinterpret_cast<const char*>(data), n);
}
void png_flush(png_structp) {}

// 8-bit RGB rows (width*3 bytes each) → PNG. Empty on a libpng failure.
bool encode_png(const std::vector<unsigned char>& rgb, int width, int height, PngSink& sink) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (png == nullptr) return false;
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_write_struct(&png, nullptr);
        return false;
    }
    // Only plain C data lives between setjmp and a possible longjmp.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &sink, &png_write, &png_flush);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, const_cast<png_bytep>(rgb.data() + static_cast<std::size_t>(y) * width * 3));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

Result<int> pdf_page_count(std::string_view pdf, const PdfPagesOptions& o) {
    try {
        Error err;
        auto doc = open_pdf(pdf, o, err);
        if (!doc) return err;
        return doc->pages();
    } catch (const std::bad_alloc&) {
        return too_large();
    }
}

Result<PageImage> render_pdf_page(std::string_view pdf, int page_number, const PdfPagesOptions& o) {
    try {
        Error err;
        auto doc = open_pdf(pdf, o, err);
        if (!doc) return err;
        const int count = doc->pages();
        if (page_number < 1 || page_number > count) return errors::not_found("page");
        std::unique_ptr<poppler::page> page(doc->create_page(page_number - 1));
        if (!page) return unreadable("page");
        const poppler::rectf box = page->page_rect(poppler::crop_box);
        double w_pt = box.width(), h_pt = box.height();
        if (!(w_pt > 0.5) || !(h_pt > 0.5) || w_pt > 20000 || h_pt > 20000) return unreadable("page size");
        const auto orient = page->orientation();
        const bool turned = orient == poppler::page::landscape || orient == poppler::page::seascape;
        // page_rect is the unrotated box; the rendered image follows the page's /Rotate.
        if (turned && w_pt < h_pt) std::swap(w_pt, h_pt);
        double dpi = o.width_px * 72.0 / w_pt;
        if (h_pt * dpi / 72.0 > o.max_height_px) dpi = o.max_height_px * 72.0 / h_pt;

        poppler::page_renderer renderer;
        renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
        renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
        renderer.set_paper_color(0xFFFFFFFF);
        renderer.set_image_format(poppler::image::format_argb32);
        poppler::image img = renderer.render_page(page.get(), dpi, dpi);
        if (!img.is_valid() || img.format() != poppler::image::format_argb32 || img.width() < 1 || img.height() < 1)
            return unreadable("render");
        const int width = img.width(), height = img.height();
        // ARGB32 is native-endian 0xAARRGGBB words; the paper is opaque, so alpha is dropped.
        std::vector<unsigned char> rgb(static_cast<std::size_t>(width) * height * 3);
        const char* data = img.const_data();
        for (int y = 0; y < height; ++y) {
            const auto* row = reinterpret_cast<const unsigned char*>(data + static_cast<std::ptrdiff_t>(y) * img.bytes_per_row());
            unsigned char* out = rgb.data() + static_cast<std::size_t>(y) * width * 3;
            for (int x = 0; x < width; ++x) {
                std::uint32_t px;
                std::memcpy(&px, row + static_cast<std::size_t>(x) * 4, 4);
                out[x * 3] = static_cast<unsigned char>((px >> 16) & 0xFF);
                out[x * 3 + 1] = static_cast<unsigned char>((px >> 8) & 0xFF);
                out[x * 3 + 2] = static_cast<unsigned char>(px & 0xFF);
            }
        }
        PngSink sink;
        if (!encode_png(rgb, width, height, sink)) return errors::internal("png encoding");
        return PageImage{std::move(sink.out), width, height, count};
    } catch (const std::bad_alloc&) {
        return too_large();
    }
}

std::shared_ptr<const PageImage> PdfPages::lookup(const Key& k) {
    std::lock_guard lk(mu_);
    auto it = cache_.find(k);
    if (it == cache_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
}

void PdfPages::store(const Key& k, std::shared_ptr<const PageImage> img) {
    std::lock_guard lk(mu_);
    counts_[k.first] = img->page_count;
    if (counts_.size() > 10000) counts_.clear();  // a bound; counts are cheap to recompute
    if (img->png.size() > o_.cache_bytes || cache_.count(k)) return;
    lru_.push_front(k);
    bytes_ += img->png.size();
    cache_.emplace(k, std::make_pair(std::move(img), lru_.begin()));
    while (bytes_ > o_.cache_bytes && !lru_.empty()) {
        auto it = cache_.find(lru_.back());
        bytes_ -= it->second.first->png.size();
        cache_.erase(it);
        lru_.pop_back();
    }
}

std::size_t PdfPages::cached_bytes() const {
    std::lock_guard lk(mu_);
    return bytes_;
}

Result<int> PdfPages::page_count(const std::string& sha256, const Loader& load) {
    {
        std::lock_guard lk(mu_);
        if (auto it = counts_.find(sha256); it != counts_.end()) return it->second;
    }
    auto pdf = load();
    if (!pdf) return pdf.error();
    auto n = pdf_page_count(*pdf, o_);
    if (!n) return n.error();
    std::lock_guard lk(mu_);
    if (counts_.size() > 10000) counts_.clear();
    counts_[sha256] = *n;
    return *n;
}

Result<std::shared_ptr<const PageImage>> PdfPages::page(const std::string& sha256, int page, const Loader& load) {
    const Key k{sha256, page};
    if (auto hit = lookup(k)) return hit;
    auto pdf = load();
    if (!pdf) return pdf.error();
    std::lock_guard render(render_mu_);
    if (auto hit = lookup(k)) return hit;  // rendered by another request meanwhile
    auto img = render_pdf_page(*pdf, page, o_);
    if (!img) return img.error();
    auto shared = std::make_shared<const PageImage>(std::move(*img));
    store(k, shared);
    return shared;
}

}  // namespace idara::web
