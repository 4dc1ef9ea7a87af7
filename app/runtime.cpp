#include "runtime.hpp"

#include "core/log.hpp"
#include "processing/legal_clock.hpp"

#include "storage/migrations.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;

namespace idara::app {

namespace {

identity::ServiceOptions identity_options(const config::Config& c) {
    identity::ServiceOptions o;
    o.session_idle = std::chrono::minutes(c.security.session_idle_minutes);
    o.session_absolute = std::chrono::hours(c.security.session_absolute_hours);
    o.throttle.max_failures_per_login = static_cast<int>(c.security.login_failures_per_login);
    o.throttle.max_failures_per_ip = static_cast<int>(c.security.login_failures_per_ip);
    o.throttle.window = std::chrono::minutes(c.security.login_window_minutes);
    return o;
}

registry::DepositOptions deposit_options(const config::Config& c) {
    registry::DepositOptions o;
    o.limits.max_count = static_cast<std::size_t>(c.registry.max_files);
    o.limits.max_bytes = static_cast<std::size_t>(c.registry.max_file_bytes);
    o.limits.max_total_bytes = static_cast<std::size_t>(c.registry.max_total_bytes);
    o.public_url = c.server.public_url;
    while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
    return o;
}

// [mail] into the mailer's configuration; the password is read from its file.
// [trust]: the extra anchors file is read once, at start-up; one that cannot be read or holds no
// certificate stops idara (a typo must not silently trust nothing more).
Result<trust::PkiOptions> pki_options(const config::Config& c) {
    trust::PkiOptions o;
    o.ocsp = c.trust.ocsp;
    if (!c.trust.anchors_file.empty()) {
        std::ifstream in(c.trust.anchors_file, std::ios::binary);
        if (!in.is_open()) return Error{"setup.trust", 1, "cannot read trust.anchors_file " + c.trust.anchors_file};
        std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto certs = trust::certs_from_pem(pem);
        if (certs.empty())
            return Error{"setup.trust", 1, "trust.anchors_file " + c.trust.anchors_file + " holds no PEM certificate"};
        for (const auto& cert : certs) o.extra_anchors_pem.push_back(trust::to_pem(cert.get()));
    }
    return o;
}

Result<outgoing::MailConfig> mail_config(const config::Config& c) {
    outgoing::MailConfig m;
    m.smtp_url = c.mail.smtp_url;
    m.from = c.mail.from;
    m.user = c.mail.user;
    m.ca_file = c.mail.ca_file;
    if (!c.mail.password_file.empty()) {
        std::ifstream in(c.mail.password_file, std::ios::binary);
        if (!in) return Error{"setup.mail", 1, "cannot read mail.password_file " + c.mail.password_file};
        std::getline(in, m.password);
        while (!m.password.empty() && (m.password.back() == '\r' || m.password.back() == ' '))
            m.password.pop_back();
    }
    return m;
}

Error key_error(const std::string& what) { return Error{"setup.master_key", 1, what}; }

// The master key (see runtime.hpp for where it comes from).
Result<trust::MasterKey> master_key(const config::Config& cfg) {
    if (const char* env = std::getenv("IDARA_MASTER_KEY"); env && *env) {
        auto k = trust::master_key_from_text(env);
        if (!k) return key_error("IDARA_MASTER_KEY is not the base64 of 32 bytes");
        return k;
    }
    const bool default_path = cfg.security.master_key_file.empty();
    const fs::path file = default_path ? fs::path(cfg.storage.data_dir) / "keys" / "master.key"
                                       : fs::path(cfg.security.master_key_file);
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        if (!default_path) return key_error("security.master_key_file " + file.string() + " does not exist");
        fs::create_directories(file.parent_path(), ec);
        fs::permissions(file.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);
        const trust::MasterKey k = trust::random_master_key();
        const fs::path tmp = file.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << trust::master_key_to_text(k) << "\n";
            if (!out) return key_error("cannot write " + tmp.string());
        }
        fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
        fs::rename(tmp, file, ec);
        if (ec) return key_error("cannot create " + file.string() + ": " + ec.message());
        return k;
    }
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    auto k = trust::master_key_from_text(s);
    if (!k) return key_error(file.string() + " does not hold the base64 of 32 bytes");
    return k;
}

}  // namespace

