// Leaf data encoding (version 1, see journal.hpp) and the error codes of the journal.
#include "journal/journal.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace idara::journal {
namespace {

constexpr unsigned char kVersion = 1;

void put_u64(std::string& out, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

void put_str(std::string& out, std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    out.append(s);
}

struct Reader {
    std::string_view in;
    bool ok = true;
    std::int64_t u64() {
        if (in.size() < 8) {
            ok = false;
            return 0;
        }
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
        in.remove_prefix(8);
        return static_cast<std::int64_t>(v);
    }
    std::string str() {
        if (in.size() < 4) {
            ok = false;
            return {};
        }
        std::uint32_t n = 0;
        for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
        in.remove_prefix(4);
        if (in.size() < n) {
            ok = false;
            return {};
        }
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
};

}  // namespace

std::string encode_leaf(std::int64_t leaf_index, const JournalEvent& e) {
    std::string out;
    out.reserve(1 + 8 * 4 + 12 + e.kind.size() + e.subject.size() + e.detail.size());
    out.push_back(static_cast<char>(kVersion));
    put_u64(out, leaf_index);
    put_u64(out, e.at_ms);
    put_u64(out, e.administration_id);
    put_str(out, e.kind);
    put_str(out, e.subject);
    put_u64(out, e.actor_id);
    put_str(out, e.detail);
    return out;
}

std::optional<DecodedLeaf> decode_leaf(std::string_view data) {
    if (data.empty() || static_cast<unsigned char>(data[0]) != kVersion) return std::nullopt;
    Reader r{data.substr(1)};
    DecodedLeaf d;
    d.leaf_index = r.u64();
    d.event.at_ms = r.u64();
    d.event.administration_id = r.u64();
    d.event.kind = r.str();
    d.event.subject = r.str();
    d.event.actor_id = r.u64();
    d.event.detail = r.str();
    if (!r.ok || !r.in.empty()) return std::nullopt;
    return d;
}

std::string detail_json(std::vector<std::pair<std::string, DetailValue>> fields) {
    std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(',');
        out += boost::json::serialize(boost::json::value(fields[i].first));
        out.push_back(':');
        if (const auto* n = std::get_if<std::int64_t>(&fields[i].second)) out += std::to_string(*n);
        else out += boost::json::serialize(boost::json::value(std::get<std::string>(fields[i].second)));
    }
    out.push_back('}');
    return out;
}

std::string_view fault_name(Fault f) {
    switch (f) {
        case Fault::none: return "none";
        case Fault::altered: return "altered";
        case Fault::deleted: return "deleted";
        case Fault::reordered: return "reordered";
        case Fault::sth_mismatch: return "sth_mismatch";
        case Fault::bad_signature: return "bad_signature";
    }
    return "none";
}

}  // namespace idara::journal
