// ExportMyCalendar through a real server: a driver's upcoming meetings as an iCalendar file,
// streamed in chunks (services/calendar/calendar_export.h, icalendar.h).
#include <string>
#include <vector>

#include "services/calendar/icalendar.h"
#include "tests/services/calendar_fixture.h"

namespace branchline::testing {
namespace {

class CalendarExportTest : public CalendarTest {
 protected:
  // The file as the stream sends it, chunks joined; `status` its end.
  std::string Export(const std::string& token, int days, grpc::Status* status,
                     int* chunks = nullptr) {
    v1::ExportMyCalendarRequest r;
    r.set_days(days);
    auto ctx = Ctx(token);
    auto reader = calendar_->ExportMyCalendar(ctx.get(), r);
    std::string file;
    v1::CalendarFileChunk chunk;
    int n = 0;
    while (reader->Read(&chunk)) {
      file += chunk.data();
      ++n;
    }
    *status = reader->Finish();
    if (chunks) *chunks = n;
    return file;
  }

  // The content lines of a file (unfolded, split at CRLF).
  static std::vector<std::string> ContentLines(const std::string& file) {
    std::vector<std::string> lines;
    const std::string text = icalendar::Unfold(file);
    size_t pos = 0;
    for (size_t end; (end = text.find("\r\n", pos)) != std::string::npos; pos = end + 2) {
      lines.push_back(text.substr(pos, end - pos));
    }
    EXPECT_EQ(pos, text.size()) << "the file does not end in CRLF";
    return lines;
  }

  static std::vector<std::string> Values(const std::vector<std::string>& lines,
                                         const std::string& name) {
    std::vector<std::string> out;
    for (const auto& l : lines) {
      if (l.rfind(name + ":", 0) == 0) out.push_back(l.substr(name.size() + 1));
    }
    return out;
  }
};

TEST_F(CalendarExportTest, ADriverGetsExactlyTheirUpcomingMeetings) {
  auto first = Draft(Now() + 2 * kDay);
  first.set_title("周一安全例会, 冬季行车安全；车队");
  first.mutable_place()->set_name("车队调度室");
  const auto a = MustCreate(first);
  auto second = Draft(Now() + 5 * kDay, v1::MEETING_TYPE_PARTY_LECTURE);
  second.set_title("党课：" + std::string(40, 'x') + "学习二十届三中全会精神，结合行车安全谈体会");
  const auto b = MustCreate(second);
  // Another organisation's meeting (the sibling branch's audience): not the driver's.
  auto other = Draft(Now() + 3 * kDay);
  other.set_organization_id(sibling_);
  v1::Meeting other_out;
  ASSERT_TRUE(Create(other, &other_out, admin_).ok());
  // Beyond `days`.
  MustCreate(Draft(Now() + 10 * kDay));
  // Cancelled: left out.
  const auto cancelled = MustCreate(Draft(Now() + 4 * kDay));
  {
    v1::CancelMeetingRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(cancelled.id());
    r.set_reason("改期");
    v1::Meeting out;
    auto status = stub_->CancelMeeting(Ctx(secretary_).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status status;
  const std::string file = Export(d1_, 7, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(file.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  // Every physical line ends in CRLF and is at most 75 octets.
  size_t pos = 0;
  for (size_t end; (end = file.find("\r\n", pos)) != std::string::npos; pos = end + 2) {
    EXPECT_LE(end - pos, 75u) << file.substr(pos, end - pos);
    EXPECT_EQ(file.substr(pos, end - pos).find('\n'), std::string::npos);
  }
  EXPECT_EQ(pos, file.size());

  const auto lines = ContentLines(file);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_EQ(Values(lines, "BEGIN"), (std::vector<std::string>{"VCALENDAR", "VEVENT", "VEVENT"}));
  EXPECT_EQ(Values(lines, "UID"),
            (std::vector<std::string>{"meeting-" + std::to_string(a.id()) + "@branchline",
                                      "meeting-" + std::to_string(b.id()) + "@branchline"}));
  EXPECT_EQ(Values(lines, "DTSTART"),
            (std::vector<std::string>{icalendar::UtcDateTime(ToMicros(a.start_time())),
                                      icalendar::UtcDateTime(ToMicros(b.start_time()))}));
  EXPECT_EQ(Values(lines, "SUMMARY"),
            (std::vector<std::string>{R"(周一安全例会\, 冬季行车安全；车队)",
                                      icalendar::EscapeText(second.title())}));
  EXPECT_EQ(Values(lines, "LOCATION"), (std::vector<std::string>{"车队调度室"}));
  EXPECT_EQ(Values(lines, "STATUS"), (std::vector<std::string>{"CONFIRMED", "CONFIRMED"}));
  ASSERT_EQ(Values(lines, "DESCRIPTION").size(), 2u);
  EXPECT_EQ(Values(lines, "DESCRIPTION")[1].rfind("党课", 0), 0u);

  // A second export names the same events (UIDs are stable); the default range has the 10-day
  // meeting too.
  const std::string again = Export(d1_, 0, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto uids = Values(ContentLines(again), "UID");
  ASSERT_EQ(uids.size(), 3u);
  EXPECT_EQ(uids[0], "meeting-" + std::to_string(a.id()) + "@branchline");
  EXPECT_EQ(uids[1], "meeting-" + std::to_string(b.id()) + "@branchline");
}

TEST_F(CalendarExportTest, ALargeFileComesInSeveralChunks) {
  auto draft = Draft(Now() + kDay);
  draft.set_agenda(std::string(1900, 'a'));
  for (int i = 0; i < 20; ++i) {
    *draft.mutable_start_time() = Ts(Now() + (i + 1) * kDay);
    *draft.mutable_end_time() = Ts(Now() + (i + 1) * kDay + kHour);
    MustCreate(draft);
  }
  grpc::Status status;
  int chunks = 0;
  const std::string file = Export(d2_, 30, &status, &chunks);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(chunks, 2);
  EXPECT_EQ(Values(ContentLines(file), "UID").size(), 20u);
}

TEST_F(CalendarExportTest, DaysOutOfRangeIsInvalidArgumentNamingDays) {
  for (int days : {-1, 367, 100000}) {
    grpc::Status status;
    Export(d1_, days, &status);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << days;
    EXPECT_NE(status.error_message().find("days"), std::string::npos) << status.error_message();
  }
  grpc::Status status;
  Export(d1_, 366, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(CalendarExportTest, WithoutATokenIsUnauthenticated) {
  grpc::Status status;
  const std::string file = Export("", 7, &status);
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED) << status.error_message();
  EXPECT_TRUE(file.empty());
}

TEST_F(CalendarExportTest, WithNoMeetingsTheFileIsAnEmptyCalendar) {
  grpc::Status status;
  const std::string file = Export(outsider_, 7, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto lines = ContentLines(file);
  EXPECT_EQ(Values(lines, "BEGIN"), (std::vector<std::string>{"VCALENDAR"}));
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
}

}  // namespace
}  // namespace branchline::testing
