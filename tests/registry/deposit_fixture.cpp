#include "deposit_fixture.hpp"

#include "core/random.hpp"


namespace idara::testing {

namespace fs = std::filesystem;
using identity::AccountKind;
using identity::Role;

void DepositTest::SetUp() {
    db_ = fresh_database(GetParam());
    blob_dir_ = fs::temp_directory_path() / ("idara-blobs-" + random::hex_token(6));
    blobs_ = storage::make_blob_store(GetParam(), blob_dir_);
    identity::ServiceOptions o;
    o.hash_limits = identity::HashLimits::minimum();
    ids_ = std::make_unique<identity::Service>(*db_, o, clock_);
    mef_ = ids_->create_administration({"MEF", "وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances",
                                        "bureau.ordre@mef.gov.ma"}).value();
    men_ = ids_->create_administration({"MEN", "وزارة التربية الوطنية", "Ministère de l'Éducation nationale",
                                        "bureau.ordre@men.gov.ma"}).value();
    const auto mef = identity::TenantScope::trusted(mef_);
    ids_->create_unit(mef, {"BO", "مكتب الضبط", "Bureau d'ordre", {}}).value();
    ids_->create_unit(mef, {"DB", "مديرية الميزانية", "Direction du Budget", {}}).value();
    mef_clerk_ = add_staff("clerk@mef.gov.ma", "MEF", Role::registry_clerk, "BO");
    mef_agent_ = add_staff("agent@mef.gov.ma", "MEF", Role::agent, "DB");
    mef_admin_ = add_staff("admin@mef.gov.ma", "MEF", Role::admin);
    men_clerk_ = add_staff("clerk@men.gov.ma", "MEN", Role::registry_clerk);
    men_agent_ = add_staff("agent@men.gov.ma", "MEN", Role::agent);
    citizen_ = add_public("amina@example.ma", AccountKind::citizen);
    citizen2_ = add_public("youssef@example.ma", AccountKind::citizen);
    company_ = add_public("contact@atlas.ma", AccountKind::company);
    master_ = trust::random_master_key();
    make_service();
}

void DepositTest::make_service() {
    svc_.reset();
    keys_ = std::make_unique<trust::KeyStore>(*db_, master_);
    registry::DepositOptions o;
    o.limits.max_count = 3;
    o.limits.max_bytes = 64 * 1024;
    o.limits.max_total_bytes = 128 * 1024;
    o.public_url = "https://idara.example.ma";
    svc_ = std::make_unique<registry::DepositService>(*db_, *blobs_, *keys_, *ids_, o, clock_);
}

void DepositTest::TearDown() {
    svc_.reset();
    keys_.reset();
    ids_.reset();
    blobs_.reset();
    db_.reset();
    std::error_code ec;
    fs::remove_all(blob_dir_, ec);
}

std::int64_t DepositTest::add_staff(const std::string& login, const std::string& adm, Role role,
                                    std::optional<std::string> unit) {
    identity::NewAccount n;
    n.kind = AccountKind::staff;
    n.login = login;
    n.display_name = "Staff " + login;
    n.password = "a-long-enough-passphrase";
    n.administration_code = adm;
    n.role = role;
    n.unit_code = unit;
    return ids_->create_account(n).value();
}

std::int64_t DepositTest::add_public(const std::string& login, AccountKind kind) {
    identity::NewAccount n;
    n.kind = kind;
    n.login = login;
    n.display_name = kind == AccountKind::company ? "Atlas Numérique SARL" : "أمينة المنصوري";
    n.password = "a-long-enough-passphrase";
    return ids_->create_account(n).value();
}

registry::NewDeposit DepositTest::letter(const std::string& subject) {
    registry::NewDeposit d;
    d.channel = registry::Channel::portal;
    d.administration_code = "MEF";
    d.type_code = "letter";
    d.subject = subject;
    d.body = "السلام عليكم،\nأطلب منكم تسليمي شهادة إدارية.\nMerci.";
    d.files.push_back({"demande.pdf", sample_pdf()});
    return d;
}

std::int64_t DepositTest::count(const std::string& table) {
    return db_->read<std::int64_t>([&](storage::Tx& tx) -> Result<std::int64_t> {
                  auto r = tx.query_one("SELECT COUNT(*) FROM " + table);
                  if (!r) return r.error();
                  return (*r)->as_int(0);
              })
        .value();
}

std::size_t DepositTest::blob_files() const {
    std::size_t n = 0;
    std::error_code ec;
    if (!fs::exists(blob_dir_, ec)) return 0;
    for (auto it = fs::recursive_directory_iterator(blob_dir_, ec); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_regular_file()) ++n;
    return n;
}

}  // namespace idara::testing
