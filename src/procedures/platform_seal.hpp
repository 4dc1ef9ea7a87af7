// The platform's seal on documents idara itself issues to applicants (payment receipts,
// questionnaire reports): the keys of administration 0 in the KeyStore ("IDARA"), made on first
// need, as an invisible PAdES signature that pdfsig and `openssl cms` verify.
// Errors: trust.* (keys, signing), storage.*.
// Thread-safety: as the KeyStore and the Database.
#pragma once

#include "core/error.hpp"

#include <string>

namespace idara::storage {
class Database;
}
namespace idara::trust {
class KeyStore;
}

namespace idara::procedures {

// `pdf` sealed in the signature field `field` with `reason` (e.g. "Payment receipt 1f2e…").
Result<std::string> seal_as_platform(storage::Database& db, trust::KeyStore& keys, const std::string& pdf,
                                     const std::string& field, const std::string& reason);

}  // namespace idara::procedures
