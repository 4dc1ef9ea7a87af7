#include "http/static_files.hpp"

#include "core/random.hpp"
#include "core/resources.hpp"

#include <zlib.h>

#include <memory>
#include <stdexcept>

namespace idara::http {

namespace {

struct Asset {
    std::string body, gzipped, etag, type;
    bool compressible = false;
};

std::string content_type(std::string_view path) {
    auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

bool accepts_gzip(const Request& r) {
    auto ae = r.header("Accept-Encoding");
    return ae && ae->find("gzip") != std::string_view::npos;
}

Response serve(const Asset& a, const Request& r) {
    Response res;
    res.headers.set("ETag", a.etag);
    res.headers.set("Cache-Control", "public, max-age=86400");
    res.headers.set("Vary", "Accept-Encoding");
    auto inm = r.header("If-None-Match");
    if (inm && inm->find(a.etag) != std::string_view::npos) {
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
        a->type = content_type(path);
        a->etag = "\"" + random::sha256_hex(a->body).substr(0, 32) + "\"";
        a->compressible = a->type.rfind("text/", 0) == 0 || a->type == "image/svg+xml";
        if (a->compressible) a->gzipped = gzip(a->body);
        router.get("/static/" + path.substr(prefix.size()), [a](Request& r) { return serve(*a, r); },
                   {.inline_ok = true});
    }
}

}  // namespace idara::http
