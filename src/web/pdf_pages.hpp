// PDF pages as images, so the parapheur's document view works without a PDF plugin:
// page N of a PDF rendered by poppler-cpp at a width suited to screens and encoded as PNG
// in memory (libpng).
//
// Guards: a PDF over max_pdf_bytes or with more than max_pages pages is refused before
// rendering; a page taller than max_height_px at the target width is rendered smaller so
// its height fits (very long pages); an encrypted, damaged or empty PDF is refused.
// Rendering runs one page at a time in the process (poppler is CPU-heavy; the cache makes
// repeated views free).
//
// Cache: by (document SHA-256, page), bounded by cache_bytes of PNG data (least recently
// used first out); the page count by SHA-256 too. Documents are addressed by their
// digest and never change, so entries never go stale. The PDF bytes are asked for (the
// `load` callback) only on a miss.
//
// Errors: pdf_pages.too_large (413), pdf_pages.too_many_pages (422), pdf_pages.unreadable
// (422: not a PDF poppler can open, encrypted, or no pages), resource.not_found (404: no
// such page), and whatever `load` returns.
//
// Thread-safety: a PdfPages may be used from any number of threads.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace idara::web {

struct PdfPagesOptions {
    int width_px = 1000;                           // rendered width of a portrait or landscape page
    int max_height_px = 3000;                      // taller pages are rendered narrower
    std::size_t max_pdf_bytes = 30 * 1024 * 1024;
    int max_pages = 500;
    std::size_t cache_bytes = 48 * 1024 * 1024;    // PNG bytes kept in memory
};

struct PageImage {
    std::string png;
    int width = 0, height = 0;
    int page_count = 0;
};

class PdfPages {
public:
    using Loader = std::function<Result<std::string>()>;  // the PDF's bytes

    explicit PdfPages(PdfPagesOptions o = {}) : o_(o) {}

    // The number of pages of the PDF whose SHA-256 (hex) is `sha256`.
    Result<int> page_count(const std::string& sha256, const Loader& load);
    // Page `page` (1-based) as PNG.
    Result<std::shared_ptr<const PageImage>> page(const std::string& sha256, int page, const Loader& load);

    std::size_t cached_bytes() const;

private:
    using Key = std::pair<std::string, int>;
    std::shared_ptr<const PageImage> lookup(const Key& k);
    void store(const Key& k, std::shared_ptr<const PageImage> img);

    PdfPagesOptions o_;
    mutable std::mutex mu_;
    std::list<Key> lru_;  // most recent first
    std::map<Key, std::pair<std::shared_ptr<const PageImage>, std::list<Key>::iterator>> cache_;
    std::map<std::string, int> counts_;
    std::size_t bytes_ = 0;
    std::mutex render_mu_;  // one poppler render at a time
};

// Renders page `page` (1-based) of `pdf` without caching (the work behind PdfPages).
Result<PageImage> render_pdf_page(std::string_view pdf, int page, const PdfPagesOptions& o);
// The page count alone (same guards).
Result<int> pdf_page_count(std::string_view pdf, const PdfPagesOptions& o);

}  // namespace idara::web
