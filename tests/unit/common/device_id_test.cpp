// common/ids/device_id: docs/API.md's device-id rule (1-200 bytes, no controls or spaces), which
// stream paths, webhook filters and published events share.
#include "common/ids/device_id.hpp"

#include <gtest/gtest.h>

#include <string>

using ssegw::ids::valid_device_id;

TEST(device_id, accepts_1_to_200_visible_bytes) {
    EXPECT_TRUE(valid_device_id("a"));
    EXPECT_TRUE(valid_device_id("cam-1"));
    EXPECT_TRUE(valid_device_id("!~\"#$%&'()*+,./:;<=>?@[\\]^_`{|}"));
    EXPECT_TRUE(valid_device_id(std::string(200, 'x')));
    EXPECT_TRUE(valid_device_id("攝影機-1"));  // UTF-8 bytes are not controls
}

TEST(device_id, refuses_empty_and_over_200_bytes) {
    EXPECT_FALSE(valid_device_id(""));
    EXPECT_FALSE(valid_device_id(std::string(201, 'x')));
    // 67 three-byte characters: 67 code points, 201 bytes.
    std::string cjk;
    for (int i = 0; i < 67; ++i) cjk += "機";
    EXPECT_EQ(cjk.size(), 201u);
    EXPECT_FALSE(valid_device_id(cjk));
}

TEST(device_id, refuses_spaces_and_controls_anywhere) {
    for (char bad : {' ', '\t', '\n', '\r', '\0', '\x01', '\x1f', '\x7f'}) {
        std::string s = "cam1";
        s[0] = bad;
        EXPECT_FALSE(valid_device_id(s)) << static_cast<int>(bad);
        s[0] = 'c';
        s[3] = bad;
        EXPECT_FALSE(valid_device_id(s)) << static_cast<int>(bad);
        EXPECT_FALSE(valid_device_id(std::string(1, bad))) << static_cast<int>(bad);
    }
}
