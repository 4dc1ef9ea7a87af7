// Pure helpers of the registry pages (no service calls, so they are unit-tested
// alone in tests/web/deposit_form_test.cpp).
//
// The deposit journey keeps no server-side draft: the answers of steps 1–3
// (administration, type, unit, subject, body) travel from page to page in
// hidden fields and are all validated again at the final POST. Each step reads
// them from wherever its request carries them (query string, url-encoded form
// or multipart parts) through a FieldReader.
//
// Field checks here are those that need no service (presence, length, format);
// the service validates everything again. Each check returns the catalogue key
// of its message, or nothing when the value is fine.
#pragma once

#include "http/message.hpp"
#include "http/multipart.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::web {

using FieldReader = std::function<std::optional<std::string>(std::string_view)>;

// The query string for GET (and HEAD), the url-encoded body otherwise.
FieldReader request_fields(const http::Request& r);
// The non-file parts of a multipart body (which must outlive the reader).
FieldReader multipart_fields(const std::vector<http::Part>& parts);

struct DepositAnswers {
    std::string administration;  // receiving administration code ("MEF")
    std::string type;            // deposit type code ("letter")
    std::string unit;            // receiving unit code, "" = the registry office
    std::string subject;
    std::string body;
};

// Reads the answers: codes trimmed (administration and unit upper-cased), subject
// trimmed, body with CRLF turned into LF and trailing blanks removed.
DepositAnswers read_answers(const FieldReader& field);

// <input type="hidden"> for every non-empty answer whose name is not in `except`
// ("administration", "type", "unit", "subject", "body"), values HTML-escaped.
std::string hidden_answer_fields(const DepositAnswers& a, std::initializer_list<std::string_view> except = {});

// Field checks: the catalogue key of the problem, or nullopt.
std::optional<std::string> check_subject(std::string_view subject);        // 1..300 characters, no controls
std::optional<std::string> check_body(std::string_view body);              // 0..20000 characters, no controls but newlines
std::optional<std::string> check_unit_code(std::string_view unit);         // "" or 1..32 of [A-Z0-9_-]
std::optional<std::string> check_depositor_name(std::string_view name);    // 1..200 characters, no controls
std::optional<std::string> check_id_number(std::string_view id);           // 4..32 of [A-Za-z0-9]

// A register number, tracking code or ID number as typed: trimmed, inner spaces removed,
// Arabic-Indic (U+0660..) and Eastern Arabic-Indic (U+06F0..) digits made ASCII, ASCII upper-cased.
std::string normalize_reference(std::string_view typed);

// The non-empty file parts named `name` (a file input left empty sends a part with an
// empty file name and no bytes: it is skipped). Bodies are moved out of `parts`.
struct UploadedFile {
    std::string name;
    std::string bytes;
};
std::vector<UploadedFile> take_files(std::vector<http::Part>& parts, std::string_view name);

// Milliseconds since the epoch (as the registry stores times) as sys_seconds.
inline std::chrono::sys_seconds from_ms(std::int64_t ms) {
    return std::chrono::sys_seconds(std::chrono::seconds(ms / 1000));
}

// "2.5 MB" / "120 KB" / "900 B" (the same in both languages; shown inside <bdi dir="ltr">).
std::string format_size(std::int64_t bytes);

}  // namespace idara::web
