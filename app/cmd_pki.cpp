// idara pki list | import | revoke | crl | issue-dev: the platform's certificates (trust/pki.hpp).
//
//   list [--json]                       every certificate: purpose, owner, subject, issuer, serial,
//                                       validity, sha256, source (dev | pkcs12 | anchors_file), status
//   import --administration CODE [--account LOGIN] --p12 FILE --password-file F
//                                       a PKCS#12 for an administration's seal, or for a person's
//                                       signatures with --account; checked against the anchors first
//   revoke SHA256 [--reason N]          RFC 5280 reason code (default 0, unspecified)
//   crl [--out FILE]                    the issuing CA's CRL: DER to FILE, else PEM on stdout
//   issue-dev --account LOGIN | --administration CODE
//                                       the development signing (or seal) certificate, made if missing
// Private keys are never printed. Exit codes: 0 done, 1 refused or failed, 2 usage.
#include "cli_common.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "core/dates.hpp"
#include "core/log.hpp"
#include "trust/keys.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace idara::app {

namespace {

struct PkiArgs {
    bool json = false;
    std::string administration, account, p12_file, password_file, sha256, out;
    int reason = 0;
};

Result<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"pki.input", 1, "cannot read " + path};
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<std::int64_t> id_by(storage::Tx& tx, const char* sql, const std::string& key, const char* what) {
    auto row = tx.query_one(sql, {key});
    if (!row) return row.error();
    if (!*row) return Error{"trust.no_owner", 404, std::string("no ") + what + " " + key};
    return (*row)->as_int(0);
}

constexpr const char* kAccountByLogin = "SELECT id FROM accounts WHERE login = $1";
constexpr const char* kAdministrationByCode = "SELECT id FROM administrations WHERE code = $1";

void print_cert(const X509* c) {
    std::cout << "subject " << trust::name_rfc2253(X509_get_subject_name(c)) << "\nissuer  "
              << trust::name_rfc2253(X509_get_issuer_name(c)) << "\nserial  " << trust::cert_serial_hex(c)
              << "\nvalid   " << i18n::iso_utc(trust::asn1_time_ms(X509_get0_notBefore(c))) << " .. "
              << i18n::iso_utc(trust::asn1_time_ms(X509_get0_notAfter(c))) << "\nsha256  " << trust::cert_sha256_hex(c)
              << "\n";
}

int cmd_list(const GlobalOptions& g, const PkiArgs& a) {
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto list = (*rt)->db->read<std::vector<trust::CertInfo>>([&](storage::Tx& tx) { return (*rt)->pki->list(tx); });
    if (!list) return fail(list.error());
    if (a.json) {
        boost::json::array arr;
        for (const auto& c : *list)
            arr.push_back(boost::json::object{{"purpose", c.purpose}, {"owner", c.owner}, {"subject", c.subject},
                                              {"issuer", c.issuer}, {"serial", c.serial},
                                              {"not_before", i18n::iso_utc(c.not_before_ms)},
                                              {"not_after", i18n::iso_utc(c.not_after_ms)}, {"sha256", c.sha256},
                                              {"source", c.source}, {"status", c.status}});
        std::cout << boost::json::serialize(arr) << "\n";
        return 0;
    }
    for (const auto& c : *list)
        std::cout << c.purpose << "\t" << (c.owner.empty() ? "-" : c.owner) << "\t" << c.source << "\t" << c.status
                  << "\n  subject " << c.subject << "\n  issuer  " << c.issuer << "\n  serial  " << c.serial
                  << "\n  valid   " << i18n::iso_utc(c.not_before_ms) << " .. " << i18n::iso_utc(c.not_after_ms)
                  << "\n  sha256  " << c.sha256 << "\n";
    return 0;
}

int cmd_import(const GlobalOptions& g, const PkiArgs& a) {
    auto p12 = slurp(a.p12_file);
    if (!p12) return fail(p12.error());
    auto password = slurp(a.password_file);
    if (!password) return fail(password.error());
    while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) password->pop_back();
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto s = (*rt)->db->write_tx([&](storage::Tx& tx) -> Status {
        auto adm = id_by(tx, kAdministrationByCode, a.administration, "administration");
        if (!adm) return adm.error();
        trust::Owner owner{trust::Owner::Kind::administration, *adm};
        if (!a.account.empty()) {
            auto acc = id_by(tx, kAccountByLogin, a.account, "account");
            if (!acc) return acc.error();
            auto member = tx.query_one("SELECT 1 FROM memberships WHERE account_id = $1 AND administration_id = $2",
                                       {*acc, *adm});
            if (!member) return member.error();
            if (!*member) return Error{"trust.no_owner", 404, a.account + " is not a member of " + a.administration};
            owner = {trust::Owner::Kind::account, *acc};
        }
        return (*rt)->pki->import_pkcs12(tx, owner, *p12, *password);
    });
    if (!s) return fail(s.error());
    log::info("pki.imported", {{"administration", a.administration}, {"account", a.account}});
    std::cout << "imported for " << (a.account.empty() ? a.administration + " (seal)" : a.account + " (signing)") << "\n";
    return 0;
}

