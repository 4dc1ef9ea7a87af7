// The demo holder back-ends (exchange/demo.hpp): the education ministry's baccalaureate results and
// the civil registry's birth records, served from the fictional data embedded under demo/exchange/.
#include "exchange/demo.hpp"

#include "core/resources.hpp"
#include "http/router.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace idara::exchange {

namespace {

// One kind of back-end: where its data live and how its identifiers look.
struct BackendKind {
    std::string_view name;        // "bac" | "birth"
    std::string_view resource;    // embedded JSON file
    std::string_view array_key;   // the array of records in that file
    std::string_view id_field;    // the record field looked up
    std::string_view route;       // the route pattern
    std::string_view param;       // its path parameter
    bool (*valid_id)(std::string_view);
};

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Student number (code Massar): one capital letter and nine digits, "R130245871".
bool valid_student_number(std::string_view s) {
    if (s.size() != 10 || !is_upper(s[0])) return false;
    for (std::size_t i = 1; i < s.size(); ++i)
        if (!is_digit(s[i])) return false;
    return true;
}

// National identity card number (CNIE): one or two capital letters, then five or six digits, "AB123456".
bool valid_national_id(std::string_view s) {
    std::size_t letters = 0;
    while (letters < s.size() && is_upper(s[letters])) ++letters;
    const std::size_t digits = s.size() - letters;
    if (letters < 1 || letters > 2 || digits < 5 || digits > 6) return false;
    for (std::size_t i = letters; i < s.size(); ++i)
        if (!is_digit(s[i])) return false;
    return true;
}

const BackendKind kKinds[] = {
    {"bac", "demo/exchange/bac_results.json", "results", "student_number", "/results/{student_number}",
     "student_number", valid_student_number},
    {"birth", "demo/exchange/birth_records.json", "records", "national_id", "/births/{national_id}", "national_id",
     valid_national_id},
};

using Records = std::map<std::string, std::string, std::less<>>;  // id → serialized record

Result<Records> load_records(const BackendKind& k) {
    const auto text = resources::find(k.resource);
    if (!text) return Error{"internal", 500, "demo data missing: " + std::string(k.resource)};
    boost::system::error_code ec;
    const auto doc = boost::json::parse(*text, ec);
    if (ec || !doc.is_object()) return Error{"internal", 500, "demo data malformed: " + std::string(k.resource)};
    const auto* arr = doc.as_object().if_contains(k.array_key);
    if (!arr || !arr->is_array()) return Error{"internal", 500, "demo data without records: " + std::string(k.resource)};
    Records out;
    for (const auto& v : arr->as_array()) {
        const auto* rec = v.if_object();
        const auto* id = rec ? rec->if_contains(k.id_field) : nullptr;
        if (!id || !id->is_string() || !k.valid_id(id->as_string()))
            return Error{"internal", 500, "demo record without a valid " + std::string(k.id_field)};
        out.emplace(std::string(id->as_string()), boost::json::serialize(*rec));
    }
    return out;
}

http::Response json_error(int status, std::string_view code) {
    return http::Response::json(status, boost::json::serialize(boost::json::object{{"error", code}}));
}

}  // namespace

Status add_demo_backend_routes(http::Router& r, std::string_view kind) {
    const BackendKind* k = nullptr;
    for (const auto& candidate : kKinds)
        if (candidate.name == kind) k = &candidate;
    if (!k) return Error{"exchange.bad_demo_kind", 400, "unknown demo back-end kind '" + std::string(kind) + "' (bac, birth)"};
    auto records = load_records(*k);
    if (!records) return records.error();
    // Read-only after this point: shared by the worker threads without locking.
    auto data = std::make_shared<const Records>(std::move(*records));

    r.get(std::string(k->route), [k, data](http::Request& req) {
        const std::string_view id = req.param(k->param);
        if (!k->valid_id(id)) return json_error(400, "invalid_" + std::string(k->param));
        const auto it = data->find(id);
        if (it == data->end()) return json_error(404, "not_found");
        return http::Response::json(200, it->second);
    });
    r.get("/health", [k, data](http::Request&) {
        boost::json::object o{{"status", "ok"}, {"kind", k->name}, {"records", data->size()}};
        return http::Response::json(200, boost::json::serialize(o));
    }, http::RouteOptions{.inline_ok = true});
    return {};
}

}  // namespace idara::exchange
