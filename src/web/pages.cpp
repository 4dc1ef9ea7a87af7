#include "web/pages.hpp"

#include "web/visit.hpp"

namespace idara::web {

// Defined in pages_auth.cpp and pages_account.cpp.
void register_auth_pages(http::Router& router, const PagesContext& ctx);
void register_account_pages(http::Router& router, const PagesContext& ctx);

void register_pages(http::Router& router, const PagesContext& ctx) {
    register_account_pages(router, ctx);
    register_auth_pages(router, ctx);
}

http::Response error_page(const http::Request& r, const Error& e, const PagesContext& ctx) {
    return detail::error_response(detail::begin(r, ctx), e);
}

}  // namespace idara::web
