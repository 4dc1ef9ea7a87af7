// The central directory's files: the development CA, the TSA identity it issues, gateway TLS
// certificates for development, and central.toml (exchange/central.hpp).
#include "exchange/central_store.hpp"
#include "exchange/files.hpp"
#include "exchange/gateway_config.hpp"

#include "exchange/ids.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <toml++/toml.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace idara::exchange {

namespace central_detail {

namespace fs = std::filesystem;

std::string db_path(const std::string& dir) { return dir + "/central.db"; }
std::string sign_key_path(const std::string& dir) { return dir + "/central-sign.key"; }
std::string options_path(const std::string& dir) { return dir + "/central.toml"; }
std::string ca_key_path(const std::string& dir) { return dir + "/ca/ca.key"; }
std::string ca_cert_path(const std::string& dir) { return dir + "/ca/ca.crt"; }
std::string tsa_key_path(const std::string& dir) { return dir + "/tsa/tsa.key"; }
std::string tsa_cert_path(const std::string& dir) { return dir + "/tsa/tsa.crt"; }

Error config_error(std::string detail) { return Error{"exchange.central_config", 500, std::move(detail)}; }
Error bad_registration(std::string detail) { return Error{"exchange.bad_registration", 400, std::move(detail)}; }

namespace {

constexpr std::size_t kMaxPemBytes = 64 * 1024;
constexpr long kDay = 24L * 3600;

struct BioFree {
    void operator()(BIO* b) const { BIO_free_all(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string key_to_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    std::string out(data, static_cast<std::size_t>(n));
    OPENSSL_cleanse(data, static_cast<std::size_t>(n));
    return out;
}

// A private key in PEM (PKCS#8 or traditional); null when it is not one.
trust::PkeyPtr key_from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    trust::PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) ERR_clear_error();
    return key;
}

// A public key in PEM (SubjectPublicKeyInfo); null when it is not one.
trust::PkeyPtr pubkey_from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    trust::PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) ERR_clear_error();
    return key;
}

Result<trust::PkeyPtr> load_key(const std::string& path) {
    auto text = read_small_file(path, kMaxPemBytes);
    if (!text) return text.error();
    auto key = key_from_pem(*text);
    OPENSSL_cleanse(text->data(), text->size());
    if (!key) return config_error(path + ": not a PEM private key");
    return key;
}

Result<trust::X509Ptr> load_cert(const std::string& path) {
    auto text = read_small_file(path, kMaxPemBytes);
    if (!text) return text.error();
    auto cert = trust::cert_from_pem(*text);
    if (!cert) return config_error(path + ": not a PEM certificate");
    return cert;
}

// Writes key then certificate: a directory holding a certificate holds its key.
Status save_pair(const std::string& key_path, const std::string& cert_path, EVP_PKEY* key, X509* cert) {
    std::error_code ec;
    fs::create_directories(fs::path(key_path).parent_path(), ec);
    if (ec) return config_error("cannot create " + fs::path(key_path).parent_path().string() + ": " + ec.message());
    std::string pem = key_to_pem(key);
    if (pem.empty()) return config_error("key serialisation failed");
    auto s = write_file_atomic(key_path, pem, true);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!s) return s;
    return write_file_atomic(cert_path, trust::to_pem(cert), false);
}

Result<bool> ensure_ca(const std::string& dir) {
    if (fs::exists(ca_cert_path(dir))) {
        if (!fs::exists(ca_key_path(dir))) return config_error(ca_key_path(dir) + " is missing beside its certificate");
        return false;
    }
    trust::CertProfile p;
    p.common_name = kCaName;
    p.organisation = "idara exchange";
    p.ca = true;
    p.validity_s = 10 * 365 * kDay;
    trust::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    auto cert = key ? trust::issue_certificate(key.get(), key.get(), nullptr, p) : nullptr;
    if (!cert) {
        ERR_clear_error();
        return config_error("CA key or certificate could not be made");
    }
    if (auto s = save_pair(ca_key_path(dir), ca_cert_path(dir), key.get(), cert.get()); !s) return s.error();
    return true;
}

