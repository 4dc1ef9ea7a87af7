// Shared by pki.cpp and pki_crl.cpp (not a public header).
#pragma once

#include "core/clock.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"
#include "trust/pki.hpp"

#include <sodium.h>

namespace idara::trust::pki_detail {

struct Impl {
    storage::Database& db;
    KeyStore& keys;
    PkiOptions options;
    const Clock& clock;
};

// Wipes a string holding secret bytes when it goes out of scope.
struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
};

}  // namespace idara::trust::pki_detail

namespace idara::trust::pki_detail {

Status revoke(Impl& p, storage::Tx& tx, std::string_view cert_sha256, int reason);
Result<std::string> crl_der(Impl& p, storage::Tx& tx);
Result<std::vector<CertInfo>> list(Impl& p, storage::Tx& tx);

}  // namespace idara::trust::pki_detail
