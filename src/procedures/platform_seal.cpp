// The platform's seal (platform_seal.hpp).
#include "procedures/platform_seal.hpp"

#include "storage/db.hpp"
#include "trust/key_store.hpp"
#include "trust/pades.hpp"

#include <memory>

namespace idara::procedures {

Result<std::string> seal_as_platform(storage::Database& db, trust::KeyStore& keys, const std::string& pdf,
                                     const std::string& field, const std::string& reason) {
    auto k = db.read<std::shared_ptr<const trust::SealKeys>>([&](storage::Tx& tx) { return keys.keys_for(tx, 0); });
    if (!k && k.error().code == "trust.no_keys")
        k = db.write<std::shared_ptr<const trust::SealKeys>>([&](storage::Tx& tx) -> Result<std::shared_ptr<const trust::SealKeys>> {
            if (auto s = keys.ensure_keys(tx, 0, "IDARA", "idara"); !s) return s.error();
            return keys.keys_for(tx, 0);
        });
    if (!k) return k.error();
    trust::SealOptions o;
    o.field_name = field;
    o.reason = reason;
    o.location = "Morocco";
    return trust::seal_pdf(pdf, (*k)->identity, o);
}

}  // namespace idara::procedures
