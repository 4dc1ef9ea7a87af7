// multipart/form-data parsing and building; the contract is in multipart.hpp.
//
// Strictness choices (all refusals are request.invalid unless said otherwise):
//   - Line endings are CRLF only. A delimiter line ended by a bare LF is refused:
//     browsers, curl and every HTTP client library send CRLF, and accepting both
//     would make the end of a part body ambiguous.
//   - The delimiter (CRLF "--" boundary) must not occur inside a part (RFC 2046
//     5.1.1): its first occurrence ends the part, and what follows it must be
//     transport padding (spaces, tabs) then CRLF, or "--" for the closing one.
//   - At least one part; the preamble (before the first delimiter) and the
//     epilogue (after the closing delimiter and its CRLF) are ignored.
//   - Part headers: no folding; Content-Disposition exactly once; at most one
//     Content-Type; Content-Transfer-Encoding, if present, only 7bit/8bit/binary.
//   - In quoted-strings `\"` and `\\` are escapes; a backslash before any other
//     character is kept as is, because browsers (and old IE full paths such as
//     "C:\dir\a.pdf") send backslashes unescaped.
#include "http/multipart.hpp"
#include "http/message.hpp"

#include "core/random.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <functional>

namespace idara::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_lwsp(char c) { return c == ' ' || c == '\t'; }

