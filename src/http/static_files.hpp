// Static assets (CSS, icons) from the embedded resources under web/static/,
// served at /static/<path> with a strong ETag (SHA-256), 304 on revalidation,
// gzip when the client accepts it (compressed once, at registration) and
// `Cache-Control: public, max-age=86400`.
#pragma once

#include "http/router.hpp"

namespace idara::http {

// Registers one GET route per embedded file under web/static/.
void register_static_files(Router& router);

// gzip-compresses data (used for static files; exposed for tests).
std::string gzip(std::string_view data);

}  // namespace idara::http
