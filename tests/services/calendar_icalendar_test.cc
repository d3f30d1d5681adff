// The pure iCalendar writer (services/calendar/icalendar.h): RFC 5545 TEXT escaping, line
// folding at 75 octets without splitting a UTF-8 character, CRLF line endings, stable UIDs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/calendar/icalendar.h"
#include "services/common/clock.h"

namespace branchline::icalendar {
namespace {

constexpr int64_t kSec = 1'000'000;

// The physical lines of `text`, each checked to end in CRLF (and no bare LF or CR inside).
std::vector<std::string> PhysicalLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "the text does not end in CRLF";
    if (end == std::string::npos) break;
    std::string line = text.substr(pos, end - pos);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "bare LF in " << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << "bare CR in " << line;
    lines.push_back(line);
    pos = end + 2;
  }
  return lines;
}

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
    if ((c & 0xC0) == 0x80 || i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

v1::Meeting SampleMeeting(uint64_t id, const std::string& title) {
  v1::Meeting m;
  m.set_id(id);
  m.set_type(v1::MEETING_TYPE_SAFETY_MEETING);
  m.set_title(title);
  *m.mutable_start_time() = ToTimestamp(1'796'284'800LL * kSec);  // 2026-12-03T08:00:00Z
  *m.mutable_end_time() = ToTimestamp(1'796'288'400LL * kSec);    // 09:00:00Z
  return m;
}

TEST(ICalendarTest, EscapesBackslashSemicolonCommaAndLineBreaks) {
  EXPECT_EQ(EscapeText(R"(a\b;c,d)"), R"(a\\b\;c\,d)");
  EXPECT_EQ(EscapeText("one\ntwo\r\nthree\rfour"), R"(one\ntwo\nthree\nfour)");
  EXPECT_EQ(EscapeText("安全例会，第一次"), "安全例会，第一次");  // a full-width comma is text
  EXPECT_EQ(EscapeText(std::string("bell\x07tab\t", 9)), "belltab\t");
  EXPECT_EQ(EscapeText(":colon \"quote\""), ":colon \"quote\"");
}

TEST(ICalendarTest, ShortLineIsOneLineWithCrlf) {
  EXPECT_EQ(FoldLine("SUMMARY:short"), "SUMMARY:short\r\n");
  const std::string exactly75 = "SUMMARY:" + std::string(75 - 8, 'x');
  EXPECT_EQ(FoldLine(exactly75), exactly75 + "\r\n");
  EXPECT_EQ(FoldLine(exactly75 + "y"), exactly75 + "\r\n y\r\n");
}

TEST(ICalendarTest, FoldsALongChineseTitleWithoutSplittingACharacter) {
  std::string title;
  for (int i = 0; i < 60; ++i) title += "安全生产例会";  // 3 octets a character
  const std::string line = "SUMMARY:" + EscapeText(title + "，第1次, 车队");
  const std::string folded = FoldLine(line);
  const auto lines = PhysicalLines(folded);
  ASSERT_GT(lines.size(), 10u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 75u) << "line " << i;
    if (i > 0) {
      ASSERT_FALSE(lines[i].empty());
      EXPECT_EQ(lines[i][0], ' ') << "line " << i;
    }
    // Each physical line (without the leading space) is whole UTF-8 on its own.
    EXPECT_TRUE(IsValidUtf8(i == 0 ? lines[i] : lines[i].substr(1))) << "line " << i;
    // Folding fills lines: only the last is short by more than one character.
    if (i + 1 < lines.size()) {
      EXPECT_GE(lines[i].size(), 73u) << "line " << i;
    }
  }
  EXPECT_EQ(Unfold(folded), line + "\r\n");
}

TEST(ICalendarTest, FoldsAsciiAtExactly75Octets) {
  const std::string line = "DESCRIPTION:" + std::string(300, 'a');
  const auto lines = PhysicalLines(FoldLine(line));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].size(), 75u);
  for (size_t i = 1; i + 1 < lines.size(); ++i) EXPECT_EQ(lines[i].size(), 75u);
  EXPECT_EQ(Unfold(FoldLine(line)), line + "\r\n");
}

