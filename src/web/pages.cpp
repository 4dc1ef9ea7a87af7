#include "web/pages.hpp"

#include "web/deposit_pages.hpp"
#include "web/parapheur_pages.hpp"
#include "web/portal_pages.hpp"
#include "web/evaluation_pages.hpp"
#include "web/window_pages.hpp"
#include "web/visit.hpp"

namespace idara::web {

// Defined in pages_auth.cpp and pages_account.cpp.
void register_auth_pages(http::Router& router, const PagesContext& ctx);
void register_account_pages(http::Router& router, const PagesContext& ctx);

void register_pages(http::Router& router, const PagesContext& ctx) {
    register_account_pages(router, ctx);
    register_auth_pages(router, ctx);
    if (ctx.deposits != nullptr) {
        register_deposit_pages(router, ctx);
        register_entry_pages(router, ctx);
        register_counter_pages(router, ctx);
        register_track_pages(router, ctx);
        register_verify_pages(router, ctx);
        if (ctx.workflow != nullptr) register_window_pages(router, ctx);
        if (ctx.workflow != nullptr && ctx.letters != nullptr) register_letter_pages(router, ctx);
        if (ctx.circuits != nullptr) register_parapheur_pages(router, ctx);
    }
    if (ctx.catalogue && ctx.applications) register_portal_pages(router, ctx);
    if (ctx.catalogue && ctx.applications && ctx.evaluation) register_evaluation_pages(router, ctx);
}

http::Response error_page(const http::Request& r, const Error& e, const PagesContext& ctx) {
    return detail::error_response(detail::begin(r, ctx), e);
}

}  // namespace idara::web