Result<std::unique_ptr<Runtime>> open_runtime(const config::Config& cfg, OpenMode mode) {
    auto rt = std::make_unique<Runtime>();
    rt->cfg = cfg;
    const fs::path data = cfg.storage.data_dir;
    const bool sqlite = cfg.storage.backend == "sqlite";
    const fs::path db_file = data / "idara.db";
    if (mode == OpenMode::existing && sqlite && !fs::exists(db_file))
        return Error{"setup.not_initialised", 1,
                     "no database at " + db_file.string() + "; run `idara init --data-dir " + data.string() + "` first"};
    std::error_code ec;
    fs::create_directories(data, ec);
    if (ec) return Error{"setup.data_dir", 1, "cannot create " + data.string() + ": " + ec.message()};
    fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);

    if (sqlite) {
        auto db = storage::open_sqlite({.path = db_file.string(),
                                        .busy_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms),
                                        .readers = static_cast<int>(cfg.storage.pool_size),
                                        .synchronous_full = cfg.storage.durable});
        if (!db) return db.error();
        rt->db = std::move(*db);
    } else {
        auto db = storage::open_postgres({.dsn = cfg.storage.postgres_dsn,
                                          .pool_size = static_cast<int>(cfg.storage.pool_size),
                                          .acquire_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms)});
        if (!db) return db.error();
        rt->db = std::move(*db);
    }
    rt->blobs = storage::make_blob_store(rt->db->backend(), data / "blobs");
    rt->identity = std::make_unique<identity::Service>(*rt->db, identity_options(cfg));
    auto mk = master_key(cfg);
    if (!mk) return mk.error();
    rt->keys = std::make_unique<trust::KeyStore>(*rt->db, *mk);
    auto po = pki_options(cfg);
    if (!po) return po.error();
    rt->pki = std::make_unique<trust::Pki>(*rt->db, *rt->keys, std::move(*po));
    rt->totp = std::make_unique<identity::TotpService>(*rt->db, *rt->identity, *mk);
    rt->holidays = std::make_unique<deadline::HolidayStore>(*rt->db);
    auto dopts = deposit_options(cfg);
    dopts.due_date = processing::legal_due_date(*rt->holidays);
    rt->deposits = std::make_unique<registry::DepositService>(*rt->db, *rt->blobs, *rt->keys, *rt->identity, dopts);
    processing::WorkflowOptions wo;
    wo.limits = dopts.limits;
    wo.deadlines = processing::legal_rules(*rt->holidays);
    rt->workflow = std::make_unique<processing::WorkflowService>(*rt->db, *rt->blobs, *rt->deposits, wo);
    rt->attestations = std::make_unique<processing::AttestationService>(*rt->db, *rt->blobs, *rt->keys);
    rt->tsa = std::make_unique<RuntimeTsa>();
    if (!cfg.trust.tsa_url.empty()) rt->tsa->install(trust::make_http_tsa({.url = cfg.trust.tsa_url}));
    {
        // Signing needs the password and a fresh TOTP code at the action (identity/totp.hpp).
        identity::TotpService& totp = *rt->totp;
        auto reauth = [&totp](const identity::Principal& who, std::string_view password, std::string_view code,
                              std::string_view origin) -> Status {
            const auto sp = origin.rfind(' ');
            const std::string ip(sp == std::string_view::npos ? origin : origin.substr(sp + 1));
            return totp.reauthenticate(who.account_id, password, code, ip);
        };
        parapheur::CircuitOptions co;
        co.max_pdf_bytes = dopts.limits.max_bytes;
        rt->circuits = std::make_unique<parapheur::CircuitService>(*rt->db, *rt->blobs, *rt->pki, rt->tsa.get(),
                                                                   reauth, co);
    }
    outgoing::OutgoingOptions oo;
    oo.limits = dopts.limits;
    rt->letters = std::make_unique<outgoing::OutgoingService>(*rt->db, *rt->blobs, *rt->keys, *rt->identity, oo);
    // Letters are approved through their e-parapheur circuit (outgoing/letters.hpp).
    rt->letters->set_circuits(*rt->circuits);
    // A reply registered in the outgoing register answers its incoming entry, in the same transaction.
    rt->letters->set_registered_hook([](storage::Tx& tx, const outgoing::Letter& l) -> Status {
        if (!l.in_reply_to || !l.register_number) return {};
        const bool answers = !l.tmpl || *l.tmpl == outgoing::Template::answer || *l.tmpl == outgoing::Template::refusal;
        return processing::WorkflowService::record_reply(tx, *l.in_reply_to, l.approved_by.value_or(l.author_id),
                                                         *l.register_number, answers,
                                                         l.approved_at_ms.value_or(l.updated_at_ms));
    });
    // The portal: procedures and applications (registered through the deposit service).
    rt->catalogue = std::make_unique<procedures::Catalogue>(*rt->db, *rt->identity);
    if (!cfg.portal.exchange_client_url.empty())
        rt->exchange = procedures::make_http_exchange_client(cfg.portal.exchange_client_url, cfg.portal.exchange_client_id,
                                                             static_cast<long>(cfg.portal.exchange_timeout_ms));
    rt->applications = std::make_unique<procedures::ApplicationService>(*rt->db, *rt->blobs, *rt->catalogue, *rt->deposits,
                                                                       rt->exchange.get(), dopts.limits);
    rt->payment_provider = std::make_unique<procedures::SandboxPaymentProvider>(*rt->db);
    rt->payments = std::make_unique<procedures::PaymentService>(*rt->db, *rt->blobs, *rt->keys, *rt->applications,
                                                                *rt->payment_provider);
    rt->applications->set_payments(rt->payments.get());
    rt->applications->set_seal(rt->keys.get());  // questionnaire reports carry the platform seal
    rt->evaluation = std::make_unique<procedures::EvaluationService>(*rt->db, *rt->blobs, *rt->catalogue, *rt->applications,
                                                                    rt->circuits.get());
    rt->evaluation->attach();
    if (!cfg.mail.smtp_url.empty()) {
        auto mc = mail_config(cfg);
        if (!mc) return mc.error();
        auto transport = outgoing::make_smtp_transport(*mc);
        if (!transport) return transport.error();
        rt->mailer = std::make_unique<outgoing::Mailer>(*rt->db, *rt->blobs, std::move(*transport), *mc);
    }
    return rt;
}

