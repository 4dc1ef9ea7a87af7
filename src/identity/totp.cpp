// identity::TotpService: TOTP enrolment, verification with replay protection and
// throttling, and re-authentication (see totp.hpp).
#include "identity/totp.hpp"

#include "core/log.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <mutex>

namespace idara::identity {

using storage::Tx;

namespace {

constexpr int kDigits = 6;
constexpr std::int64_t kStepSeconds = 30;
constexpr std::size_t kSecretBytes = 20;

Error reauth_failed() { return Error{"identity.reauth_failed", 401}; }
Error not_enrolled() { return Error{"identity.totp_not_enrolled", 403}; }
Error throttled() { return Error{"identity.throttled", 429}; }
Error key_error(std::string d) { return Error{"identity.totp_key", 500, std::move(d)}; }

void init_oath() {
    static std::once_flag once;
    std::call_once(once, [] { oath_init(); });
}

std::string seal(const SecretKey& k, std::span<const unsigned char> plain) {
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(o, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(o + crypto_secretbox_NONCEBYTES, plain.data(), plain.size(), o, k.data());
    return out;
}

Result<std::vector<unsigned char>> open_sealed(const SecretKey& k, const std::string& c) {
    if (c.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return key_error("sealed secret too short");
    const auto* in = reinterpret_cast<const unsigned char*>(c.data());
    std::vector<unsigned char> plain(c.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES);
    if (crypto_secretbox_open_easy(plain.data(), in + crypto_secretbox_NONCEBYTES, c.size() - crypto_secretbox_NONCEBYTES,
                                   in, k.data()) != 0)
        return key_error("the TOTP secret does not open with this master key");
    return plain;
}

// A well-formed code: exactly six ASCII digits (spaces, as apps show "123 456", are dropped).
std::optional<std::string> normalize_code(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (c == ' ') continue;
        if (c < '0' || c > '9' || out.size() >= kDigits) return std::nullopt;
        out += c;
    }
    if (out.size() != kDigits) return std::nullopt;
    return out;
}

struct Stored {
    std::vector<unsigned char> secret;  // wiped when dropped
    bool confirmed = false;
    std::int64_t last_step = -1;
    Stored(std::vector<unsigned char> s, bool c, std::int64_t l) : secret(std::move(s)), confirmed(c), last_step(l) {}
    Stored(const Stored&) = delete;
    Stored& operator=(const Stored&) = delete;
    Stored(Stored&& o) noexcept : secret(std::move(o.secret)), confirmed(o.confirmed), last_step(o.last_step) {}
    ~Stored() { sodium_memzero(secret.data(), secret.size()); }
};

}  // namespace

std::string totp_code(std::span<const unsigned char> secret, std::int64_t unix_seconds, int digits) {
    init_oath();
    char out[16] = {};
    const int rc = oath_totp_generate(reinterpret_cast<const char*>(secret.data()), secret.size(),
                                      static_cast<time_t>(unix_seconds), kStepSeconds, 0,
                                      static_cast<unsigned>(digits), out);
    if (rc != OATH_OK) return {};
    return out;
}

std::string base32_encode(std::span<const unsigned char> bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
    return out;
}

Result<std::vector<unsigned char>> base32_decode(std::string_view text) {
    std::vector<unsigned char> out;
    unsigned buffer = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        if (padding) return errors::bad_request("base32: data after padding");
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a';
        else if (c >= '2' && c <= '7') v = c - '2' + 26;
        else return errors::bad_request("base32: invalid character");
        buffer = ((buffer << 5) | static_cast<unsigned>(v)) & 0xFFFu;
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<unsigned char>((buffer >> (bits - 8)) & 0xFF));
            bits -= 8;
        }
    }
    return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
    auto pct = [](std::string_view s) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : s) {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                c == '_' || c == '~' || c == '@') {
                out += static_cast<char>(c);
            } else {
                out += '%';
                out += kHex[c >> 4];
                out += kHex[c & 15];
            }
        }
        return out;
    };
    return "otpauth://totp/" + pct(issuer) + ":" + pct(account) + "?secret=" + std::string(secret_base32) +
           "&issuer=" + pct(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

struct TotpService::Impl {
    Impl(storage::Database& d, Service& i, const SecretKey& m, TotpOptions o, const Clock& c)
        : db(d), identity(i), master(m), opts(std::move(o)), clock(c), throttle(opts.throttle, c) {}
    ~Impl() { sodium_memzero(master.data(), master.size()); }
    storage::Database& db;
    Service& identity;
    SecretKey master;
    TotpOptions opts;
    const Clock& clock;
    LoginThrottle throttle;

    std::string key(std::int64_t account_id) const { return "totp:" + std::to_string(account_id); }

    Result<std::optional<Stored>> load(std::int64_t account_id) {
        auto row = db.read<std::optional<storage::Row>>([&](Tx& tx) {
            return tx.query_one("SELECT secret_sealed, confirmed_at, last_step FROM totp_secrets WHERE account_id = $1",
                                {account_id});
        });
        if (!row) return row.error();
        if (!*row) return std::optional<Stored>{};
        auto secret = open_sealed(master, (*row)->as_blob(0).bytes);
        if (!secret) return secret.error();
        return std::optional<Stored>(std::in_place, std::move(*secret), !(*row)->is_null(1), (*row)->as_int(2));
    }

    // The step (within the window) whose code matches, if any.
    std::optional<std::int64_t> matching_step(const Stored& s, const std::string& code) const {
        const std::int64_t now_step = clock.now_ms() / 1000 / kStepSeconds;
        std::optional<std::int64_t> found;
        for (std::int64_t step = now_step - opts.window; step <= now_step + opts.window; ++step) {
            const std::string expected = totp_code(s.secret, step * kStepSeconds, kDigits);
            // Every candidate is compared (no early exit), in constant time.
            if (expected.size() == code.size() && sodium_memcmp(expected.data(), code.data(), code.size()) == 0)
                found = step;
        }
        return found;
    }

    // Consumes `step` if it is later than the last accepted one (and, when `confirm`, activates
    // the pending secret). False when another request used it first.
    Result<bool> consume(std::int64_t account_id, std::int64_t step, bool confirm) {
        const std::int64_t now = clock.now_ms();
        return db.write<bool>([&](Tx& tx) -> Result<bool> {
            auto n = confirm ? tx.exec("UPDATE totp_secrets SET last_step = $1, confirmed_at = $2 "
                                       "WHERE account_id = $3 AND last_step < $1 AND confirmed_at IS NULL",
                                       {step, now, account_id})
                             : tx.exec("UPDATE totp_secrets SET last_step = $1 "
                                       "WHERE account_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
                                       {step, account_id});
            if (!n) return n.error();
            return *n == 1;
        });
    }

    // Checks a code against an active or pending secret; records failures.
    Status check_code(std::int64_t account_id, const Stored& s, std::string_view code_in, const std::string& ip,
                      bool confirm, const Error& wrong) {
        const auto code = normalize_code(code_in);
        const auto step = code ? matching_step(s, *code) : std::nullopt;
        if (step && *step > s.last_step) {
            auto ok = consume(account_id, *step, confirm);
            if (!ok) return ok.error();
            if (*ok) return {};
        }
        throttle.record_failure(key(account_id), ip);
        return wrong;
    }
};

TotpService::TotpService(storage::Database& db, Service& identity, const SecretKey& master, TotpOptions o,
                         const Clock& clock)
    : impl_(std::make_unique<Impl>(db, identity, master, std::move(o), clock)) {
    init_oath();
}

TotpService::~TotpService() = default;

Result<TotpState> TotpService::state(std::int64_t account_id) {
    return impl_->db.read<TotpState>([&](Tx& tx) -> Result<TotpState> {
        auto row = tx.query_one("SELECT confirmed_at FROM totp_secrets WHERE account_id = $1", {account_id});
        if (!row) return row.error();
        TotpState st;
        if (*row) {
            st.confirmed_at_ms = (*row)->opt_int(0);
            st.active = st.confirmed_at_ms.has_value();
            st.pending = !st.active;
        }
        return st;
    });
}

Result<TotpEnrolment> TotpService::begin_enrolment(std::int64_t account_id) {
    auto& im = *impl_;
    std::array<unsigned char, kSecretBytes> secret{};
    randombytes_buf(secret.data(), secret.size());
    const std::string sealed = seal(im.master, secret);
    const std::int64_t now = im.clock.now_ms();
    auto login = im.db.write<std::string>([&](Tx& tx) -> Result<std::string> {
        auto acc = tx.query_one("SELECT login FROM accounts WHERE id = $1 AND disabled = 0", {account_id});
        if (!acc) return acc.error();
        if (!*acc) return errors::unauthenticated("account");
        auto cur = tx.query_one("SELECT confirmed_at FROM totp_secrets WHERE account_id = $1", {account_id});
        if (!cur) return cur.error();
        if (*cur && !(*cur)->is_null(0)) return Error{"identity.totp_already_enrolled", 409};
        if (auto d = tx.exec("DELETE FROM totp_secrets WHERE account_id = $1", {account_id}); !d) return d.error();
        auto ins = tx.exec("INSERT INTO totp_secrets (account_id, secret_sealed, confirmed_at, last_step, created_at) "
                           "VALUES ($1, $2, NULL, -1, $3)",
                           {account_id, storage::Blob{sealed}, now});
        if (!ins) return ins.error();
        return (*acc)->as_text(0);
    });
    if (!login) {
        sodium_memzero(secret.data(), secret.size());
        return login.error();
    }
    TotpEnrolment e;
    e.secret_base32 = base32_encode(secret);
    e.otpauth_uri = otpauth_uri(im.opts.issuer, *login, e.secret_base32);
    sodium_memzero(secret.data(), secret.size());
    return e;
}

Status TotpService::confirm_enrolment(std::int64_t account_id, std::string_view code, const std::string& ip) {
    auto& im = *impl_;
    if (auto t = im.throttle.check(im.key(account_id), ip); !t) return throttled();
    auto s = im.load(account_id);
    if (!s) return s.error();
    if (!*s || (*s)->confirmed) return not_enrolled();
    return im.check_code(account_id, **s, code, ip, true, Error{"identity.totp_invalid_code", 400});
}

Status TotpService::disable(std::int64_t account_id, std::string_view password, const std::string& ip) {
    auto& im = *impl_;
    if (auto t = im.throttle.check(im.key(account_id), ip); !t) return throttled();
    auto st = state(account_id);
    if (!st) return st.error();
    if (!st->active && !st->pending) return not_enrolled();
    if (auto p = im.identity.check_password(account_id, password, ip); !p) {
        if (p.error().code == "auth.rate_limited") return throttled();
        if (p.error().code != "auth.invalid_credentials") return p.error();
        im.throttle.record_failure(im.key(account_id), ip);
        return reauth_failed();
    }
    return im.db.write_tx([&](Tx& tx) -> Status {
        auto d = tx.exec("DELETE FROM totp_secrets WHERE account_id = $1", {account_id});
        if (!d) return d.error();
        return {};
    });
}

Status TotpService::reauthenticate(std::int64_t account_id, std::string_view password, std::string_view totp_code_in,
                                   const std::string& ip) {
    auto& im = *impl_;
    if (auto t = im.throttle.check(im.key(account_id), ip); !t) return throttled();
    auto s = im.load(account_id);
    if (!s) return s.error();
    if (!*s || !(*s)->confirmed) return not_enrolled();
    // The password is checked even when the code is already known to be wrong, so the
    // answer's timing does not tell which factor failed.
    auto p = im.identity.check_password(account_id, password, ip);
    if (!p && p.error().code == "auth.rate_limited") return throttled();
    if (!p && p.error().code != "auth.invalid_credentials") return p.error();
    const auto code = normalize_code(totp_code_in);
    const auto step = code ? im.matching_step(**s, *code) : std::nullopt;
    if (p && step && *step > (*s)->last_step) {
        auto ok = im.consume(account_id, *step, false);
        if (!ok) return ok.error();
        if (*ok) {
            im.throttle.record_success(im.key(account_id));
            return {};
        }
    }
    im.throttle.record_failure(im.key(account_id), ip);
    log::info("identity.reauth_failed", {{"account", std::to_string(account_id)}});
    return reauth_failed();
}

Status TotpService::set_active_secret(std::int64_t account_id, std::span<const unsigned char> secret) {
    auto& im = *impl_;
    const std::string sealed = seal(im.master, secret);
    const std::int64_t now = im.clock.now_ms();
    return im.db.write_tx([&](Tx& tx) -> Status {
        if (auto d = tx.exec("DELETE FROM totp_secrets WHERE account_id = $1", {account_id}); !d) return d.error();
        auto ins = tx.exec("INSERT INTO totp_secrets (account_id, secret_sealed, confirmed_at, last_step, created_at) "
                           "VALUES ($1, $2, $3, -1, $3)",
                           {account_id, storage::Blob{sealed}, now});
        if (!ins) return ins.error();
        return {};
    });
}

}  // namespace idara::identity
