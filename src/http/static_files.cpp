#include "http/static_files.hpp"

#include "core/random.hpp"
#include "core/resources.hpp"
#include "http/message.hpp"

#include <zlib.h>

#include <memory>
#include <stdexcept>

namespace idara::http {

namespace {

struct Asset {
    std::string body, gzipped, etag, type;
    bool compressible = false;
};

struct MediaType {
    std::string_view extension, type;
    bool compressible;  // worth gzipping (text formats; images and fonts are compressed already)
};

constexpr MediaType kMediaTypes[] = {
    {".css", "text/css; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".json", "application/json", true},
    {".map", "application/json", true},
    {".webmanifest", "application/manifest+json", true},
    {".html", "text/html; charset=utf-8", true},
    {".txt", "text/plain; charset=utf-8", true},
    {".xml", "application/xml", true},
    {".svg", "image/svg+xml", true},
    {".png", "image/png", false},
    {".jpg", "image/jpeg", false},
    {".jpeg", "image/jpeg", false},
    {".gif", "image/gif", false},
    {".webp", "image/webp", false},
    {".avif", "image/avif", false},
    {".ico", "image/x-icon", true},
    {".woff2", "font/woff2", false},
    {".woff", "font/woff", false},
    {".pdf", "application/pdf", false},
};

MediaType media_type(std::string_view path) {
    for (const auto& m : kMediaTypes)
        if (path.size() >= m.extension.size() && path.substr(path.size() - m.extension.size()) == m.extension) return m;
    return {"", "application/octet-stream", false};
}

// True when Accept-Encoding lists gzip (or "*") without "q=0".
bool accepts_gzip(const Request& r) {
    auto ae = r.header("Accept-Encoding");
    if (!ae) return false;
    std::string_view s = *ae;
    while (!s.empty()) {
        const auto comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view coding = trim_ows(item.substr(0, semi));
        if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
        if (semi == std::string_view::npos) return true;
        std::string_view q = trim_ows(item.substr(semi + 1));
        if (q.substr(0, 2) != "q=" && q.substr(0, 2) != "Q=") return true;
        q.remove_prefix(2);
        // q=0, q=0.0, q=0.00… refuse; anything else accepts.
        const bool zero = !q.empty() && q.front() == '0' && q.find_first_not_of("0.", 0) == std::string_view::npos;
        return !zero;
    }
    return false;
}

// If-None-Match: "*" or a list of (possibly weak) entity tags; weak comparison.
bool etag_matches(std::string_view inm, std::string_view etag) {
    if (trim_ows(inm) == "*") return true;
    while (!inm.empty()) {
        const auto comma = inm.find(',');
        std::string_view tag = trim_ows(inm.substr(0, comma));
        inm = comma == std::string_view::npos ? std::string_view{} : inm.substr(comma + 1);
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == etag) return true;
    }
    return false;
}

Response serve(const Asset& a, const Request& r) {
    Response res;
    res.headers.set("ETag", a.etag);
    res.headers.set("Cache-Control", "public, max-age=86400");
    res.headers.set("Vary", "Accept-Encoding");
    auto inm = r.header("If-None-Match");
    if (inm && etag_matches(*inm, a.etag)) {
        res.status = 304;
        return res;
    }
    res.headers.set("Content-Type", a.type);
    if (a.compressible && accepts_gzip(r)) {
        res.headers.set("Content-Encoding", "gzip");
        res.body = a.gzipped;
    } else {
        res.body = a.body;
    }
    return res;
}

}  // namespace

std::string gzip(std::string_view data) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib deflateInit2 failed");
    std::string out(deflateBound(&z, data.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
    return out;
}

void register_static_files(Router& router) {
    const std::string prefix = "web/static/";
    for (const auto& path : resources::list(prefix)) {
        auto a = std::make_shared<Asset>();
        a->body = resources::find(path).value_or("");
        const MediaType media = media_type(path);
        a->type = std::string(media.type);
        a->etag = "\"" + random::sha256_hex(a->body) + "\"";
        a->compressible = media.compressible;
        if (a->compressible) a->gzipped = gzip(a->body);
        if (a->gzipped.size() >= a->body.size()) {  // tiny files grow when gzipped
            a->compressible = false;
            a->gzipped.clear();
        }
        router.get("/static/" + path.substr(prefix.size()), [a](Request& r) { return serve(*a, r); },
                   {.inline_ok = true});
    }
}

}  // namespace idara::http
