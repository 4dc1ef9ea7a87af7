// idara user / token / admin: accounts, API tokens, administrations and units.
#include "commands.hpp"
#include "runtime.hpp"

#include <iomanip>
#include <iostream>
#include <string>

namespace idara::app {

namespace {

using identity::TenantScope;

Result<std::unique_ptr<Runtime>> open(const GlobalOptions& g) {
    return open_runtime(load_config(g), OpenMode::existing);
}

// The password is read from standard input (first line), never from the command line.
std::string read_password() {
    std::string pw;
    std::getline(std::cin, pw);
    while (!pw.empty() && (pw.back() == '\r' || pw.back() == '\n')) pw.pop_back();
    return pw;
}

int usage(const std::string& msg) {
    std::cerr << "idara: " << msg << "\n";
    return 2;
}

}  // namespace

int cmd_user_add(const GlobalOptions& g, const UserAddOptions& o) {
    const auto kind = identity::parse_kind(o.kind);
    if (!kind) return usage("unknown --kind " + o.kind);
    if (*kind == identity::AccountKind::staff && (!o.administration || !o.role))
        return usage("a staff account needs --admin CODE and --role ROLE");
    if (*kind != identity::AccountKind::staff && (o.administration || o.role || o.unit))
        return usage("--admin, --role and --unit are for staff accounts only");
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto& ids = *(*rt)->identity;
    identity::NewAccount a;
    a.kind = *kind;
    a.login = o.login;
    a.display_name = o.name;
    a.password = read_password();
    a.national_id = o.national_id;
    a.company_name = o.company;
    a.lang = i18n::parse_lang(o.lang).value_or(i18n::kDefaultLang);
    if (*kind == identity::AccountKind::staff) {
        a.administration_code = o.administration;
        a.role = identity::parse_role(*o.role);
        a.unit_code = o.unit;
    }
    auto id = ids.create_account(a);
    if (!id) return fail(id.error());
    std::cout << "created account " << *id << " (" << o.login << ")\n";
    return 0;
}

int cmd_user_list(const GlobalOptions& g, const std::optional<std::string>& administration) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto list = (*rt)->identity->list_accounts(administration);
    if (!list) return fail(list.error());
    for (const auto& a : *list) {
        std::cout << std::left << std::setw(8) << a.id << std::setw(36) << a.login << std::setw(10)
                  << identity::kind_name(a.kind) << std::setw(8) << (a.administration_code.empty() ? "-" : a.administration_code)
                  << a.display_name << (a.disabled ? " (disabled)" : "") << "\n";
    }
    return 0;
}

int cmd_token_create(const GlobalOptions& g, const TokenCreateOptions& o) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto t = (*rt)->identity->create_token_for_login(o.login, o.name, std::chrono::hours(24 * o.ttl_days));
    if (!t) return fail(t.error());
    std::cerr << "API token for " << o.login << " (shown once; store it safely):\n";
    std::cout << *t << std::endl;
    return 0;
}

int cmd_admin_add(const GlobalOptions& g, const AdminAddOptions& o) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto id = (*rt)->identity->create_administration({o.code, o.name_ar, o.name_fr, o.contact_email});
    if (!id) return fail(id.error());
    if (auto k = ensure_all_keys(**rt); !k) return fail(k.error());
    std::cout << "created administration " << o.code << " (" << *id << ")\n";
    return 0;
}

int cmd_admin_list(const GlobalOptions& g) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto list = (*rt)->identity->list_administrations();
    if (!list) return fail(list.error());
    for (const auto& a : *list) std::cout << std::left << std::setw(8) << a.code << a.name_fr << " — " << a.name_ar << "\n";
    return 0;
}

int cmd_unit_add(const GlobalOptions& g, const UnitAddOptions& o) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto& ids = *(*rt)->identity;
    auto adm = ids.find_administration(o.administration);
    if (!adm) return fail(adm.error());
    const auto scope = TenantScope::trusted(adm->id);  // trusted: an operator at the console
    std::optional<std::int64_t> parent;
    if (o.parent) {
        auto p = ids.find_unit(scope, *o.parent);
        if (!p) return fail(p.error());
        parent = p->id;
    }
    auto u = ids.create_unit(scope, identity::NewUnit{o.code, o.name_ar, o.name_fr, parent});
    if (!u) return fail(u.error());
    std::cout << "created unit " << o.code << " (" << u->id << ") in " << o.administration << "\n";
    return 0;
}

int cmd_unit_list(const GlobalOptions& g, const std::string& administration) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto& ids = *(*rt)->identity;
    auto adm = ids.find_administration(administration);
    if (!adm) return fail(adm.error());
    auto units = ids.list_units(TenantScope::trusted(adm->id));
    if (!units) return fail(units.error());
    for (const auto& u : *units)
        std::cout << std::left << std::setw(8) << u.id << std::setw(12) << u.code << u.name_fr << " — " << u.name_ar << "\n";
    return 0;
}

int cmd_type_set(const GlobalOptions& g, const TypeSetOptions& o) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto adm = (*rt)->identity->find_administration(o.administration);
    if (!adm) return fail(adm.error());
    // trusted: an operator at the console
    const registry::DepositType t{o.code, o.name_ar, o.name_fr, static_cast<int>(o.deadline_days), o.working_days,
                                  o.silence_is_approval};
    if (auto s = (*rt)->deposits->set_type(TenantScope::trusted(adm->id), t); !s) return fail(s.error());
    std::cout << "deposit type " << o.code << " of " << o.administration << ": " << o.deadline_days
              << (o.working_days ? " working" : " calendar") << " days, silence "
              << (o.silence_is_approval ? "is approval" : "is not approval") << "\n";
    return 0;
}

int cmd_type_list(const GlobalOptions& g, const std::string& administration) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto types = (*rt)->deposits->types(administration);
    if (!types) return fail(types.error());
    for (const auto& t : *types)
        std::cout << std::left << std::setw(14) << t.code << std::setw(5) << t.deadline_days
                  << std::setw(10) << (t.working_days ? "working" : "calendar")
                  << std::setw(12) << (t.silence_is_approval ? "approval" : "-") << t.name_fr << " — " << t.name_ar << "\n";
    return 0;
}

}  // namespace idara::app
