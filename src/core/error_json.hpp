// Renders an Error as the one JSON error shape of the API:
//   {"error":{"code":"...","message":{"ar":"...","fr":"..."}}}
// Messages come from the catalogues ("error.<code>"); the technical detail is
// never included (it goes to the log).
#pragma once

#include "core/error.hpp"

#include <string>

namespace idara {

std::string error_json(const Error& e);

}  // namespace idara
