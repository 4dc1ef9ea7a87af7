// The document a circuit starts on is an upload: parapheur/stamp_layout.hpp reads its last page's
// size with qpdf (and the stamps are placed from it). Any input either gives a page box from which
// every stamp slot lies on the page, or parapheur.not_pdf (400).
#include "parapheur/stamp_layout.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    auto box = idara::parapheur::last_page_box(s);
    if (!box) {
        if (box.error().code != "parapheur.not_pdf" || box.error().status != 400) __builtin_trap();
        return 0;
    }
    if (box->pages < 1 || !(box->width >= 1) || !(box->height >= 1)) __builtin_trap();
    for (int n = 0; n < 12; ++n) {
        auto st = idara::parapheur::stamp_slot(*box, n);
        if (st.page != box->pages || st.x < 0 || st.y < 0 || st.width <= 0 || st.height <= 0 ||
            st.x + st.width > box->width + 1e-6 || st.y + st.height > box->height + 1e-6)
            __builtin_trap();
    }
    return 0;
}
