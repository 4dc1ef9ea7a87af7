// Language resolution: cookie → account → Accept-Language → Arabic.
#include "identity/principal.hpp"
#include "web/lang.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::web;
using i18n::Lang;

TEST(Lang, AcceptLanguage) {
    EXPECT_EQ(parse_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Lang::fr);
    EXPECT_EQ(parse_accept_language("en-US, ar-MA;q=0.7, fr;q=0.5"), Lang::ar);
    EXPECT_EQ(parse_accept_language("fr;q=0.4, ar;q=0.6"), Lang::ar);
    EXPECT_EQ(parse_accept_language("ar;q=0, fr;q=0.1"), Lang::fr);
    EXPECT_FALSE(parse_accept_language("en, de;q=0.5"));
    EXPECT_FALSE(parse_accept_language(""));
    EXPECT_FALSE(parse_accept_language("fr;q=2"));
    EXPECT_FALSE(parse_accept_language("french"));
    EXPECT_FALSE(parse_accept_language(",,;q=,"));
}

TEST(Lang, ResolutionOrder) {
    http::Request r;
    EXPECT_EQ(resolve_lang(r, nullptr), Lang::ar) << "Arabic by default";
    r.headers.set("Accept-Language", "fr-MA");
    EXPECT_EQ(resolve_lang(r, nullptr), Lang::fr);
    identity::Principal p;
    p.lang = Lang::ar;
    EXPECT_EQ(resolve_lang(r, &p), Lang::ar) << "the account's preference beats the browser";
    r.headers.set("Cookie", "a=b; idara_lang=fr");
    EXPECT_EQ(resolve_lang(r, &p), Lang::fr) << "the switch beats everything";
    r.headers.set("Cookie", "idara_lang=xx");
    EXPECT_EQ(resolve_lang(r, &p), Lang::ar) << "a bad cookie is ignored";
}
