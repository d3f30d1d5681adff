#include "services/calendar/icalendar.h"

#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "services/attendance/attendance_csv.h"
#include "services/common/clock.h"

namespace branchline::icalendar {

namespace {
// RFC 5545 3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break."
constexpr size_t kMaxLineOctets = 75;
constexpr std::string_view kCrlf = "\r\n";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void AddLine(std::string& out, std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  line += value;
  out += FoldLine(line);
}

std::string WindowText(const v1::CheckInWindow& w) {
  return "签到：开始前 " + std::to_string(w.opens_minutes_before()) + " 分钟起，开始后 " +
         std::to_string(w.late_after_minutes()) + " 分钟算迟到，" +
         std::to_string(w.closes_minutes_after()) + " 分钟截止";
}
}  // namespace

std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string FoldLine(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 70 * 3 + 2);
  size_t limit = kMaxLineOctets;  // the first physical line has no leading space
  while (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && IsUtf8Continuation(line[cut])) --cut;
    if (cut == 0) cut = limit;  // not UTF-8: cut anyway rather than loop
    out.append(line.substr(0, cut));
    out += kCrlf;
    out += ' ';
    line.remove_prefix(cut);
    limit = kMaxLineOctets - 1;
  }
  out.append(line);
  out += kCrlf;
  return out;
}

std::string Unfold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 2 < text.size() && text[i + 1] == '\n' &&
        (text[i + 2] == ' ' || text[i + 2] == '\t')) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string UtcDateTime(int64_t micros) {
  const int64_t seconds = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[80];
  std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

std::string MeetingUid(uint64_t meeting_id) {
  return "meeting-" + std::to_string(meeting_id) + "@branchline";
}

std::string Calendar(const std::vector<v1::Meeting>& meetings, const CalendarInfo& info) {
  std::string out;
  AddLine(out, "BEGIN", "VCALENDAR");
  AddLine(out, "VERSION", "2.0");
  AddLine(out, "PRODID", "-//Branchline//Branchline//ZH");
  AddLine(out, "CALSCALE", "GREGORIAN");
  AddLine(out, "METHOD", "PUBLISH");
  AddLine(out, "X-WR-CALNAME", EscapeText(info.name));
  const std::string stamp = UtcDateTime(info.stamp_micros);
  for (const auto& m : meetings) {
    AddLine(out, "BEGIN", "VEVENT");
    AddLine(out, "UID", MeetingUid(m.id()));
    AddLine(out, "DTSTAMP", stamp);
    AddLine(out, "DTSTART", UtcDateTime(ToMicros(m.start_time())));
    AddLine(out, "DTEND", UtcDateTime(ToMicros(m.end_time())));
    AddLine(out, "SUMMARY", EscapeText(m.title()));
    if (m.has_place()) {
      if (!m.place().name().empty()) AddLine(out, "LOCATION", EscapeText(m.place().name()));
      char geo[64];
      std::snprintf(geo, sizeof geo, "%.6f;%.6f", m.place().latitude(), m.place().longitude());
      AddLine(out, "GEO", geo);
    }
    std::string description = attendance::TypeLabel(m.type());
    if (m.has_window()) absl::StrAppend(&description, "\n", WindowText(m.window()));
    if (m.remote_allowed()) absl::StrAppend(&description, "\n可远程参加");
    if (!m.agenda().empty()) absl::StrAppend(&description, "\n议程：", m.agenda());
    if (m.cancelled() && !m.cancel_reason().empty()) {
      absl::StrAppend(&description, "\n已取消：", m.cancel_reason());
    }
    AddLine(out, "DESCRIPTION", EscapeText(description));
    if (m.has_update_time()) {
      AddLine(out, "LAST-MODIFIED", UtcDateTime(ToMicros(m.update_time())));
    }
    AddLine(out, "STATUS", m.cancelled() ? "CANCELLED" : "CONFIRMED");
    AddLine(out, "END", "VEVENT");
  }
  AddLine(out, "END", "VCALENDAR");
  return out;
}

}  // namespace branchline::icalendar
