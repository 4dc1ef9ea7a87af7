// The staff home's unit tree: nested lists, escaped, nothing lost.
#include "web/visit.hpp"

#include <gtest/gtest.h>

using idara::web::detail::UnitNode;
using idara::web::detail::unit_tree_html;

TEST(UnitTree, NestsChildrenUnderTheirParent) {
    std::vector<UnitNode> units{{1, std::nullopt, "SG", "Secrétariat"}, {2, 1, "BO", "Bureau <d'ordre>"}, {3, 99, "X", "Orphan"}};
    const std::string html = unit_tree_html(units);
    EXPECT_EQ(html.rfind("<ul class=\"unit-tree\">", 0), 0u);
    EXPECT_NE(html.find("Secrétariat</span> <bdi dir=\"ltr\" class=\"unit-tree__code\">SG</bdi><ul><li>"), std::string::npos) << html;
    EXPECT_NE(html.find("Bureau &lt;d&#39;ordre&gt;"), std::string::npos);
    EXPECT_NE(html.find("Orphan"), std::string::npos) << "a unit whose parent is unknown is still shown";
    EXPECT_TRUE(unit_tree_html({}).empty());
}

TEST(UnitTree, SurvivesACycle) {
    std::vector<UnitNode> units{{1, 2, "A", "a"}, {2, 1, "B", "b"}};
    EXPECT_NO_THROW(unit_tree_html(units));
}
