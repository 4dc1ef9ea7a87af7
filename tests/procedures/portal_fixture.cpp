#include "portal_fixture.hpp"

#include "core/random.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace idara::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string source_file(const std::string& relative) {
    const std::string path = std::string(IDARA_TEST_SOURCE_DIR) + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string reference_procedure() { return source_file("procedures/student-registration/v1.json"); }

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) {
        ADD_FAILURE() << "not in the text: " << from;
        return text;
    }
    return text.replace(at, from.size(), to);
}

std::string variant_procedure(const std::string& code, int version, const std::string& administration,
                              const std::string& life_event, const std::string& title_ar, const std::string& title_fr) {
    std::string t = reference_procedure();
    t = replace_once(t, R"("code": "student-registration")", "\"code\": \"" + code + "\"");
    t = replace_once(t, R"("version": 1,)", "\"version\": " + std::to_string(version) + ",");
    t = replace_once(t, R"("administration": "UNIV")", "\"administration\": \"" + administration + "\"");
    t = replace_once(t, R"("unit": "SCOL-INS",)", "");
    t = replace_once(t, R"("life_events": ["studies"])", "\"life_events\": [\"" + life_event + "\"]");
    t = replace_once(t, R"("title": {"ar": "التسجيل في السنة الأولى بالجامعة", "fr": "Inscription en première année à l'université"})",
                     "\"title\": {\"ar\": \"" + title_ar + "\", \"fr\": \"" + title_fr + "\"}");
    return t;
}

namespace {

std::map<std::string, std::string> records(const std::string& file, const char* array, const char* key) {
    std::map<std::string, std::string> out;
    const auto doc = json::parse(source_file("demo/exchange/" + file));
    for (const auto& v : doc.at(array).as_array())
        out.emplace(std::string(v.at(key).as_string()), json::serialize(v));
    return out;
}

procedures::ExchangeAnswer not_found() {
    return {404, R"({"error":"not_found"})", ""};
}

}  // namespace

FakeExchange::FakeExchange()
    : bac_(records("bac_results.json", "results", "student_number")),
      birth_(records("birth_records.json", "records", "national_id")) {}

Result<procedures::ExchangeAnswer> FakeExchange::get(std::string_view service, std::string_view path,
                                                     std::string_view user_id) {
    const int n = ++calls_;
    Call c{std::string(service), std::string(path), std::string(user_id), "test-exchange-" + std::to_string(n)};
    {
        std::lock_guard lock(mu_);
        last_ = c;
    }
    if (fail_) return Error{"application.exchange_failed", 502, "test double: transport failure"};
    const auto answer = [&](const std::map<std::string, std::string>& data,
                            std::string_view prefix) -> procedures::ExchangeAnswer {
        if (!path.starts_with(prefix)) return not_found();
        const auto it = data.find(std::string(path.substr(prefix.size())));
        if (it == data.end()) return not_found();
        return {200, it->second, c.x_road_id};
    };
    if (service == kBacService) {
        auto a = answer(bac_, "/results/");
        if (a.x_road_id.empty()) a.x_road_id = c.x_road_id;
        return a;
    }
    if (service == kBirthService) {
        auto a = answer(birth_, "/births/");
        if (a.x_road_id.empty()) a.x_road_id = c.x_road_id;
        return a;
    }
    auto a = not_found();
    a.x_road_id = c.x_road_id;
    return a;
}

FakeExchange::Call FakeExchange::last() const {
    std::lock_guard lock(mu_);
    return last_;
}

PortalEnv::PortalEnv(storage::Backend b) {
    db = fresh_database(b);
    blob_dir = fs::temp_directory_path() / ("idara-portal-" + random::hex_token(6));
    blobs = storage::make_blob_store(b, blob_dir);
    identity::ServiceOptions o;
    o.hash_limits = identity::HashLimits::minimum();
    ids = std::make_unique<identity::Service>(*db, o, clock);
    logins = identity::seed_demo(*ids).value();
    master = trust::random_master_key();
    keys = std::make_unique<trust::KeyStore>(*db, master);
    limits.max_count = 3;
    limits.max_bytes = 64 * 1024;
    limits.max_total_bytes = 128 * 1024;
    registry::DepositOptions d;
    d.limits = limits;
    d.public_url = "https://idara.example.ma";
    deposits = std::make_unique<registry::DepositService>(*db, *blobs, *keys, *ids, d, clock);
    catalogue = std::make_unique<procedures::Catalogue>(*db, *ids, clock);
    make_applications(&exchange);
}

PortalEnv::~PortalEnv() {
    apps.reset();
    catalogue.reset();
    deposits.reset();
    keys.reset();
    ids.reset();
    blobs.reset();
    db.reset();
    std::error_code ec;
    fs::remove_all(blob_dir, ec);
}

void PortalEnv::make_applications(procedures::ExchangeClient* ex) {
    apps.reset();
    apps = std::make_unique<procedures::ApplicationService>(*db, *blobs, *catalogue, *deposits, ex, limits, clock);
}

identity::Principal PortalEnv::principal(const std::string& login) {
    auto accounts = ids->list_accounts(std::nullopt);
    EXPECT_TRUE(accounts.has_value());
    if (accounts)
        for (const auto& a : *accounts)
            if (a.login == login) return ids->principal_of(a.id).value();
    ADD_FAILURE() << "no demo account " << login;
    return {};
}

void PortalEnv::load_reference() {
    auto r = catalogue->load(reference_procedure(), "procedures/student-registration/v1.json");
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
}

std::int64_t PortalEnv::count(const std::string& table) {
    return db->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                  auto r = tx.query_one("SELECT COUNT(*) FROM " + table);
                  if (!r) return r.error();
                  return (*r)->as_int(0);
              })
        .value();
}

}  // namespace idara::testing
