#include "services/common/text.h"

#include <gtest/gtest.h>

#include "services/common/paging.h"

namespace branchline {
namespace {

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("学习强国"), 4u);  // 3 bytes each
  EXPECT_EQ(Utf8Length("打卡👍"), 3u);     // emoji is 4 bytes, one character
  EXPECT_EQ(Utf8Length("é"), 1u);
}

TEST(Utf8Length, RejectsInvalidUtf8) {
  EXPECT_FALSE(Utf8Length("\xff"));
  EXPECT_FALSE(Utf8Length("\xe5\xad"));          // truncated
  EXPECT_FALSE(Utf8Length("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(Utf8Length("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(Utf8Length("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(CheckText, NamesTheFieldAndCountsCharacters) {
  EXPECT_TRUE(CheckText("name", "运输四队", 1, 4).ok());
  auto too_long = CheckText("person.display_name", "运输四队党支部", 1, 4);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(too_long.message()).rfind("person.display_name:", 0), 0u);
  EXPECT_FALSE(CheckText("name", "", 1, 4).ok());
  EXPECT_FALSE(CheckText("name",
                         "a\x01"
                         "b",
                         1, 10)
                   .ok());
  EXPECT_FALSE(CheckText("name", "a\nb", 1, 10).ok());
  EXPECT_TRUE(CheckText("body", "a\nb", 1, 10, /*multiline=*/true).ok());
  EXPECT_FALSE(CheckText("name", "\xff", 0, 10).ok());
}

TEST(Paging, PageSizeDefaultsCapsAndRefusesNegative) {
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
  EXPECT_EQ(*PageSize(5), 5);
  EXPECT_EQ(*PageSize(1'000'000), kMaxPageSize);
  EXPECT_EQ(PageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Paging, TokensOnlyDecodeForTheirOwnPrefix) {
  std::string token = EncodePageToken("prefix-A-last");
  EXPECT_EQ(*DecodePageToken(token, "prefix-A"), "prefix-A-last");
  EXPECT_EQ(DecodePageToken(token, "prefix-B").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("!!!not base64", "p").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*DecodePageToken("", "p"), "");
}

}  // namespace
}  // namespace branchline
