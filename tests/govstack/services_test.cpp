// GovStack "Available Services": the catalogue and e-forms.
#include "govstack_fixture.hpp"

#include <fstream>
#include <sstream>

namespace idara::testing {
namespace {

namespace json = boost::json;

class GovStackServices : public GovStackTest {
protected:
    // Publishes version 2 of the student registration (same file, another version number).
    void publish_v2() {
        std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/procedures/student-registration/v1.json");
        std::stringstream s;
        s << in.rdbuf();
        std::string text = s.str();
        const auto at = text.find("\"version\": 1");
        ASSERT_NE(at, std::string::npos);
        text.replace(at, 12, "\"version\": 2");
        catalogue_->load(text, "v2.json").value();
    }
};

TEST_P(GovStackServices, ListsTheCatalogueInTheCallersLanguage) {
    auto r = call(http::Method::get, "/api/govstack/services", {}, {}, {}, {{"Accept-Language", "fr-MA"}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(r.json.is_array());
    ASSERT_EQ(r.json.as_array().size(), 1u);
    const auto& s = r.json.as_array()[0].as_object();
    EXPECT_EQ(s.at("id").as_string(), "student-registration");
    EXPECT_EQ(s.at("name").as_string(), "Inscription en première année à l'université");
    EXPECT_EQ(s.at("version").as_string(), "1");
    EXPECT_EQ(s.at("type").as_string(), "Public");
    EXPECT_EQ(s.at("eFormId").as_string(), "student-registration.v1");
    bool has_admin = false;
    for (const auto& p : s.at("serviceBody").as_array())
        if (p.at("code").as_string() == "administration") has_admin = p.at("value").as_string() == "UNIV";
    EXPECT_TRUE(has_admin);

    auto ar = get("/api/govstack/services");
    ASSERT_EQ(ar.status, 200);
    EXPECT_EQ(ar.json.as_array()[0].at("name").as_string(), "التسجيل في السنة الأولى بالجامعة");
}

TEST_P(GovStackServices, NameSearchesTheCatalogue) {
    auto hit = get("/api/govstack/services?name=universit%C3%A9");
    ASSERT_EQ(hit.status, 200) << hit.body;
    EXPECT_EQ(hit.json.as_array().size(), 1u);
    auto miss = get("/api/govstack/services?name=permis%20de%20construire");
    ASSERT_EQ(miss.status, 200);
    EXPECT_TRUE(miss.json.as_array().empty());
}

TEST_P(GovStackServices, OneServiceAndUnknownService) {
    auto r = get("/api/govstack/services/student-registration");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("id").as_string(), "student-registration");
    auto missing = get("/api/govstack/services/no-such-service");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.code(), "resource.not_found");
}

TEST_P(GovStackServices, EFormsListEveryVersionNewestFirst) {
    publish_v2();
    auto r = get("/api/govstack/services/student-registration/eForms");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto& a = r.json.as_array();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].at("eFormId").as_string(), "student-registration.v2");
    EXPECT_TRUE(a[0].at("latest").as_bool());
    EXPECT_EQ(a[1].at("eFormId").as_string(), "student-registration.v1");
    EXPECT_FALSE(a[1].at("latest").as_bool());
    EXPECT_EQ(get("/api/govstack/services/no-such-service/eForms").status, 404);
}

TEST_P(GovStackServices, AnEFormCarriesItsJsonSchemaAndSteps) {
    publish_v2();
    auto r = get("/api/govstack/eForms/student-registration.v1");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto& o = r.json.as_object();
    EXPECT_FALSE(o.at("latest").as_bool());
    EXPECT_EQ(o.at("version").as_string(), "1");
    const auto& schema = o.at("schema").as_object();
    EXPECT_EQ(schema.at("properties").at("phone").at("pattern").as_string(), "^0[567][0-9]{8}$");
    EXPECT_EQ(o.at("steps").as_array().size(), 4u);
    EXPECT_EQ(o.at("steps").as_array()[0].at("lookup").as_string(), "bac");
    EXPECT_EQ(o.at("fields").at("first_name").at("filledBy").as_string(), "bac");
    EXPECT_TRUE(get("/api/govstack/eForms/student-registration.v2").json.at("latest").as_bool());
    for (const char* bad : {"student-registration.v9", "student-registration", "student-registration.v0",
                            "nothing.v1", ".v1"}) {
        auto m = get(std::string("/api/govstack/eForms/") + bad);
        EXPECT_EQ(m.status, 404) << bad;
        EXPECT_EQ(m.code(), "resource.not_found") << bad;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, GovStackServices, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
