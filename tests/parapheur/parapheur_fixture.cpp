#include "parapheur_fixture.hpp"

#include "core/dates.hpp"
#include "shell.hpp"
#include "storage/db.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <random>

namespace idara::testing {

using identity::Role;
using parapheur::StepKind;
using parapheur::StepMode;

Result<std::string> SwitchableTsa::timestamp(std::span<const unsigned char, 32> sha256) {
    if (down) return Error{"trust.tsa_unavailable", 503, "test outage"};
    return inner_.timestamp(sha256);
}

trust::SigningIdentity copy_identity(const trust::SigningIdentity& id) {
    trust::SigningIdentity out;
    if (id.key) {
        EVP_PKEY_up_ref(id.key.get());
        out.key.reset(id.key.get());
    }
    if (id.cert) {
        X509_up_ref(id.cert.get());
        out.cert.reset(id.cert.get());
    }
    for (const auto& c : id.chain) {
        X509_up_ref(c.get());
        out.chain.emplace_back(c.get());
    }
    return out;
}

void ParapheurTest::SetUp() {
    DepositTest::SetUp();
    // Certificates (KeyStore's root) are made at the real time: bring the test clock there.
    const auto real = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    if (real > clock_.now_ms()) clock_.advance(std::chrono::milliseconds(real - clock_.now_ms() + 60'000));
    mef_head_ = add_staff("head@mef.gov.ma", "MEF", Role::unit_head, "DB");
    mef_head2_ = add_staff("head2@mef.gov.ma", "MEF", Role::unit_head, "DB");
    mef_signer_ = add_staff("signer@mef.gov.ma", "MEF", Role::signer);
    mef_signer2_ = add_staff("signer2@mef.gov.ma", "MEF", Role::signer);
    mef_signer3_ = add_staff("signer3@mef.gov.ma", "MEF", Role::signer);
    men_signer_ = add_staff("signer@men.gov.ma", "MEN", Role::signer);
    pki_ = std::make_unique<trust::Pki>(*db_, *keys_, trust::PkiOptions{}, clock_);
    auto tsa_id = db_->write<trust::SigningIdentity>([&](storage::Tx& tx) -> Result<trust::SigningIdentity> {
        if (auto s = pki_->ensure_dev_hierarchy(tx); !s) return s.error();
        auto id = pki_->tsa_identity(tx);
        if (!id) return id.error();
        return copy_identity(**id);
    });
    ASSERT_TRUE(tsa_id) << tsa_id.error().code << " " << tsa_id.error().detail;
    builtin_tsa_ = trust::make_builtin_tsa(std::move(*tsa_id), clock_);
    tsa_ = std::make_unique<SwitchableTsa>(*builtin_tsa_);
    auto reauth = [this](const identity::Principal&, std::string_view password, std::string_view code,
                         std::string_view) -> Status {
        ++reauth_calls_;
        if (password != "pass-word" || code != "123456") return Error{"identity.reauth_failed", 401, "test"};
        return {};
    };
    circuits_ = std::make_unique<parapheur::CircuitService>(*db_, *blobs_, *pki_, tsa_.get(), reauth,
                                                            parapheur::CircuitOptions{}, clock_);
}

void ParapheurTest::TearDown() {
    circuits_.reset();
    tsa_.reset();
    builtin_tsa_.reset();
    pki_.reset();
    DepositTest::TearDown();
}

parapheur::Actor ParapheurTest::actor(std::int64_t account_id, const std::string& origin) {
    principals_.push_back(std::make_unique<identity::Principal>(principal(account_id)));
    return parapheur::Actor{*principals_.back(), origin};
}

parapheur::StepSpec ParapheurTest::step(StepKind kind, StepMode mode, std::vector<std::int64_t> accounts,
                                        std::optional<identity::Role> role, std::string unit) {
    parapheur::StepSpec s;
    s.kind = kind;
    s.mode = mode;
    s.account_ids = std::move(accounts);
    s.role = role;
    s.unit_code = std::move(unit);
    s.label_ar = "مرحلة " + std::string(parapheur::step_kind_name(kind));
    s.label_fr = "Étape " + std::string(parapheur::step_kind_name(kind));
    return s;
}

parapheur::CircuitTemplate ParapheurTest::put_template(const std::string& code, std::vector<parapheur::StepSpec> steps,
                                                       std::int64_t adm) {
    parapheur::CircuitTemplate t;
    t.code = code;
    t.name_ar = "نموذج " + code;
    t.name_fr = "Modèle " + code;
    t.steps = std::move(steps);
    auto r = db_->write<parapheur::CircuitTemplate>([&](storage::Tx& tx) {
        return parapheur::CircuitService::put_template_in_tx(tx, adm ? adm : mef_, t, clock_.now_ms());
    });
    EXPECT_TRUE(r) << r.error().code << " " << r.error().detail;
    return r ? *r : t;
}

parapheur::Circuit ParapheurTest::start(const std::string& code, std::int64_t who, int pages) {
    parapheur::NewCircuit n;
    n.template_code = code;
    n.title = "قرار تعيين — Décision de nomination";
    n.file_name = "decision.pdf";
    n.pdf = sample_pdf(pages, "decision");
    auto c = circuits_->start(actor(who ? who : mef_agent_), n);
    EXPECT_TRUE(c) << c.error().code << " " << c.error().detail;
    return c ? *c : parapheur::Circuit{};
}

std::int64_t ParapheurTest::journal_count(const std::string& prefix) {
    return db_->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                  auto r = tx.query_one("SELECT COUNT(*) FROM journal_leaves WHERE kind LIKE $1", {prefix + "%"});
                  if (!r) return r.error();
                  return (*r)->as_int(0);
              })
        .value();
}

void ParapheurTest::delegate(std::int64_t from, std::int64_t to, std::int64_t adm) {
    const std::string today = i18n::casablanca_date_iso(clock_.now_ms());
    const std::string later = i18n::casablanca_date_iso(clock_.now_ms() + 10LL * 86400 * 1000);
    ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
        auto r = tx.exec(
            "INSERT INTO delegations (administration_id, from_account_id, to_account_id, starts_on, ends_on, "
            "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $2, $6)",
            {adm ? adm : mef_, from, to, today, later, clock_.now_ms()});
        if (!r) return r.error();
        return {};
    }));
}

std::string ParapheurTest::pdfsig(const std::string& pdf) {
    std::mt19937_64 rng{std::random_device{}()};
    const auto file = std::filesystem::temp_directory_path() / ("idara-para-" + std::to_string(rng()) + ".pdf");
    write_file(file, pdf);
    std::string out = run_command("pdfsig " + file.string());
    std::filesystem::remove(file);
    return out;
}

std::string utf16be_hex(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    auto unit = [&](unsigned v) {
        for (int shift = 12; shift >= 0; shift -= 4) out += hex[(v >> shift) & 15];
    };
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        int n = 1;
        if (c < 0x80) cp = c;
        else if ((c >> 5) == 6) { cp = c & 0x1f; n = 2; }
        else if ((c >> 4) == 14) { cp = c & 0x0f; n = 3; }
        else { cp = c & 0x07; n = 4; }
        for (int k = 1; k < n && i + static_cast<std::size_t>(k) < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3f);
        i += static_cast<std::size_t>(n);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(0xd800 + static_cast<unsigned>(cp >> 10));
            unit(0xdc00 + static_cast<unsigned>(cp & 0x3ff));
        } else {
            unit(static_cast<unsigned>(cp));
        }
    }
    return out;
}

}  // namespace idara::testing
