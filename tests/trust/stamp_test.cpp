// The visible stamp's image: its size follows the rectangle and the scale, it has text in it
// (dark pixels inside the frame), and sizes that make no sense are refused.
#include "trust/stamp.hpp"

#include <gtest/gtest.h>

using namespace idara::trust;

namespace {

int dark_pixels(const StampImage& img, int margin) {
    int n = 0;
    for (int y = margin; y < img.height - margin; ++y)
        for (int x = margin; x < img.width - margin; ++x) {
            const auto* p = reinterpret_cast<const unsigned char*>(img.rgb.data()) + (static_cast<std::size_t>(y) * img.width + x) * 3;
            if (p[0] < 100 && p[1] < 100 && p[2] < 100) ++n;
        }
    return n;
}

TEST(Stamp, RendersArabicAndFrenchLinesIntoAnImageOfTheScaledSize) {
    VisibleStamp s{.page = 1, .x = 10, .y = 10, .width = 200, .height = 60,
                   .lines = {"وقعه: أمينة الإدريسي", "بتاريخ 2026-03-01", "Signé par Amina El Idrissi"}};
    auto img = render_stamp(s, 3.0);
    ASSERT_TRUE(img) << img.error().detail;
    EXPECT_EQ(img->width, 600);
    EXPECT_EQ(img->height, 180);
    ASSERT_EQ(img->rgb.size(), 600u * 180u * 3u);
    EXPECT_GT(dark_pixels(*img, 12), 500);  // text, not only the frame
    EXPECT_EQ(stamp_text(s), "وقعه: أمينة الإدريسي\nبتاريخ 2026-03-01\nSigné par Amina El Idrissi");
}

TEST(Stamp, BlankLinesGiveOnlyTheFrame) {
    VisibleStamp s{.width = 100, .height = 40, .lines = {" "}};
    auto img = render_stamp(s, 2.0);
    ASSERT_TRUE(img);
    EXPECT_EQ(dark_pixels(*img, 8), 0);
}

TEST(Stamp, NonPositiveOrHugeSizesAndNoLinesAreRefused) {
    for (const auto& [w, h] : {std::pair{0.0, 10.0}, {10.0, -1.0}, {5000.0, 10.0}}) {
        VisibleStamp s{.width = w, .height = h, .lines = {"x"}};
        auto img = render_stamp(s);
        ASSERT_FALSE(img);
        EXPECT_EQ(img.error().code, "trust.sign_stamp");
        EXPECT_EQ(img.error().status, 400);
    }
    VisibleStamp none{.width = 10, .height = 10};
    EXPECT_FALSE(render_stamp(none));
}

}  // namespace