Status require_current_schema(storage::Database& db) {
    auto v = storage::schema_version(db);
    if (!v) return v.error();
    const int latest = storage::latest_version(db.backend());
    if (*v < latest)
        return Error{"setup.schema_old", 1,
                     "the database schema is version " + std::to_string(*v) + " but this binary needs " +
                         std::to_string(latest) + "; run `idara migrate`"};
    if (*v > latest)
        return Error{"storage.schema_too_new", 1,
                     "the database schema (version " + std::to_string(*v) +
                         ") is newer than this binary knows (" + std::to_string(latest) + "); upgrade idara"};
    return {};
}

Status ensure_all_keys(Runtime& rt) {
    auto admins = rt.identity->list_administrations();
    if (!admins) return admins.error();
    return rt.db->write_tx([&](storage::Tx& tx) -> Status {
        if (auto s = rt.keys->ensure_keys(tx, 0, "IDARA", "idara"); !s) return s;
        if (auto s = rt.pki->ensure_dev_hierarchy(tx); !s) return s;
        for (const auto& a : *admins)
            if (auto s = rt.keys->ensure_keys(tx, a.id, a.code, a.name_fr); !s) return s;
        return {};
    });
}

Result<std::string> RuntimeTsa::timestamp(std::span<const unsigned char, 32> sha256) {
    std::shared_ptr<trust::TimeStamper> inner;
    {
        std::lock_guard lock(mu_);
        inner = inner_;
    }
    if (!inner) return Error{"trust.tsa_unavailable", 503, "no time-stamping authority is set up"};
    return inner->timestamp(sha256);
}