TEST(ICalendarTest, UtcDateTimes) {
  EXPECT_EQ(UtcDateTime(1'796'284'800LL * kSec), "20261203T080000Z");
  EXPECT_EQ(UtcDateTime(1'796'284'800LL * kSec + 999'999), "20261203T080000Z");
  EXPECT_EQ(UtcDateTime(0), "19700101T000000Z");
}

TEST(ICalendarTest, WholeFileHasCrlfEverywhereAndTheProperties) {
  v1::Meeting a = SampleMeeting(7, "安全例会, 第一次; 车队\\调度");
  a.mutable_place()->set_name("车队调度室");
  a.mutable_place()->set_latitude(39.9);
  a.mutable_place()->set_longitude(116.4);
  a.mutable_window()->set_opens_minutes_before(30);
  a.mutable_window()->set_late_after_minutes(5);
  a.mutable_window()->set_closes_minutes_after(60);
  a.set_agenda("1. 学习\n2. 讨论");
  *a.mutable_update_time() = ToTimestamp(1'796'200'000LL * kSec);
  v1::Meeting b = SampleMeeting(8, "Cancelled");
  b.set_cancelled(true);
  const std::string text = Calendar({a, b}, CalendarInfo{.stamp_micros = 1'796'280'000LL * kSec});
  PhysicalLines(text);  // CRLF everywhere
  const std::string unfolded = Unfold(text);
  const auto lines = PhysicalLines(unfolded);
  ASSERT_GE(lines.size(), 8u);
  EXPECT_EQ(lines[0], "BEGIN:VCALENDAR");
  EXPECT_EQ(lines[1], "VERSION:2.0");
  EXPECT_EQ(lines[2], "PRODID:-//Branchline//Branchline//ZH");
  EXPECT_EQ(lines[3], "CALSCALE:GREGORIAN");
  EXPECT_EQ(lines[4], "METHOD:PUBLISH");
  EXPECT_EQ(lines[5], "X-WR-CALNAME:支部会议");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  auto has = [&](const std::string& want) {
    for (const auto& l : lines) {
      if (l == want) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("UID:meeting-7@branchline"));
  EXPECT_TRUE(has("UID:meeting-8@branchline"));
  EXPECT_TRUE(has("DTSTAMP:20261203T064000Z"));
  EXPECT_TRUE(has("DTSTART:20261203T080000Z"));
  EXPECT_TRUE(has("DTEND:20261203T090000Z"));
  EXPECT_TRUE(has(R"(SUMMARY:安全例会\, 第一次\; 车队\\调度)"));
  EXPECT_TRUE(has("LOCATION:车队调度室"));
  EXPECT_TRUE(has("GEO:39.900000;116.400000"));
  EXPECT_TRUE(has("LAST-MODIFIED:20261202T082640Z"));
  EXPECT_TRUE(has(
      R"(DESCRIPTION:安全例会\n签到：开始前 30 分钟起，开始后 5 分钟算迟到，60 分钟截止\n议程：1. 学习\n2. 讨论)"))
      << unfolded;
  EXPECT_TRUE(has("STATUS:CONFIRMED"));
  EXPECT_TRUE(has("STATUS:CANCELLED"));
  int events = 0;
  for (const auto& l : lines) events += l == "BEGIN:VEVENT";
  EXPECT_EQ(events, 2);
  for (const auto& l : PhysicalLines(text)) EXPECT_LE(l.size(), 75u) << l;
}

TEST(ICalendarTest, UidIsStableAcrossExports) {
  const v1::Meeting m = SampleMeeting(42, "周一安全例会");
  v1::Meeting renamed = m;
  renamed.set_title("周二安全例会");
  *renamed.mutable_start_time() = ToTimestamp(1'796'371'200LL * kSec);
  EXPECT_EQ(MeetingUid(42), "meeting-42@branchline");
  const std::string first = Calendar({m}, CalendarInfo{.stamp_micros = 1});
  const std::string second = Calendar({renamed}, CalendarInfo{.stamp_micros = 99 * kSec});
  EXPECT_NE(first.find("UID:meeting-42@branchline\r\n"), std::string::npos);
  EXPECT_NE(second.find("UID:meeting-42@branchline\r\n"), std::string::npos);
  // The same input gives the same file.
  EXPECT_EQ(first, Calendar({m}, CalendarInfo{.stamp_micros = 1}));
}

}  // namespace
}  // namespace branchline::icalendar
