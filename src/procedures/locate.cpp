// Positions in a JSON text for messages about procedure files (procedure.hpp: locate()).
//
// Boost.JSON's basic_parser reports values but not where they are. Fed one byte at a time, every
// event happens while the parser consumes a known byte, which gives the position of each value
// start; that is all a message needs, and files are at most 1 MiB.
#include "procedures/json_text.hpp"
#include "procedures/procedure.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <vector>

namespace idara::procedures {
namespace {

// The segments of an RFC 6901 pointer ("/a/0/b~1c" -> a, 0, b/c).
std::vector<std::string> segments(std::string_view pointer) {
    std::vector<std::string> out;
    if (pointer.empty()) return out;
    std::size_t i = pointer.front() == '/' ? 1 : 0;
    std::string cur;
    for (; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            out.push_back(cur);
            cur.clear();
        } else if (pointer[i] == '~' && i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
            cur += pointer[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            cur += pointer[i];
        }
    }
    return out;
}

struct Frame {
    bool object = false;
    std::string key;        // object: the key of the value being read
    std::size_t index = 0;  // array: the index of the next value
};

// Records, for the target path and each of its prefixes, where its value starts.
struct Tracker {
    std::vector<std::string> target;
    std::vector<Frame> stack;
    std::size_t pos = 0;            // offset of the byte being consumed
    std::size_t best_depth = 0;     // longest prefix of target found so far
    std::size_t best_pos = 0;
    bool found_any = false;
    bool in_string = false, in_number = false, in_key = false;

    void value_begin(std::size_t at) {
        // The path of the value starting now: the stack's keys/indexes.
        std::size_t depth = 0;
        bool match = stack.size() <= target.size();
        for (std::size_t i = 0; match && i < stack.size(); ++i) {
            const auto& f = stack[i];
            const std::string seg = f.object ? f.key : std::to_string(f.index);
            if (seg != target[i]) match = false;
            else ++depth;
        }
        if (match && (!found_any || depth >= best_depth)) {
            best_depth = depth;
            best_pos = at;
            found_any = true;
        }
    }
    void value_end() {
        if (!stack.empty() && !stack.back().object) ++stack.back().index;
    }
};

class Handler {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    Tracker t;

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) {
        t.value_begin(t.pos);
        t.stack.push_back({true, {}, 0});
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code&) {
        t.stack.pop_back();
        t.value_end();
        return true;
    }
    bool on_array_begin(boost::system::error_code&) {
        t.value_begin(t.pos);
        t.stack.push_back({false, {}, 0});
        return true;
    }
    bool on_array_end(std::size_t, boost::system::error_code&) {
        t.stack.pop_back();
        t.value_end();
        return true;
    }
    bool on_key_part(std::string_view s, std::size_t, boost::system::error_code&) {
        if (!t.in_key) t.stack.back().key.clear();
        t.in_key = true;
        t.stack.back().key += s;
        return true;
    }
    bool on_key(std::string_view s, std::size_t, boost::system::error_code&) {
        if (!t.in_key) t.stack.back().key.clear();
        t.stack.back().key += s;
        t.in_key = false;
        return true;
    }
    bool on_string_part(std::string_view, std::size_t, boost::system::error_code&) {
        // Fed one byte at a time, the first part comes with the first character after the quote.
        if (!t.in_string) t.value_begin(t.pos > 0 ? t.pos - 1 : 0);
        t.in_string = true;
        return true;
    }
    bool on_string(std::string_view s, std::size_t, boost::system::error_code&) {
        if (!t.in_string) t.value_begin(t.pos >= s.size() + 1 ? t.pos - s.size() - 1 : 0);
        t.in_string = false;
        t.value_end();
        return true;
    }
    bool on_number_part(std::string_view, boost::system::error_code&) {
        if (!t.in_number) t.value_begin(t.pos);
        t.in_number = true;
        return true;
    }
    bool number_done(std::string_view s) {
        if (!t.in_number) t.value_begin(t.pos >= s.size() ? t.pos - s.size() : 0);
        t.in_number = false;
        t.value_end();
        return true;
    }
    bool on_int64(std::int64_t, std::string_view s, boost::system::error_code&) { return number_done(s); }
    bool on_uint64(std::uint64_t, std::string_view s, boost::system::error_code&) { return number_done(s); }
    bool on_double(double, std::string_view s, boost::system::error_code&) { return number_done(s); }
    bool on_bool(bool b, boost::system::error_code&) {
        const std::size_t len = b ? 4 : 5;
        t.value_begin(t.pos + 1 >= len ? t.pos + 1 - len : 0);
        t.value_end();
        return true;
    }
    bool on_null(boost::system::error_code&) {
        t.value_begin(t.pos + 1 >= 4 ? t.pos - 3 : 0);
        t.value_end();
        return true;
    }
    bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_comment(std::string_view, boost::system::error_code&) { return true; }
};

// Feeds `text` byte by byte; returns the offset where parsing failed (npos when it did not).
std::size_t feed(boost::json::basic_parser<Handler>& p, std::string_view text, boost::system::error_code& ec) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        p.handler().t.pos = i;
        p.write_some(true, text.data() + i, 1, ec);
        if (ec) return i;
    }
    p.handler().t.pos = text.size();
    p.write_some(false, nullptr, 0, ec);
    if (ec) return text.size();
    return std::string_view::npos;
}

}  // namespace

std::string pointer_segment(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

Position position_of(std::string_view text, std::size_t offset) {
    Position p;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

Position locate(std::string_view text, std::string_view pointer) {
    boost::json::basic_parser<Handler> p(boost::json::parse_options{});
    p.handler().t.target = segments(pointer);
    boost::system::error_code ec;
    feed(p, text, ec);
    const auto& t = p.handler().t;
    return t.found_any ? position_of(text, t.best_pos) : Position{};
}

Result<boost::json::value> parse_json_located(std::string_view text, std::string_view file_name) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (!ec) return v;
    boost::json::basic_parser<Handler> p(boost::json::parse_options{});
    boost::system::error_code ec2;
    const std::size_t at = feed(p, text, ec2);
    const Position pos = position_of(text, at == std::string_view::npos ? text.size() : at);
    return Error{"procedure.invalid", 400,
                 std::string(file_name) + ": line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                     ": not valid JSON (" + (ec2 ? ec2.message() : ec.message()) + ")"};
}

}  // namespace idara::procedures
