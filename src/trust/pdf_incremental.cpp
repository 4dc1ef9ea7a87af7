#include "trust/pdf_incremental.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

namespace idara::trust::incremental {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }

std::string random_id() {
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    static const char* hex = "0123456789ABCDEF";
    std::string out = "<";
    for (unsigned char c : b) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out + ">";
}

void put_be(std::string& out, std::size_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

Result<std::size_t> last_startxref(std::string_view pdf, bool& is_stream) {
    const Error damaged{"trust.sign_input", 400, "no usable startxref"};
    const auto at = pdf.rfind("startxref");
    if (at == std::string_view::npos) return damaged;
    std::size_t i = at + 9;
    while (i < pdf.size() && is_space(pdf[i])) ++i;
    std::size_t off = 0;
    const std::size_t digits = i;
    while (i < pdf.size() && pdf[i] >= '0' && pdf[i] <= '9' && i - digits < 12) off = off * 10 + (pdf[i++] - '0');
    if (i == digits || off >= at) return damaged;
    if (pdf.substr(off, 4) == "xref") {
        is_stream = false;
        return off;
    }
    // "n g obj" … /Type /XRef
    std::size_t j = off;
    auto number = [&] {
        const std::size_t s = j;
        while (j < pdf.size() && pdf[j] >= '0' && pdf[j] <= '9') ++j;
        return j > s;
    };
    auto spaces = [&] {
        const std::size_t s = j;
        while (j < pdf.size() && is_space(pdf[j])) ++j;
        return j > s;
    };
    if (!(number() && spaces() && number() && spaces() && pdf.substr(j, 3) == "obj")) return damaged;
    const auto head = pdf.substr(j, 512);
    if (head.find("/XRef") == std::string_view::npos) return damaged;
    is_stream = true;
    return off;
}

Update append(std::string_view pdf, const Base& base, const std::vector<Object>& objects) {
    Update u;
    u.pdf.reserve(pdf.size() + 4096);
    u.pdf.assign(pdf);
    if (!u.pdf.empty() && u.pdf.back() != '\n' && u.pdf.back() != '\r') u.pdf += '\n';
    int next = base.size;
    std::vector<std::pair<int, std::pair<std::size_t, int>>> entries;  // id -> offset, gen
    for (const auto& o : objects) {
        u.offsets.push_back(u.pdf.size());
        entries.push_back({o.id, {u.pdf.size(), o.gen}});
        u.pdf += std::to_string(o.id) + " " + std::to_string(o.gen) + " obj\n" + o.body + "\nendobj\n";
        next = std::max(next, o.id + 1);
    }
    const std::string id = "[" + (base.id0.empty() ? random_id() : base.id0) + " " + random_id() + "]";
    std::string trailer_keys = " /Root " + base.root;
    if (!base.info.empty()) trailer_keys += " /Info " + base.info;
    trailer_keys += " /ID " + id + " /Prev " + std::to_string(base.startxref);

    const std::size_t xref_at = u.pdf.size();
    if (base.xref_stream) entries.push_back({next, {xref_at, 0}});
    std::sort(entries.begin(), entries.end());
    // Subsections of consecutive object numbers.
    std::vector<std::pair<int, int>> runs;  // first, count
    for (const auto& e : entries) {
        if (!runs.empty() && runs.back().first + runs.back().second == e.first) ++runs.back().second;
        else runs.push_back({e.first, 1});
    }
    if (!base.xref_stream) {
        u.pdf += "xref\n";
        std::size_t k = 0;
        for (const auto& [first, count] : runs) {
            u.pdf += std::to_string(first) + " " + std::to_string(count) + "\n";
            for (int n = 0; n < count; ++n, ++k) {
                char line[32];
                std::snprintf(line, sizeof line, "%010zu %05d n\r\n", entries[k].second.first, entries[k].second.second);
                u.pdf += line;
            }
        }
        u.pdf += "trailer\n<< /Size " + std::to_string(next) + trailer_keys + " >>\n";
    } else {
        std::string data, index;
        for (const auto& [first, count] : runs) index += std::to_string(first) + " " + std::to_string(count) + " ";
        for (const auto& e : entries) {
            data += '\x01';
            put_be(data, e.second.first, 4);
            put_be(data, static_cast<std::size_t>(e.second.second), 2);
        }
        index.pop_back();
        u.pdf += std::to_string(next) + " 0 obj\n<< /Type /XRef /Size " + std::to_string(next + 1) + " /Index [" + index +
                 "] /W [1 4 2]" + trailer_keys + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
                 "\nendstream\nendobj\n";
    }
    u.pdf += "startxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
    return u;
}

}  // namespace idara::trust::incremental
