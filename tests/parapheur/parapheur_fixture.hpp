// The e-parapheur on a fresh database of each backend, on top of the registry fixture (MEF and
// MEN, their staff): unit heads and signers of MEF, the development PKI (trust::Pki), the
// built-in time-stamping authority, a CircuitService whose re-authentication accepts the
// password "pass-word" with the code "123456" (the application wires identity/totp.hpp), and
// helpers for templates, circuits and reading the stored rows.
#pragma once

#include "../registry/deposit_fixture.hpp"
#include "parapheur/circuits.hpp"
#include "trust/pki.hpp"
#include "trust/tsa.hpp"

#include <atomic>

namespace idara::testing {

// A TimeStamper that forwards to another one until `down` is set, then fails like an outage.
class SwitchableTsa : public trust::TimeStamper {
public:
    explicit SwitchableTsa(trust::TimeStamper& inner) : inner_(inner) {}
    Result<std::string> timestamp(std::span<const unsigned char, 32> sha256) override;
    std::atomic<bool> down{false};

private:
    trust::TimeStamper& inner_;
};

// A copy of a signing identity (the OpenSSL objects are reference-counted).
trust::SigningIdentity copy_identity(const trust::SigningIdentity& id);

class ParapheurTest : public DepositTest {
protected:
    void SetUp() override;
    void TearDown() override;

    parapheur::Actor actor(std::int64_t account_id, const std::string& origin = "test");
    // Stores a template for MEF (trusted path).
    parapheur::CircuitTemplate put_template(const std::string& code, std::vector<parapheur::StepSpec> steps,
                                            std::int64_t adm = 0);
    static parapheur::StepSpec step(parapheur::StepKind kind, parapheur::StepMode mode,
                                    std::vector<std::int64_t> accounts, std::optional<identity::Role> role = {},
                                    std::string unit = {});
    // Starts a circuit on a sample PDF as `who` (default: the MEF agent).
    parapheur::Circuit start(const std::string& code, std::int64_t who = 0, int pages = 1);
    parapheur::ReAuth good() const { return {"pass-word", "123456"}; }
    std::int64_t journal_count(const std::string& kind_prefix = "circuit.");
    // Adds an active delegation (today .. +10 days) from -> to in `adm`.
    void delegate(std::int64_t from, std::int64_t to, std::int64_t adm = 0);
    // pdfsig's report of a PDF (written to a scratch file).
    std::string pdfsig(const std::string& pdf);

    std::unique_ptr<trust::Pki> pki_;
    std::unique_ptr<trust::BuiltinTsa> builtin_tsa_;
    std::unique_ptr<SwitchableTsa> tsa_;
    std::unique_ptr<parapheur::CircuitService> circuits_;
    std::atomic<int> reauth_calls_{0};
    std::vector<std::unique_ptr<identity::Principal>> principals_;  // what actor() refers to
    std::int64_t mef_head_ = 0, mef_head2_ = 0, mef_signer_ = 0, mef_signer2_ = 0, mef_signer3_ = 0;
    std::int64_t men_signer_ = 0;
};

// The UTF-16BE hex form (upper case) a PDF text string of `s` has in pdf_sign's output.
std::string utf16be_hex(const std::string& s);

}  // namespace idara::testing
