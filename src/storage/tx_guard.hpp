// Internal to the storage implementations: what both backends do the same way.
#pragma once

#include "storage/db.hpp"

#include <optional>

namespace idara::storage::detail {

// Runs a transaction callback and turns an escaping exception into an Error,
// so both backends roll back the same way whatever the callback does.
Status run_guarded(const std::function<Status(Tx&)>& fn, Tx& tx);

// Refuses parameters one backend could not store faithfully: text holding a NUL
// byte (PostgreSQL text cannot; bytes belong in a Blob). "storage.query".
std::optional<Error> check_params(const Params& params);

// Runs the registered rollback hooks, newest first, each once, and forgets them.
void run_undo(std::vector<std::function<void()>>& undo);

}  // namespace idara::storage::detail