void RuntimeTsa::install(std::shared_ptr<trust::TimeStamper> inner) {
    std::lock_guard lock(mu_);
    inner_ = std::move(inner);
}

bool RuntimeTsa::installed() const {
    std::lock_guard lock(mu_);
    return inner_ != nullptr;
}

Status prepare_signing(Runtime& rt) {
    auto id = rt.db->write<trust::SigningIdentity>([&](storage::Tx& tx) -> Result<trust::SigningIdentity> {
        if (auto s = rt.pki->ensure_dev_hierarchy(tx); !s) return s.error();
        auto tsa = rt.pki->tsa_identity(tx);
        if (!tsa) return tsa.error();
        // The built-in authority keeps its own references to the key and certificates.
        trust::SigningIdentity copy;
        EVP_PKEY_up_ref((*tsa)->key.get());
        copy.key.reset((*tsa)->key.get());
        X509_up_ref((*tsa)->cert.get());
        copy.cert.reset((*tsa)->cert.get());
        for (const auto& c : (*tsa)->chain) {
            X509_up_ref(c.get());
            copy.chain.emplace_back(c.get());
        }
        return copy;
    });
    if (!id) return id.error();
    if (rt.cfg.trust.tsa_url.empty()) rt.tsa->install(trust::make_builtin_tsa(std::move(*id), system_clock()));
    return {};
}

Result<registry::VerifyKeys> verify_keys(Runtime& rt) {
    return rt.db->read<registry::VerifyKeys>([&](storage::Tx& tx) -> Result<registry::VerifyKeys> {
        auto keys = rt.keys->public_keys(tx);
        if (!keys) return keys.error();
        auto anchors = rt.keys->trust_anchors_pem(tx);
        if (!anchors) return anchors.error();
        return registry::VerifyKeys{std::move(*keys), std::move(*anchors)};
    });
}

Result<trust::ValidationOptions> validation_options(Runtime& rt) {
    return rt.db->read<trust::ValidationOptions>([&](storage::Tx& tx) -> Result<trust::ValidationOptions> {
        trust::ValidationOptions o;
        auto anchors = rt.pki->anchors_pem(tx);
        if (!anchors) return anchors.error();
        o.anchors_pem = std::move(*anchors);
        // Before the first `idara init`/`migrate` of this version there is no issuing CA, hence no CRL.
        auto ca = tx.query_one("SELECT 1 FROM pki_issuing_cas LIMIT 1");
        if (!ca) return ca.error();
        if (*ca) {
            auto crl = rt.pki->crl_der(tx);
            if (!crl) return crl.error();
            o.crls_der.push_back(std::move(*crl));
        }
        o.ocsp = rt.pki->options().ocsp;
        return o;
    });
}

int fail(const Error& e) {
    std::cerr << "idara: " << (e.detail.empty() ? e.code : e.detail) << " [" << e.code << "]\n";
    return 1;
}

}  // namespace idara::app

namespace idara::app {

Status load_procedures(Runtime& rt) {
    std::vector<std::pair<std::string, std::string>> skipped;
    auto shipped = rt.catalogue->load_shipped(&skipped);
    if (!shipped) return shipped.error();
    for (const auto& [file, reason] : skipped) log::info("procedures.skipped", {{"file", file}, {"reason", reason}});
    std::vector<procedures::Loaded> all = std::move(*shipped);
    if (!rt.cfg.portal.procedures_dir.empty()) {
        auto more = rt.catalogue->load_dir(rt.cfg.portal.procedures_dir);
        if (!more) return more.error();
        all.insert(all.end(), more->begin(), more->end());
    }
    const auto published = std::count_if(all.begin(), all.end(), [](const procedures::Loaded& l) {
        return l.outcome == procedures::LoadOutcome::added;
    });
    log::info("procedures.loaded", {{"published", std::to_string(published)}, {"skipped", std::to_string(skipped.size())}});
    return {};
}

}  // namespace idara::app
