// --log-format json, the formatter alone: every line one JSON object with time, level and
// message, whatever the message holds.
#include "server/json_log_formatter.h"

#include <gtest/gtest.h>

#include <regex>

#include "nlohmann/json.hpp"
#include "spdlog/details/log_msg.h"

namespace branchline {
namespace {

std::string Format(spdlog::level::level_enum level, std::string_view message) {
  JsonLogFormatter formatter;
  spdlog::details::log_msg msg("", level, spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(JsonLogFormatter, OneObjectPerLineWithTheTextLinesFields) {
  const std::string line = Format(spdlog::level::info, "branchline-server stopped");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  const auto json = nlohmann::ordered_json::parse(line);
  ASSERT_EQ(json.size(), 3u) << line;
  auto it = json.begin();
  EXPECT_EQ(it++.key(), "time");
  EXPECT_EQ(it++.key(), "level");
  EXPECT_EQ(it++.key(), "message");
  EXPECT_TRUE(std::regex_match(json["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)")))
      << line;
  EXPECT_EQ(json["level"], "info");
  EXPECT_EQ(json["message"], "branchline-server stopped");
  EXPECT_EQ(nlohmann::json::parse(Format(spdlog::level::warn, "x"))["level"], "warning");
  EXPECT_EQ(nlohmann::json::parse(Format(spdlog::level::err, "x"))["level"], "error");
}

TEST(JsonLogFormatter, QuotesChineseAndControlCharactersStayValidJson) {
  const std::string message = "data in /srv/数据 \"支部\" \\ tab\there\nsecond line \x01 end";
  const std::string line = Format(spdlog::level::info, message);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "a newline in the message is escaped: " << line;
  EXPECT_NE(line.find("数据"), std::string::npos) << "UTF-8 kept, not \\u-escaped: " << line;
  EXPECT_EQ(nlohmann::json::parse(line)["message"], message);
}

TEST(JsonLogFormatter, InvalidUtf8IsReplacedNotDropped) {
  const std::string line = Format(spdlog::level::err, "bad \xff\xfe bytes 签到");
  const auto json = nlohmann::json::parse(line);  // would throw on invalid UTF-8
  EXPECT_EQ(json["message"], "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes 签到");
}

}  // namespace
}  // namespace branchline
