#include "identity/demo.hpp"

#include "identity/totp.hpp"

#include <array>

namespace idara::identity {

namespace {

struct DemoUnit {
    const char* code;
    const char* parent;  // nullptr for a root unit
    const char* name_ar;
    const char* name_fr;
};

struct DemoAdministration {
    const char* code;
    const char* domain;
    const char* name_ar;
    const char* name_fr;
    std::vector<DemoUnit> units;
    // Staff display names by role: agent, registry_clerk, unit_head, signer, admin.
    std::array<const char*, 5> people;
};

const std::vector<DemoAdministration>& demo_administrations() {
    static const std::vector<DemoAdministration> list = {
        {"MEF", "mef.gov.ma", "وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances",
         {{"SG", nullptr, "الكتابة العامة", "Secrétariat général"},
          {"BO", "SG", "مكتب الضبط", "Bureau d'ordre"},
          {"DB", "SG", "مديرية الميزانية", "Direction du Budget"},
          {"DB-SP", "DB", "مصلحة البرمجة والتتبع", "Service de la programmation et du suivi"}},
         {"Karim Bennani", "Salma Alaoui", "Hicham Tazi", "Nadia Berrada", "Omar Chraibi"}},
        {"MEN", "men.gov.ma", "وزارة التربية الوطنية والتعليم الأولي والرياضة",
         "Ministère de l'Éducation nationale, du Préscolaire et des Sports",
         {{"SG", nullptr, "الكتابة العامة", "Secrétariat général"},
          {"BO", "SG", "مكتب الضبط", "Bureau d'ordre"},
          {"DEX", "SG", "المركز الوطني للتقويم والامتحانات", "Centre national des examens"},
          {"DEX-RS", "DEX", "مصلحة النتائج", "Service des résultats"}},
         {"Youssef Amrani", "Fatima Zahra Idrissi", "Rachid El Fassi", "Khadija Benjelloun", "Mehdi Lahlou"}},
        {"ADD", "add.gov.ma", "وكالة التنمية الرقمية", "Agence de Développement du Digital",
         {{"DG", nullptr, "المديرية العامة", "Direction générale"},
          {"BO", "DG", "مكتب الضبط", "Bureau d'ordre"},
          {"PAD", "DG", "قطب الإدارة الرقمية", "Pôle Administration digitale"},
          {"PAD-PI", "PAD", "مصلحة منصات التشغيل البيني", "Service des plateformes d'interopérabilité"}},
         {"Imane Sqalli", "Adil Bouzidi", "Laila Kettani", "Anas Saadi", "Ghita Ouazzani"}},
        // The portal's demo procedures: student registration (UNIV, with the bac result fetched from
        // MEN through the exchange) and the AI research call (CNRST).
        {"UNIV", "um5.ac.ma", "جامعة محمد الخامس بالرباط", "Université Mohammed V de Rabat",
         {{"PRES", nullptr, "رئاسة الجامعة", "Présidence"},
          {"BO", "PRES", "مكتب الضبط", "Bureau d'ordre"},
          {"SCOL", "PRES", "مصلحة الشؤون الطلابية", "Service des affaires estudiantines"},
          {"SCOL-INS", "SCOL", "مكتب التسجيل", "Bureau des inscriptions"}},
         {"Samir Ouali", "Hanane Belkadi", "Driss Naciri", "Zineb Fassi Fihri", "Reda Alami"}},
        {"CNRST", "cnrst.ma", "المركز الوطني للبحث العلمي والتقني", "Centre national pour la recherche scientifique et technique",
         {{"DG", nullptr, "المديرية العامة", "Direction générale"},
          {"BO", "DG", "مكتب الضبط", "Bureau d'ordre"},
          {"DPR", "DG", "قسم برامج البحث", "Division des programmes de recherche"},
          {"DPR-AP", "DPR", "مصلحة طلبات المشاريع", "Service des appels à projets"}},
         {"Amal Berrada", "Karim Zniber", "Souad Lamrani", "Nabil Sefrioui", "Houda Tahiri"}},
    };
    return list;
}

constexpr std::array<Role, 5> kRoles = {Role::agent, Role::registry_clerk, Role::unit_head, Role::signer, Role::admin};
constexpr std::array<const char*, 5> kLocal = {"agent", "bureau.ordre", "chef.service", "signataire", "admin"};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return s;
}

// The unit each role works in: clerks in the registry office, the others in the deepest service.
const char* unit_for(const DemoAdministration& a, Role r) {
    if (r == Role::registry_clerk) return "BO";
    if (r == Role::admin) return nullptr;
    return a.units.back().code;
}

Status seed_administration(Service& s, const DemoAdministration& a, std::vector<DemoLogin>& out) {
    auto id = s.create_administration({a.code, a.name_ar, a.name_fr, std::string("bureau.ordre@") + a.domain});
    if (!id) return id.error();
    const auto scope = TenantScope::trusted(*id);
    for (const auto& u : a.units) {
        std::optional<std::int64_t> parent;
        if (u.parent) {
            auto p = s.find_unit(scope, u.parent);
            if (!p) return p.error();
            parent = p->id;
        }
        if (auto c = s.create_unit(scope, {u.code, u.name_ar, u.name_fr, parent}); !c) return c.error();
    }
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
        NewAccount n;
        n.kind = AccountKind::staff;
        n.login = std::string(kLocal[i]) + "@" + a.domain;
        n.display_name = a.people[i];
        n.password = "demo-" + std::string(kLocal[i]) + "-" + lower(a.code) + "-2026";
        n.lang = i % 2 == 0 ? i18n::Lang::ar : i18n::Lang::fr;
        n.administration_code = a.code;
        n.role = kRoles[i];
        if (const char* unit = unit_for(a, kRoles[i])) n.unit_code = unit;
        if (auto c = s.create_account(n); !c) return c.error();
        out.push_back({n.login, n.password, "staff", std::string(role_name(kRoles[i])), a.code});
    }
    return {};
}

