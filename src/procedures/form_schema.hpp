// Internal to procedures/: a compiled JSON Schema (valijson over Boost.JSON values).
// Used for procedure files (procedure.schema.json) and for the answers of a form.
// Immutable once compiled; validate() may run on any number of threads.
#pragma once

#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace idara::procedures {

struct Violation {
    std::string pointer;  // RFC 6901 pointer of the offending value ("" is the document)
    std::string reason;   // the validator's description (English; for logs and file authors)
};

class JsonSchema {
public:
    // Compiles `schema` (draft 4/6/7 keywords valijson knows; no remote $ref). A schema valijson
    // cannot use is procedure.invalid (400) with the reason as detail.
    static Result<std::shared_ptr<const JsonSchema>> compile(const boost::json::value& schema);
    ~JsonSchema();
    // The violations of `v`, deepest first (the most precise reason comes first); empty when valid.
    std::vector<Violation> validate(const boost::json::value& v) const;

private:
    JsonSchema();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::procedures
