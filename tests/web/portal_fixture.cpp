#include "portal_fixture.hpp"

#include "core/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

namespace idara::testing {

namespace json = boost::json;

namespace {

std::string read_source(const std::string& rel) {
    std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/" + rel, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

BacExchange::BacExchange() {
    const auto doc = json::parse(read_source("demo/exchange/bac_results.json")).as_object();
    for (const auto& r : doc.at("results").as_array()) {
        const auto& o = r.as_object();
        records_[std::string(o.at("student_number").as_string())] = o;
    }
}

Result<procedures::ExchangeAnswer> BacExchange::get(std::string_view service, std::string_view path,
                                                    std::string_view user_id) {
    ++calls;
    last_user = std::string(user_id);
    if (fail) return Error{"application.exchange_failed", 502, "test: gateway down"};
    if (service != "MA/GOV/MEN/bac-results/bac-result" || path.rfind("/results/", 0) != 0)
        return procedures::ExchangeAnswer{404, R"({"type":"not_found"})", "test-x-road-404"};
    auto it = records_.find(std::string(path.substr(9)));
    if (it == records_.end()) return procedures::ExchangeAnswer{404, R"({"type":"not_found"})", "test-x-road-404"};
    return procedures::ExchangeAnswer{200, json::serialize(it->second), "test-x-road-" + std::to_string(calls)};
}

void PortalPagesTest::SetUp() {
    DepositTest::SetUp();
    univ_ = ids_->create_administration({"UNIV", "جامعة محمد الخامس بالرباط", "Université Mohammed V de Rabat",
                                         "scolarite@um5.ac.ma"}).value();
    ids_->create_unit(identity::TenantScope::trusted(univ_), {"SCOL-INS", "مصلحة التسجيل", "Service des inscriptions", {}})
        .value();
    univ_clerk_ = add_staff("clerk@um5.ac.ma", "UNIV", identity::Role::registry_clerk);
    catalogue_ = std::make_unique<procedures::Catalogue>(*db_, *ids_, clock_);
    catalogue_->load(read_source("procedures/student-registration/v1.json"), "procedures/student-registration/v1.json")
        .value();
    exchange_ = std::make_unique<BacExchange>();
    registry::AttachmentLimits limits;
    limits.max_count = 3;
    limits.max_bytes = 64 * 1024;
    limits.max_total_bytes = 128 * 1024;
    apps_ = std::make_unique<procedures::ApplicationService>(*db_, *blobs_, *catalogue_, *svc_, exchange_.get(), limits,
                                                             clock_);
    apps_->set_seal(keys_.get());
    ctx_ = std::make_unique<web::PagesContext>(web::PagesContext{*ids_, false});
    ctx_->deposits = svc_.get();
    ctx_->catalogue = catalogue_.get();
    ctx_->applications = apps_.get();
    ctx_->attachment_limits = limits;
    web::register_pages(router_, *ctx_);
}

void PortalPagesTest::TearDown() {
    apps_.reset();
    exchange_.reset();
    catalogue_.reset();
    DepositTest::TearDown();
}

Browser PortalPagesTest::sign_in(const std::string& login, const std::string& lang) {
    auto s = ids_->login(login, "a-long-enough-passphrase", "192.0.2.7").value();
    return {s.id, s.csrf_token, lang};
}

http::Response PortalPagesTest::call(http::Method method, const std::string& target, const Browser* b, std::string body,
                                     const std::string& content_type) {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (b) r.headers.set("Cookie", "idara_session=" + b->session + "; idara_lang=" + b->lang);
    if (!content_type.empty()) r.headers.set("Content-Type", content_type);
    r.body = std::move(body);
    r.remote_addr = "192.0.2.7";
    r.request_id = "test-request";
    auto m = router_.match(method, r.path);
    if (m.handler == nullptr) {
        ADD_FAILURE() << "no route for " << target;
        return http::Response::text(404, "no route");
    }
    r.params = m.params;
    r.route = m.pattern;
    auto res = (*m.handler)(r);
    // Templates escape ' as &apos;, html_escape() as &#39;: one spelling for the checks.
    for (auto at = res.body.find("&apos;"); at != std::string::npos; at = res.body.find("&apos;", at))
        res.body.replace(at, 6, "&#39;");
    return res;
}

http::Response PortalPagesTest::post(const std::string& target, const Browser& b,
                                     std::vector<std::pair<std::string, std::string>> fields, bool csrf) {
    std::string body = csrf ? "_csrf=" + http::url_encode(b.csrf) : std::string();
    for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + k + "=" + http::url_encode(v);
    return call(http::Method::post, target, &b, body, "application/x-www-form-urlencoded");
}

http::Response PortalPagesTest::post_multipart(const std::string& target, const Browser& b, std::vector<http::Part> parts,
                                               const std::string& csrf) {
    std::vector<http::Part> all{{"_csrf", std::nullopt, "text/plain", csrf}};
    for (auto& p : parts) all.push_back(std::move(p));
    auto mp = http::build_multipart(all);
    return call(http::Method::post, target, &b, mp.body, mp.content_type);
}

std::string PortalPagesTest::id_of(const std::string& location) {
    const std::string prefix = "/applications/";
    if (location.rfind(prefix, 0) != 0) return {};
    const auto end = location.find('/', prefix.size());
    return location.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

std::string PortalPagesTest::start(const Browser& b) {
    auto res = post("/services/student-registration/start", b, {});
    EXPECT_EQ(res.status, 303) << res.body;
    return id_of(std::string(res.headers.get("Location").value_or("")));
}

}  // namespace idara::testing
