// Message catalogues: every user-facing string, in Arabic and French.
//
// Per language, a folder web/i18n/<lang>/ of JSON files, one per module
// (core.json, http.json, identity.json, web.json, ...), each a flat object of
// dotted keys ("nav.sign_in", "error.auth.required") merged at load; a key
// defined twice is an error. Arabic is the default language.
// A key missing from a catalogue is a defect caught by tests
// (tests/unit/i18n_test.cpp checks both files have the same keys); at run
// time a missing key renders as the key itself so pages never break.
//
// Thread-safety: a loaded Catalogue is immutable and may be shared.
#pragma once

#include "core/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::i18n {

enum class Lang { ar, fr };

inline constexpr Lang kDefaultLang = Lang::ar;
inline constexpr Lang kAllLangs[] = {Lang::ar, Lang::fr};

std::string_view code(Lang l);                       // "ar" / "fr"
std::optional<Lang> parse_lang(std::string_view s);  // "ar"/"fr" (case-insensitive)
std::string_view dir(Lang l);                        // "rtl" / "ltr"

class Catalogue {
public:
    // Loads and merges web/i18n/ar/*.json and web/i18n/fr/*.json from the embedded resources.
    // Throws std::runtime_error if a file is missing or is not a flat object of strings.
    static Catalogue load_embedded();
    // Builds a catalogue from JSON texts (used by tests and the fuzzer).
    static Result<Catalogue> parse(std::string_view ar_json, std::string_view fr_json);

    // The text for `key`, or the key itself when it is missing.
    const std::string& get(Lang l, std::string_view key) const;
    bool has(Lang l, std::string_view key) const;
    // The text with "{name}" placeholders replaced by the given values (not escaped).
    std::string format(Lang l, std::string_view key,
                       const std::vector<std::pair<std::string, std::string>>& args) const;
    // All keys of a language, sorted.
    std::vector<std::string> keys(Lang l) const;
    // The whole table of a language (for template contexts).
    const std::map<std::string, std::string, std::less<>>& table(Lang l) const;

private:
    std::map<std::string, std::string, std::less<>> ar_, fr_;
};

// The process-wide catalogue, loaded on first use from the embedded resources.
const Catalogue& catalogue();

}  // namespace idara::i18n