int cmd_revoke(const GlobalOptions& g, const PkiArgs& a) {
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto s = (*rt)->db->write_tx([&](storage::Tx& tx) { return (*rt)->pki->revoke(tx, a.sha256, a.reason); });
    if (!s) return fail(s.error());
    log::info("pki.revoked", {{"sha256", a.sha256}, {"reason", std::to_string(a.reason)}});
    std::cout << "revoked " << a.sha256 << "\n";
    return 0;
}

int cmd_crl(const GlobalOptions& g, const PkiArgs& a) {
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto crl = (*rt)->db->write<std::string>([&](storage::Tx& tx) { return (*rt)->pki->crl_der(tx); });
    if (!crl) return fail(crl.error());
    if (!a.out.empty()) {
        std::ofstream out(a.out, std::ios::binary);
        out << *crl;
        if (!out) return fail(Error{"pki.output", 1, "cannot write " + a.out});
        return 0;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(crl->data());
    X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl->size()));
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_CRL(bio, c);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::cout << std::string(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    X509_CRL_free(c);
    return 0;
}

int cmd_issue_dev(const GlobalOptions& g, const PkiArgs& a) {
    if (a.account.empty() == a.administration.empty()) {
        std::cerr << "idara pki issue-dev: give --account LOGIN or --administration CODE (one of them)\n";
        return 2;
    }
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto id = (*rt)->db->write<std::shared_ptr<const trust::SigningIdentity>>(
        [&](storage::Tx& tx) -> Result<std::shared_ptr<const trust::SigningIdentity>> {
            if (!a.account.empty()) {
                auto acc = id_by(tx, kAccountByLogin, a.account, "account");
                if (!acc) return acc.error();
                return (*rt)->pki->signer_identity(tx, *acc);
            }
            auto adm = id_by(tx, kAdministrationByCode, a.administration, "administration");
            if (!adm) return adm.error();
            return (*rt)->pki->seal_identity(tx, *adm);
        });
    if (!id) return fail(id.error());
    print_cert((*id)->cert.get());
    return 0;
}

}  // namespace

template <class Cli>
void add_pki_commands(Cli& app, GlobalOptions& g, int& rc) {
    auto a = std::make_shared<PkiArgs>();
    auto* pki = app.add_subcommand("pki", "Certificates: list, import PKCS#12, revoke, CRL, development certificates");
    pki->require_subcommand(1);

    auto* list = pki->add_subcommand("list", "Every certificate the platform holds (never a private key)");
    add_global(*list, g);
    list->add_flag("--json", a->json, "JSON output");
    list->callback([&g, &rc, a] { rc = cmd_list(g, *a); });

    auto* import = pki->add_subcommand("import", "Import a PKCS#12 (key, certificate, chain) for a seal or a signer");
    add_global(*import, g);
    import->add_option("--administration", a->administration, "Administration code, e.g. MEF")->required();
    import->add_option("--account", a->account, "A member's login: the certificate is that person's signing one");
    import->add_option("--p12", a->p12_file, "The PKCS#12 file")->required()->check(CLI::ExistingFile);
    import->add_option("--password-file", a->password_file, "A file holding its password")->required()->check(CLI::ExistingFile);
    import->callback([&g, &rc, a] { rc = cmd_import(g, *a); });

    auto* revoke = pki->add_subcommand("revoke", "Revoke a certificate by its SHA-256 (it enters the CRL)");
    add_global(*revoke, g);
    revoke->add_option("sha256", a->sha256, "Hex SHA-256 of the certificate (idara pki list)")->required();
    revoke->add_option("--reason", a->reason, "RFC 5280 reason code (0 unspecified, 1 keyCompromise, 4 superseded, ...)")
        ->check(CLI::Range(0, 10));
    revoke->callback([&g, &rc, a] { rc = cmd_revoke(g, *a); });

    auto* crl = pki->add_subcommand("crl", "The issuing CA's current CRL (PEM on stdout, or DER with --out)");
    add_global(*crl, g);
    crl->add_option("--out", a->out, "Write DER to this file");
    crl->callback([&g, &rc, a] { rc = cmd_crl(g, *a); });

    auto* issue = pki->add_subcommand("issue-dev", "Make (or show) a development signing or seal certificate");
    add_global(*issue, g);
    issue->add_option("--account", a->account, "Login of the person");
    issue->add_option("--administration", a->administration, "Administration code (its seal)");
    issue->callback([&g, &rc, a] { rc = cmd_issue_dev(g, *a); });
}

template void add_pki_commands<CLI::App>(CLI::App& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