Status seed_public(Service& s, std::vector<DemoLogin>& out) {
    struct Person {
        AccountKind kind;
        const char* login;
        const char* name;
        const char* national_id;
        const char* company;
        i18n::Lang lang;
        const char* password;
    };
    const Person people[] = {
        {AccountKind::citizen, "amina.elmansouri@example.ma", "أمينة المنصوري", "AB123456", nullptr, i18n::Lang::ar,
         "demo-citoyenne-2026"},
        {AccountKind::citizen, "youssef.benali@example.ma", "Youssef Benali", "BK654321", nullptr, i18n::Lang::fr,
         "demo-citoyen-2026"},
        {AccountKind::company, "contact@atlas-numerique.ma", "Meryem Haddad", "CD777888", "Atlas Numérique SARL",
         i18n::Lang::fr, "demo-entreprise-2026"},
        {AccountKind::operator_, "operateur@idara.ma", "Opérateur de la plateforme", nullptr, nullptr, i18n::Lang::fr,
         "demo-operateur-2026"},
    };
    for (const auto& p : people) {
        NewAccount n;
        n.kind = p.kind;
        n.login = p.login;
        n.display_name = p.name;
        n.password = p.password;
        n.lang = p.lang;
        if (p.national_id) n.national_id = p.national_id;
        if (p.company) n.company_name = p.company;
        if (auto c = s.create_account(n); !c) return c.error();
        out.push_back({n.login, n.password, std::string(kind_name(p.kind)), "", ""});
    }
    return {};
}

}  // namespace

Result<std::vector<DemoLogin>> seed_demo(Service& s) {
    // Demo accounts have public passwords: never mix them with real data.
    auto admins = s.list_administrations();
    if (!admins) return admins.error();
    auto accounts = s.list_accounts(std::nullopt);
    if (!accounts) return accounts.error();
    if (!admins->empty() || !accounts->empty()) return Error{"demo.not_empty", 409};
    std::vector<DemoLogin> out;
    if (auto st = seed_public(s, out); !st) return st.error();
    for (const auto& a : demo_administrations())
        if (auto st = seed_administration(s, a, out); !st) return st.error();
    return out;
}

Status seed_demo_totp(Service& s, TotpService& t, const std::vector<DemoLogin>& logins) {
    auto secret = base32_decode(kDemoTotpSecret);
    if (!secret) return secret.error();
    auto accounts = s.list_accounts(std::nullopt);
    if (!accounts) return accounts.error();
    for (const auto& d : logins) {
        if (d.role != role_name(Role::signer) && d.role != role_name(Role::admin)) continue;
        for (const auto& a : *accounts)
            if (a.login == d.login)
                if (auto st = t.set_active_secret(a.id, *secret); !st) return st;
    }
    return {};
}

}  // namespace idara::identity
