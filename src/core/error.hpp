// The one error model of idara.
//
// Every operation that the outside world can make fail returns Result<T>:
// either a value or an Error. An Error carries a stable, dotted machine code
// ("request.too_large"), the HTTP status it maps to, and an optional technical
// detail for logs. The user-facing message is never built in C++: it is looked
// up in the message catalogues (web/i18n/*.json) under "error.<code>", in Arabic
// and French, when the error is rendered (see i18n.hpp and api/error_json.hpp).
//
// Exceptions are used only at start-up and configuration loading.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace idara {

struct Error {
    std::string code;    // stable code, catalogue key suffix: "error." + code
    int status = 500;    // HTTP status the code maps to
    std::string detail;  // technical detail for logs only; never shown to users

    Error() = default;
    Error(std::string c, int s, std::string d = {}) : code(std::move(c)), status(s), detail(std::move(d)) {}
};

// Thrown by Result<T>::value() on an error; carries the Error.
class ErrorException : public std::exception {
public:
    explicit ErrorException(Error e) : error_(std::move(e)), what_(error_.code + ": " + error_.detail) {}
    const char* what() const noexcept override { return what_.c_str(); }
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
    std::string what_;
};

[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw ErrorException(e);
}

template <class T>
using Result = boost::system::result<T, Error>;
using Status = Result<void>;

// Common errors, so the same code is never spelled two ways.
namespace errors {
inline Error bad_request(std::string detail = {}) { return {"request.invalid", 400, std::move(detail)}; }
inline Error malformed_json(std::string detail = {}) { return {"request.malformed_json", 400, std::move(detail)}; }
inline Error too_large(std::string detail = {}) { return {"request.too_large", 413, std::move(detail)}; }
inline Error unsupported_media(std::string detail = {}) { return {"request.unsupported_media_type", 415, std::move(detail)}; }
inline Error unauthenticated(std::string detail = {}) { return {"auth.required", 401, std::move(detail)}; }
inline Error forbidden(std::string detail = {}) { return {"auth.forbidden", 403, std::move(detail)}; }
inline Error not_found(std::string detail = {}) { return {"resource.not_found", 404, std::move(detail)}; }
inline Error method_not_allowed(std::string detail = {}) { return {"request.method_not_allowed", 405, std::move(detail)}; }
inline Error conflict(std::string detail = {}) { return {"resource.conflict", 409, std::move(detail)}; }
inline Error csrf(std::string detail = {}) { return {"auth.csrf", 403, std::move(detail)}; }
inline Error rate_limited(std::string detail = {}) { return {"auth.rate_limited", 429, std::move(detail)}; }
inline Error unavailable(std::string detail = {}) { return {"service.unavailable", 503, std::move(detail)}; }
inline Error internal(std::string detail = {}) { return {"internal", 500, std::move(detail)}; }
}  // namespace errors

}  // namespace idara