Status ensure_tsa(const std::string& dir, bool renew) {
    if (!renew && fs::exists(tsa_cert_path(dir))) {
        if (!fs::exists(tsa_key_path(dir))) return config_error(tsa_key_path(dir) + " is missing beside its certificate");
        return {};
    }
    auto ca = load_ca(dir);
    if (!ca) return ca.error();
    trust::CertProfile p;
    p.common_name = "idara exchange time-stamping authority";
    p.organisation = "idara exchange";
    p.key_usage = "critical,digitalSignature,nonRepudiation";
    p.ext_key_usage = "critical,timeStamping";
    p.validity_s = 5 * 365 * kDay;
    auto id = trust::issue_identity(ca->key.get(), ca->cert.get(), p);
    if (!id) return id.error();
    return save_pair(tsa_key_path(dir), tsa_cert_path(dir), id->key.get(), id->cert.get());
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

bool is_ip(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool valid_dns_name(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    for (char ch : h)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') return false;
    return h.front() != '.' && h.front() != '-';
}

}  // namespace

Result<trust::RootCa> load_ca(const std::string& dir) {
    trust::RootCa ca;
    auto key = load_key(ca_key_path(dir));
    if (!key) return key.error();
    auto cert = load_cert(ca_cert_path(dir));
    if (!cert) return cert.error();
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
        ERR_clear_error();
        return config_error("ca/ca.key does not match ca/ca.crt");
    }
    ca.key = std::move(*key);
    ca.cert = std::move(*cert);
    return ca;
}

Result<trust::SigningIdentity> load_tsa(const std::string& dir) {
    trust::SigningIdentity id;
    auto key = load_key(tsa_key_path(dir));
    if (!key) return key.error();
    auto cert = load_cert(tsa_cert_path(dir));
    if (!cert) return cert.error();
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
        ERR_clear_error();
        return config_error("tsa/tsa.key does not match tsa/tsa.crt");
    }
    id.key = std::move(*key);
    id.cert = std::move(*cert);
    return id;
}

Status ensure_ca_and_tsa(const std::string& dir) {
    auto created = ensure_ca(dir);
    if (!created) return created.error();
    return ensure_tsa(dir, *created);
}

Status check_issued_by(X509* cert, X509* ca, std::int64_t now_ms) {
    if (cert == nullptr || ca == nullptr) return bad_registration("no certificate");
    if (X509_check_ca(cert) != 0) return bad_registration("a CA certificate cannot be a gateway certificate");
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) {
        ERR_clear_error();
        return errors::internal("X509_STORE setup");
    }
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now_ms / 1000));
    if (X509_verify_cert(ctx.get()) != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        ERR_clear_error();
        return bad_registration(std::string("certificate does not chain to the central CA: ") +
                                X509_verify_cert_error_string(err));
    }
    return {};
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return config_error(path + ": " + ec.message());
    if (size > max_bytes) return config_error(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in) return config_error(path + ": cannot be read");
    return ss.str();
}

Status write_file_atomic(const std::string& path, std::string_view content, bool secret) {
    std::string why;
    if (!files::write_atomic(path, content, secret, why)) return config_error("cannot write " + path + ": " + why);
    return {};
}

bool split_host_port(std::string_view s, std::string& host, std::uint16_t& port, bool allow_port_zero) {
    auto hp = parse_host_port(s);
    if (!hp || (hp->port == 0 && !allow_port_zero)) return false;
    // The central is stricter about hosts than gateway.toml: a bracketed literal must be an IP address,
    // and a name may not start with '.' or '-'.
    if (s.front() == '[' ? !is_ip(hp->host) : !valid_dns_name(hp->host)) return false;
    host = std::move(hp->host);
    port = hp->port;
    return true;
}

