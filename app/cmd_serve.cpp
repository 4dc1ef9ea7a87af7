// idara serve: wires the modules into one HTTP server.
#include "port_file.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "api/deposits.hpp"
#include "api/attestation.hpp"
#include "api/dashboard.hpp"
#include "api/holidays.hpp"
#include "api/journal.hpp"
#include "api/outgoing.hpp"
#include "api/parapheur.hpp"
#include "api/search.hpp"
#include "api/verify.hpp"
#include "api/govstack.hpp"
#include "api/processing.hpp"
#include "api/health.hpp"
#include "api/routes.hpp"
#include "core/log.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "journal/journal.hpp"
#include "search/index.hpp"
#include "web/dashboard_pages.hpp"
#include "web/pages.hpp"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

namespace idara::app {

namespace {

http::ServerOptions server_options(const config::Config& c) {
    http::ServerOptions o;
    o.listen_address = c.server.listen;
    o.port = static_cast<std::uint16_t>(c.server.port);
    o.io_threads = static_cast<int>(c.server.io_threads);
    o.worker_threads = static_cast<int>(c.server.worker_threads);
    o.max_body_bytes = static_cast<std::size_t>(c.server.max_body_bytes);
    o.max_header_bytes = static_cast<std::size_t>(c.server.max_header_bytes);
    o.read_timeout = std::chrono::milliseconds(c.server.read_timeout_ms);
    o.write_timeout = std::chrono::milliseconds(c.server.write_timeout_ms);
    o.idle_timeout = std::chrono::milliseconds(c.server.idle_timeout_ms);
    o.drain_timeout = std::chrono::milliseconds(c.server.drain_timeout_ms);
    o.access_log = c.server.access_log;
    return o;
}

}  // namespace

int cmd_serve(const GlobalOptions& g, const ServeOptions& so) {
    std::vector<std::string> sets;
    if (so.port) sets.push_back("server.port=" + std::to_string(*so.port));
    if (so.listen) sets.push_back("server.listen=" + *so.listen);
    // The exchange demo: the portal asks through UNIV's gateway (client port = base + 3).
    if (so.with_exchange) sets.push_back("portal.exchange_client_url=http://127.0.0.1:" + std::to_string(so.exchange_base_port + 3));
    const config::Config cfg = load_config(g, sets);
    log::Level level{};
    log::parse_level(cfg.log.level, level);
    log::set_level(level);

    auto rt = open_runtime(cfg, OpenMode::existing);
    if (!rt) return fail(rt.error());
    if (auto s = require_current_schema(*(*rt)->db); !s) return fail(s.error());
    // The dev PKI where missing and the built-in time-stamping authority (signatures are B-T).
    if (auto s = prepare_signing(**rt); !s) return fail(s.error());
    // The portal's procedures: the shipped packs and [portal] procedures_dir.
    if (auto s = load_procedures(**rt); !s) return fail(s.error());

    // Files a crash left behind (written by a registration that never committed) go before serving.
    if (auto swept = (*rt)->blobs->remove_unreferenced(*(*rt)->db); !swept) return fail(swept.error());
    else if (*swept > 0) log::info("blobs.swept", {{"files", std::to_string(*swept)}});
    // Entries registered before the search index existed (or by an older binary) are indexed now.
    if (auto n = search::reindex_missing(*(*rt)->db, *(*rt)->blobs); !n) return fail(n.error());
    else if (*n > 0) log::info("search.reindexed", {{"entries", std::to_string(*n)}});

    http::Router router;
    auto server = http::make_server(server_options(cfg), router);
    api::register_health(router, *(*rt)->db, server->metrics());
    api::register_v1(router, *(*rt)->identity);
    Runtime& runtime = **rt;
    const auto keys = [&runtime]() { return verify_keys(runtime); };
    http::MultipartLimits mp;
    mp.max_parts = static_cast<std::size_t>(cfg.registry.max_files) + 8;
    mp.max_part_bytes = static_cast<std::size_t>(std::max(cfg.registry.max_file_bytes, std::int64_t{64 * 1024}));
    // A receipt to verify is a few hundred kilobytes at most (one page, subset fonts).
    http::MultipartLimits vmp;
    vmp.max_parts = 4;
    vmp.max_part_bytes = std::min<std::size_t>(static_cast<std::size_t>(cfg.server.max_body_bytes), 4u << 20);
    api::register_registry(router, api::RegistryApi{*runtime.identity, *runtime.deposits, keys, mp, vmp});
    api::register_verify(router, api::VerifyApi{*runtime.deposits, keys, [&runtime] { return validation_options(runtime); },
                                                [&runtime] {
                                                    return runtime.db->read<std::string>([&](storage::Tx& tx) {
                                                        return runtime.pki->crl_der(tx);
                                                    });
                                                },
                                                vmp});
    api::register_processing(router, api::ProcessingApi{*runtime.identity, *runtime.workflow, mp});
    api::register_outgoing(router, api::OutgoingApi{*runtime.identity, *runtime.letters, *runtime.workflow, mp});
    api::register_parapheur(router, api::ParapheurApi{*runtime.identity, *runtime.circuits, mp});
    api::register_search(router, *runtime.identity, *runtime.db);
    api::register_attestation(router, *runtime.identity, *runtime.attestations);
    api::register_holidays(router, *runtime.identity, *runtime.holidays, *runtime.db);
    api::register_dashboard(router, *runtime.identity, *runtime.db);
    journal::Journal journal(*runtime.db, *runtime.keys);  // the tamper-evident journal's tree heads and proofs
    api::register_journal(router, api::JournalApi{*runtime.identity, *runtime.deposits, *runtime.db, journal});
    // The GovStack Registration Building Block API over the procedure engine, and the OpenAPI file.
    api::register_govstack(router, api::GovStackApi{*runtime.identity, *runtime.catalogue, *runtime.applications,
                                                    *runtime.workflow, mp});
    api::register_openapi(router);
    http::register_static_files(router);
    web::PagesContext pages{*(*rt)->identity, cfg.security.cookie_secure};
    pages.deposits = runtime.deposits.get();
    pages.verify_keys = keys;
    pages.validation_options = [&runtime] { return validation_options(runtime); };
    pages.attachment_limits.max_count = static_cast<std::size_t>(cfg.registry.max_files);
    pages.attachment_limits.max_bytes = static_cast<std::size_t>(cfg.registry.max_file_bytes);
    pages.attachment_limits.max_total_bytes = static_cast<std::size_t>(cfg.registry.max_total_bytes);
    pages.multipart_limits = mp;
    pages.workflow = runtime.workflow.get();
    pages.letters = runtime.letters.get();
    pages.attestations = runtime.attestations.get();
    pages.totp = runtime.totp.get();
    pages.circuits = runtime.circuits.get();
    pages.catalogue = runtime.catalogue.get();
    pages.applications = runtime.applications.get();
    pages.evaluation = runtime.evaluation.get();
    web::register_pages(router, pages);
    web::register_dashboard_pages(router, pages, *runtime.db);
    // Paths outside /api/ that match no route get the HTML "page not found" in the visitor's language.
    router.set_fallback([&pages](http::Request& r) { return web::error_page(r, errors::not_found(), pages); });

    // The exchange demo beside the portal; stopped when this function returns.
    std::unique_ptr<ExchangeUpChild> exchange_demo;
    if (so.with_exchange) {
        exchange_demo = start_exchange_up((std::filesystem::path(cfg.storage.data_dir) / "exchange").string(), so.exchange_base_port);
        if (!exchange_demo) return fail(Error{"setup.exchange", 1, "cannot start idara exchange up"});
    }
    auto port = server->start();
    if (!port) return fail(port.error());
    log::info("server.listening", {{"address", cfg.server.listen}, {"port", std::to_string(*port)},
                                   {"backend", std::string(storage::backend_name((*rt)->db->backend()))}});
    std::cout << "idara is serving on http://" << cfg.server.listen << ":" << *port << "/" << std::endl;
    if (so.port_file && !write_port_file(*so.port_file, *port))
        return fail(Error{"setup.port_file", 1, "cannot write " + *so.port_file});
    // The outbox is sent in the background, outside request handling; stops with the server.
    std::jthread mail_loop;
    if (runtime.mailer) {
        const auto every = std::chrono::seconds(cfg.mail.interval_seconds);
        mail_loop = std::jthread([&runtime, every](std::stop_token stop) {
            std::mutex mu;
            std::condition_variable_any cv;
            while (!stop.stop_requested()) {
                auto report = runtime.mailer->deliver_pending(system_clock().now_ms());
                if (!report) log::warn("mail.outbox", {{"error", report.error().code}, {"detail", report.error().detail}});
                else if (report->sent + report->retrying + report->failed > 0)
                    log::info("mail.outbox", {{"sent", std::to_string(report->sent)},
                                              {"retrying", std::to_string(report->retrying)},
                                              {"failed", std::to_string(report->failed)}});
                std::unique_lock lock(mu);
                cv.wait_for(lock, stop, every, [] { return false; });
            }
        });
    }
    // A signed tree head of the journal at [journal] sth_interval_seconds when it grew.
    std::jthread sth_loop([&journal, every = std::chrono::seconds(cfg.journal.sth_interval_seconds)](std::stop_token stop) {
        std::mutex mu;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            {
                std::unique_lock lock(mu);
                if (cv.wait_for(lock, stop, every, [] { return false; })) break;
            }
            if (stop.stop_requested()) break;
            auto sth = journal.make_sth_if_grown();
            if (!sth) log::warn("journal.sth", {{"error", sth.error().code}, {"detail", sth.error().detail}});
            else if (*sth) log::info("journal.sth", {{"tree_size", std::to_string((*sth)->tree_size)}});
        }
    });
    server->run();
    return 0;
}

}  // namespace idara::app
