// Internal to the storage implementations: runs a transaction callback and
// turns an escaping exception into an Error, so both backends roll back the
// same way whatever the callback does.
#pragma once

#include "storage/db.hpp"

namespace idara::storage::detail {

Status run_guarded(const std::function<Status(Tx&)>& fn, Tx& tx);

}  // namespace idara::storage::detail
