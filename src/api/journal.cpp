#include "api/journal.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "identity/service.hpp"
#include "journal/journal.hpp"
#include "registry/deposit.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <optional>
#include <string>

namespace idara::api {
namespace {

constexpr std::int64_t kMaxParam = std::int64_t{1} << 53;  // exact in every JSON reader

Error bad_parameter(std::string name) { return Error{"journal.bad_parameter", 400, std::move(name)}; }

// A non-negative integer query parameter; nullopt when absent and optional.
Result<std::optional<std::int64_t>> number_param(const http::Request& req, std::string_view name, bool required) {
    auto text = req.query_param(name);
    if (!text) {
        if (required) return bad_parameter(std::string(name) + " missing");
        return std::optional<std::int64_t>{};
    }
    auto n = parse_decimal(*text);
    if (!n || *n < 0 || *n > kMaxParam) return bad_parameter(std::string(name));
    return std::optional<std::int64_t>{*n};
}

std::string b64url(std::string_view bytes) {
    if (sodium_init() < 0) return {};
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
}

boost::json::value sth_value(const journal::SignedTreeHead& s) { return boost::json::parse(journal::sth_to_json(s)); }

boost::json::array hex_array(const std::vector<journal::Hash>& v) {
    boost::json::array a;
    for (const auto& h : v) a.emplace_back(journal::to_hex(h));
    return a;
}

boost::json::object inclusion_json(const journal::InclusionProof& p, bool with_data) {
    boost::json::object o{{"leaf_index", p.leaf.leaf_index},
                          {"tree_size", p.sth.tree_size},
                          {"leaf_hash", journal::to_hex(p.leaf.hash)},
                          {"audit_path", hex_array(p.path)},
                          {"sth", sth_value(p.sth)}};
    if (with_data) {
        o["kind"] = p.leaf.kind;
        o["subject"] = p.leaf.subject;
        o["leaf_data"] = b64url(p.leaf.data);
    }
    return o;
}

}  // namespace

void register_journal(http::Router& r, JournalApi api) {
    r.get("/api/v1/journal/sth", [api](http::Request&) -> http::Response {
        auto sth = api.db.read<journal::SignedTreeHead>([&](storage::Tx& tx) { return api.journal.latest_sth(tx); });
        if (!sth) return error_response(sth.error());
        return json_no_store(200, sth_value(*sth));
    });

    r.post("/api/v1/journal/sth", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.ids);
        if (!who) return error_response(who.error());
        if (!who->is_operator() && !(who->is_staff() && who->has_role(identity::Role::admin)))
            return error_response(errors::forbidden("signing a tree head is for operators and administrators"));
        auto sth = api.journal.make_sth();
        if (!sth) return error_response(sth.error());
        return json_no_store(201, sth_value(*sth));
    });

    r.get("/api/v1/journal/proof/inclusion", [api](http::Request& req) -> http::Response {
        auto leaf = number_param(req, "leaf_index", true);
        if (!leaf) return error_response(leaf.error());
        auto size = number_param(req, "tree_size", false);
        if (!size) return error_response(size.error());
        auto proof = api.db.read<journal::InclusionProof>(
            [&](storage::Tx& tx) { return api.journal.inclusion_proof(tx, **leaf, *size); });
        if (!proof) return error_response(proof.error());
        // The leaf's facts only for staff of its administration; anyone may check the hash.
        bool staff = false;
        if (req.header("Authorization") || req.header("Cookie")) {
            auto who = authenticate(req, api.ids);
            staff = who && who->is_staff() && who->administration_id &&
                    *who->administration_id == proof->leaf.administration_id;
        }
        return json_no_store(200, inclusion_json(*proof, staff));
    });

    r.get("/api/v1/entries/{number}/journal-proof", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.ids);
        if (!who) return error_response(who.error());
        auto size = number_param(req, "tree_size", false);
        if (!size) return error_response(size.error());
        // The visibility of the entry itself (depositor, or staff of the receiving administration).
        auto entry = api.deposits.get(*who, req.param("number"));
        if (!entry) return error_response(entry.error());
        auto proof = api.db.read<journal::InclusionProof>([&](storage::Tx& tx) -> Result<journal::InclusionProof> {
            auto leaf = api.journal.registration_leaf(tx, entry->register_number);
            if (!leaf) return leaf.error();
            return api.journal.inclusion_proof(tx, *leaf, *size);
        });
        if (!proof) return error_response(proof.error());
        return json_no_store(200, inclusion_json(*proof, true));
    });

    r.get("/api/v1/journal/proof/consistency", [api](http::Request& req) -> http::Response {
        auto first = number_param(req, "first", true);
        if (!first) return error_response(first.error());
        auto second = number_param(req, "second", true);
        if (!second) return error_response(second.error());
        auto proof = api.db.read<journal::ConsistencyProof>(
            [&](storage::Tx& tx) { return api.journal.consistency_proof(tx, **first, **second); });
        if (!proof) return error_response(proof.error());
        boost::json::object o{{"first", proof->first},
                              {"second", proof->second},
                              {"proof", hex_array(proof->path)},
                              {"first_sth", proof->first_sth ? sth_value(*proof->first_sth) : boost::json::value()},
                              {"second_sth", proof->second_sth ? sth_value(*proof->second_sth) : boost::json::value()}};
        return json_no_store(200, o);
    });
}

}  // namespace idara::api