// RFC 7230 tchar.
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// RFC 2046 bchars (without the space, handled by the caller: allowed but not last).
bool is_bchar_nospace(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

bool valid_boundary(std::string_view b) {
    if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
    return std::all_of(b.begin(), b.end(), [](char c) { return c == ' ' || is_bchar_nospace(c); });
}

// Well-formed UTF-8 without control characters (C0, DEL, C1).
bool valid_text(std::string_view s) { return utf8::valid(s) && !utf8::has_controls(s, false); }

struct Param {
    std::string name;  // lower-cased
    std::string value; // unquoted (quoted-string escapes resolved)
};

// Parses `*( OWS ";" OWS name OWS "=" OWS (token / quoted-string) ) [OWS ";"] OWS`.
// Returns false on any syntax error.
bool parse_params(std::string_view s, std::vector<Param>& out) {
    std::size_t i = 0;
    auto skip_ws = [&] { while (i < s.size() && is_lwsp(s[i])) ++i; };
    while (true) {
        skip_ws();
        if (i == s.size()) return true;
        if (s[i] != ';') return false;
        ++i;
        skip_ws();
        if (i == s.size()) return true;  // a trailing ';' is tolerated
        const std::size_t n0 = i;
        while (i < s.size() && is_tchar(s[i])) ++i;
        if (i == n0) return false;
        Param p{to_lower(s.substr(n0, i - n0)), {}};
        skip_ws();
        if (i == s.size() || s[i] != '=') return false;
        ++i;
        skip_ws();
        if (i < s.size() && s[i] == '"') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                const char c = s[i];
                if (c == '"') { closed = true; ++i; break; }
                if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
                    p.value += s[i + 1];
                    i += 2;
                    continue;
                }
                const auto u = static_cast<unsigned char>(c);
                if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
                p.value += c;
                ++i;
            }
            if (!closed) return false;
        } else {
            const std::size_t v0 = i;
            while (i < s.size() && is_tchar(s[i])) ++i;
            if (i == v0) return false;
            p.value.assign(s.substr(v0, i - v0));
        }
        if (std::any_of(out.begin(), out.end(), [&](const Param& q) { return q.name == p.name; })) return false;
        out.push_back(std::move(p));
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 5987 ext-value, UTF-8 only: UTF-8'[language]'value-chars.
std::optional<std::string> decode_ext_value(std::string_view v) {
    const auto q1 = v.find('\'');
    if (q1 == std::string_view::npos || !iequals(v.substr(0, q1), "utf-8")) return std::nullopt;
    const auto q2 = v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return std::nullopt;
    const std::string_view enc = v.substr(q2 + 1);
    std::string out;
    for (std::size_t i = 0; i < enc.size(); ++i) {
        const char c = enc[i];
        if (c == '%') {
            if (i + 2 >= enc.size()) return std::nullopt;
            const int hi = hex_value(enc[i + 1]), lo = hex_value(enc[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos) {
            out += c;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

std::string strip_path(std::string_view s) {
    const auto p = s.find_last_of("/\\");
    return std::string(p == std::string_view::npos ? s : s.substr(p + 1));
}

// "type/subtype[; params]" -> lower-cased "type/subtype"; nullopt if malformed.
std::optional<std::string> media_type(std::string_view v) {
    const std::string_view mt = trim_ows(v.substr(0, v.find(';')));
    const auto slash = mt.find('/');
    if (slash == std::string_view::npos || !is_token(mt.substr(0, slash)) || !is_token(mt.substr(slash + 1))) return std::nullopt;
    return to_lower(mt);
}

Result<std::string> boundary_of(std::string_view content_type) {
    const auto semi = content_type.find(';');
    const std::string_view mt = trim_ows(content_type.substr(0, semi));
    if (!iequals(mt, "multipart/form-data"))
        return errors::unsupported_media("multipart: media type is not multipart/form-data");
    std::vector<Param> params;
    if (semi == std::string_view::npos || !parse_params(content_type.substr(semi), params))
        return errors::unsupported_media("multipart: malformed or missing Content-Type parameters");
    for (const auto& p : params) {
        if (p.name != "boundary") continue;
        if (!valid_boundary(p.value)) return errors::unsupported_media("multipart: invalid boundary");
        return p.value;
    }
    return errors::unsupported_media("multipart: no boundary parameter");
}

// Parses one part: `content` is everything between the CRLF ending the
// delimiter line and the next delimiter.
Result<Part> parse_part(std::string_view content, const MultipartLimits& limits) {
    std::string_view headers;
    std::string_view body;
    if (content.substr(0, 2) == kCrlf) {
        body = content.substr(2);  // no header at all: refused below (no Content-Disposition)
    } else {
        const auto end = content.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (content.size() > limits.max_header_bytes) return errors::bad_request("multipart: part headers too large");
            return errors::bad_request("multipart: part headers not ended by an empty line");
        }
        if (end + 2 > limits.max_header_bytes) return errors::bad_request("multipart: part headers too large");
        headers = content.substr(0, end + 2);
        body = content.substr(end + 4);
    }
    if (body.size() > limits.max_part_bytes) return errors::too_large("multipart: part body over max_part_bytes");

    std::optional<std::string_view> disposition;
    std::optional<std::string_view> ctype;
    while (!headers.empty()) {
        const auto eol = headers.find(kCrlf);  // headers end with CRLF, so eol is found
        const std::string_view line = headers.substr(0, eol);
        headers.remove_prefix(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return errors::bad_request("multipart: malformed part header line");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_ows(line.substr(colon + 1));
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7F) return errors::bad_request("multipart: control character in a part header");
        }
        if (iequals(name, "content-disposition")) {
            if (disposition) return errors::bad_request("multipart: duplicate Content-Disposition");
            disposition = value;
        } else if (iequals(name, "content-type")) {
            if (ctype) return errors::bad_request("multipart: duplicate Content-Type");
            ctype = value;
        } else if (iequals(name, "content-transfer-encoding")) {
            if (!iequals(value, "binary") && !iequals(value, "8bit") && !iequals(value, "7bit"))
                return errors::bad_request("multipart: unsupported Content-Transfer-Encoding");
        }
    }
    if (!disposition) return errors::bad_request("multipart: part without Content-Disposition");

    const auto semi = disposition->find(';');
    if (!iequals(trim_ows(disposition->substr(0, semi)), "form-data"))
        return errors::bad_request("multipart: Content-Disposition is not form-data");
    std::vector<Param> params;
    if (semi != std::string_view::npos && !parse_params(disposition->substr(semi), params))
        return errors::bad_request("multipart: malformed Content-Disposition parameters");

    Part part;
    bool has_name = false;
    std::optional<std::string> filename, filename_ext;
    for (auto& p : params) {
        if (p.name == "name") {
            part.name = std::move(p.value);
            has_name = true;
        } else if (p.name == "filename") {
            filename = std::move(p.value);
        } else if (p.name == "filename*") {
            filename_ext = decode_ext_value(p.value);
            if (!filename_ext) return errors::bad_request("multipart: malformed filename* parameter");
        }
    }
    if (!has_name || part.name.empty()) return errors::bad_request("multipart: part without a name");
    if (!valid_text(part.name)) return errors::bad_request("multipart: part name is not UTF-8 text");
    if (filename_ext) filename = std::move(filename_ext);
    if (filename) {
        if (!valid_text(*filename)) return errors::bad_request("multipart: file name is not UTF-8 text");
        part.filename = strip_path(*filename);
    }
    if (ctype) {
        auto mt = media_type(*ctype);
        if (!mt) return errors::bad_request("multipart: malformed part Content-Type");
        part.content_type = std::move(*mt);
    } else {
        part.content_type = part.filename ? "application/octet-stream" : "text/plain";
    }
    part.body.assign(body);
    return part;
}

// After a delimiter: transport padding, then CRLF (another part follows) or
// "--" (closing; then padding and CRLF or the end). Advances pos past it.
enum class After { part, close, bad };
After after_delimiter(std::string_view body, std::size_t& pos) {
    if (body.substr(pos, 2) == "--") {
        pos += 2;
        while (pos < body.size() && is_lwsp(body[pos])) ++pos;
        return (pos == body.size() || body.substr(pos, 2) == kCrlf) ? After::close : After::bad;
    }
    while (pos < body.size() && is_lwsp(body[pos])) ++pos;
    if (body.substr(pos, 2) != kCrlf) return After::bad;
    pos += 2;
    return After::part;
}

}  // namespace

Result<std::vector<Part>> parse_multipart(std::string_view content_type, std::string_view body,
                                          const MultipartLimits& limits) {
    auto boundary = boundary_of(content_type);
    if (!boundary) return boundary.error();
    const std::string dash = "--" + *boundary;
    const std::string delim = "\r\n" + dash;
    const std::boyer_moore_horspool_searcher searcher(delim.begin(), delim.end());
    auto find_delim = [&](std::size_t from) -> std::size_t {
        const auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(from), body.end(), searcher);
        return it == body.end() ? std::string_view::npos : static_cast<std::size_t>(it - body.begin());
    };

    std::size_t pos = 0;
    if (body.substr(0, dash.size()) == dash) {
        pos = dash.size();
    } else {
        const auto first = find_delim(0);
        if (first == std::string_view::npos) return errors::bad_request("multipart: no opening delimiter");
        pos = first + delim.size();
    }

    std::vector<Part> parts;
    while (true) {
        const After a = after_delimiter(body, pos);
        if (a == After::bad) return errors::bad_request("multipart: malformed delimiter line (CRLF required)");
        if (a == After::close) {
            if (parts.empty()) return errors::bad_request("multipart: no part");
            return parts;
        }
        if (parts.size() == limits.max_parts) return errors::bad_request("multipart: more parts than max_parts");
        const auto next = find_delim(pos);
        if (next == std::string_view::npos) return errors::bad_request("multipart: missing closing delimiter");
        auto part = parse_part(body.substr(pos, next - pos), limits);
        if (!part) return part.error();
        parts.push_back(std::move(*part));
        pos = next + delim.size();
    }
}

namespace {

// A quoted-string for a Content-Disposition parameter: `"` and `\` escaped with
// a backslash; CR and LF (never in parsed names) percent-encoded as browsers do.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else out += c;
    }
    return out + "\"";
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

MultipartBody build_multipart(const std::vector<Part>& parts) {
    std::string boundary;
    while (true) {
        boundary = "idara-" + random::hex_token(16);
        const std::string dash = "--" + boundary;
        const bool clash = std::any_of(parts.begin(), parts.end(), [&](const Part& p) {
            return contains(p.body, dash) || contains(p.name, dash) || (p.filename && contains(*p.filename, dash)) ||
                   contains(p.content_type, dash);
        });
        if (!clash) break;
    }
    std::string body;
    for (const auto& p : parts) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=" + quote(p.name);
        if (p.filename) body += "; filename=" + quote(*p.filename);
        body += "\r\n";
        if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
        body += "\r\n";
        body += p.body;
        body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

}  // namespace idara::http