Status validate_options(const CentralOptions& o) {
    if (!valid_part(o.instance)) return config_error("instance: not a valid identifier part");
    std::string host;
    std::uint16_t port = 0;
    if (!split_host_port(o.listen, host, port)) return config_error("listen: expected host:port");
    if (o.conf_validity_seconds < 1 || o.conf_validity_seconds > 30L * kDay)
        return config_error("conf_validity_seconds: between 1 and 2592000");
    if (!o.tsa_url.empty() && (o.tsa_url.size() > 2048 || (o.tsa_url.rfind("http://", 0) != 0 &&
                                                             o.tsa_url.rfind("https://", 0) != 0)))
        return config_error("tsa_url: an http:// or https:// URL");
    return {};
}

Status write_options(const std::string& dir, const CentralOptions& o) {
    toml::table t{{"instance", o.instance},
                  {"listen", o.listen},
                  {"conf_validity_seconds", o.conf_validity_seconds},
                  {"tsa_url", o.tsa_url}};
    std::ostringstream out;
    out << "# The central registry of the exchange layer (idara exchange central init).\n" << t << "\n";
    return write_file_atomic(options_path(dir), out.str(), false);
}

}  // namespace central_detail

using namespace central_detail;

Result<CentralOptions> load_central_options(const std::string& dir) {
    auto text = read_small_file(options_path(dir), 64 * 1024);
    if (!text) return text.error();
    CentralOptions o;
    try {
        const toml::table t = toml::parse(*text);
        for (const auto& [key, node] : t) {
            const std::string k(key.str());
            if (k == "instance" || k == "listen" || k == "tsa_url") {
                auto v = node.value<std::string>();
                if (!v) return config_error("central.toml: " + k + " must be a string");
                (k == "instance" ? o.instance : k == "listen" ? o.listen : o.tsa_url) = *v;
            } else if (k == "conf_validity_seconds") {
                auto v = node.value<std::int64_t>();
                if (!v || !node.is_integer()) return config_error("central.toml: conf_validity_seconds must be an integer");
                o.conf_validity_seconds = *v;
            } else {
                return config_error("central.toml: unknown key '" + k + "'");
            }
        }
    } catch (const toml::parse_error& e) {
        return config_error("central.toml: line " + std::to_string(e.source().begin.line) + ": " +
                            std::string(e.description()));
    }
    if (auto s = validate_options(o); !s) return s.error();
    return o;
}

Result<std::string> issue_dev_gateway_cert(const std::string& central_dir, const std::string& key_pem,
                                           const std::string& common_name, const std::string& host) {
    if (common_name.empty() || common_name.size() > 64) return bad_registration("common name: 1 to 64 characters");
    const bool ip = is_ip(host);
    if (!ip && !valid_dns_name(host)) return bad_registration("host: an IP address or a DNS name");
    auto ca = load_ca(central_dir);
    if (!ca) return ca.error();
    if (key_pem.size() > kMaxPemBytes) return bad_registration("key: too large");
    trust::PkeyPtr key = key_from_pem(key_pem);
    if (!key) key = pubkey_from_pem(key_pem);
    if (!key) return bad_registration("key: not a PEM private or public key");
    trust::CertProfile p;
    p.common_name = common_name;
    p.organisation = "idara exchange";
    p.key_usage = "critical,digitalSignature";
    p.ext_key_usage = "serverAuth,clientAuth";
    p.validity_s = 2 * 365 * kDay;
    auto cert = trust::issue_certificate(key.get(), ca->key.get(), ca->cert.get(), p);
    // issue_certificate has no subjectAltName: add it and sign again.
    if (!cert || !add_ext(cert.get(), ca->cert.get(), NID_subject_alt_name, (ip ? "IP:" : "DNS:") + host) ||
        X509_sign(cert.get(), ca->key.get(), EVP_sha256()) == 0) {
        ERR_clear_error();
        return config_error("gateway certificate could not be issued");
    }
    return trust::to_pem(cert.get());
}

}  // namespace idara::exchange
