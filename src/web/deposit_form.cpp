#include "web/deposit_form.hpp"

#include "core/text_normalize.hpp"

#include "core/utf8.hpp"
#include "web/render.hpp"

#include <cstdio>

namespace idara::web {
namespace {

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::optional<std::size_t> chars(std::string_view s) { return utf8::length(s); }

}  // namespace

FieldReader request_fields(const http::Request& r) {
    if (r.method == http::Method::get || r.method == http::Method::head)
        return [&r](std::string_view n) { return r.query_param(n); };
    return [&r](std::string_view n) { return r.form(n); };
}

FieldReader multipart_fields(const std::vector<http::Part>& parts) {
    return [&parts](std::string_view n) -> std::optional<std::string> {
        for (const auto& p : parts)
            if (p.name == n && !p.filename) return p.body;
        return std::nullopt;
    };
}

DepositAnswers read_answers(const FieldReader& field) {
    auto get = [&](std::string_view n) { return field(n).value_or(""); };
    DepositAnswers a;
    a.administration = upper_ascii(text::trim(get("administration")));
    a.type = std::string(text::trim(get("type")));
    a.unit = upper_ascii(text::trim(get("unit")));
    a.subject = std::string(text::trim(get("subject")));
    std::string body;
    for (char c : get("body"))
        if (c != '\r') body += c;
    while (!body.empty() && (body.back() == ' ' || body.back() == '\n' || body.back() == '\t')) body.pop_back();
    a.body = std::move(body);
    return a;
}

std::string hidden_answer_fields(const DepositAnswers& a, std::initializer_list<std::string_view> except) {
    std::string out;
    auto add = [&](std::string_view name, const std::string& value) {
        if (value.empty()) return;
        for (auto e : except)
            if (e == name) return;
        out += "<input type=\"hidden\" name=\"";
        out += name;
        out += "\" value=\"" + html_escape(value) + "\">\n";
    };
    add("administration", a.administration);
    add("type", a.type);
    add("unit", a.unit);
    add("subject", a.subject);
    add("body", a.body);
    return out;
}

std::optional<std::string> check_subject(std::string_view subject) {
    auto n = chars(subject);
    if (!n || utf8::has_controls(subject, false)) return "web.deposit.error.subject_invalid";
    if (*n == 0) return "web.deposit.error.subject_missing";
    if (*n > 300) return "web.deposit.error.subject_too_long";
    return std::nullopt;
}

std::optional<std::string> check_body(std::string_view body) {
    auto n = chars(body);
    if (!n || utf8::has_controls(body, true)) return "web.deposit.error.body_invalid";
    if (*n > 20000) return "web.deposit.error.body_too_long";
    return std::nullopt;
}

std::optional<std::string> check_unit_code(std::string_view unit) {
    if (unit.empty()) return std::nullopt;
    if (unit.size() > 32) return "web.deposit.error.unit_invalid";
    for (char c : unit)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return "web.deposit.error.unit_invalid";
    return std::nullopt;
}

std::optional<std::string> check_depositor_name(std::string_view name) {
    auto n = chars(name);
    if (!n || utf8::has_controls(name, false)) return "web.counter.error.name_invalid";
    if (*n == 0) return "web.counter.error.name_missing";
    if (*n > 200) return "web.counter.error.name_too_long";
    return std::nullopt;
}

std::optional<std::string> check_id_number(std::string_view id) {
    if (id.empty()) return "web.counter.error.id_missing";
    if (id.size() < 4 || id.size() > 32) return "web.counter.error.id_invalid";
    for (char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return "web.counter.error.id_invalid";
    return std::nullopt;
}

std::string normalize_reference(std::string_view typed) {
    std::string out;
    for (std::size_t i = 0; i < typed.size(); ++i) {
        const auto c = static_cast<unsigned char>(typed[i]);
        // U+0660..U+0669 = D9 A0..D9 A9; U+06F0..U+06F9 = DB B0..DB B9.
        if (i + 1 < typed.size()) {
            const auto d = static_cast<unsigned char>(typed[i + 1]);
            if ((c == 0xD9 && d >= 0xA0 && d <= 0xA9) || (c == 0xDB && d >= 0xB0 && d <= 0xB9)) {
                out += static_cast<char>('0' + (d & 0x0F));
                ++i;
                continue;
            }
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
    }
    return out;
}

std::vector<UploadedFile> take_files(std::vector<http::Part>& parts, std::string_view name) {
    std::vector<UploadedFile> out;
    for (auto& p : parts) {
        if (p.name != name || !p.filename) continue;
        if (p.filename->empty() && p.body.empty()) continue;
        out.push_back({*p.filename, std::move(p.body)});
        p.body.clear();
    }
    return out;
}

std::string format_size(std::int64_t bytes) {
    char buf[32];
    if (bytes >= 1024 * 1024) {
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    } else if (bytes >= 1024) {
        std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>((bytes + 1023) / 1024));
    } else {
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    }
    return buf;
}

}  // namespace idara::web
