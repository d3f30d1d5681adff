#include "server/request_limits.h"

#include <string>
#include <unordered_map>

namespace branchline {

namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kDefault = 64 * kKiB;

// Why each is bigger than the default: the field limits it must fit.
const std::unordered_map<std::string_view, size_t>& Limits() {
  static const auto* limits = new std::unordered_map<std::string_view, size_t>{
      // Audiences of up to 10,000 people (Access::CheckAudience).
      {"AttendanceService/CreateMeeting", 256 * kKiB},
      {"AttendanceService/UpdateMeeting", 256 * kKiB},
      {"SyncService/PostNotice", 256 * kKiB},
      // Material bodies of up to 100,000 characters (4 bytes each at worst).
      {"StudyService/CreateMaterial", 512 * kKiB},
      {"StudyService/UpdateMaterial", 512 * kKiB},
      // Study notes of up to 100,000 characters (StudySettings.max_notes_chars).
      {"StudyService/RecordStudy", 512 * kKiB},
      {"StudyService/UpdateStudyRecord", 512 * kKiB},
      // 200 plan items, each with an audience.
      {"StudyService/CreateStudyPlan", 1024 * kKiB},
      {"StudyService/UpdateStudyPlan", 1024 * kKiB},
      // 1,000 rows.
      {"PersonService/ImportPeople", 1024 * kKiB},
      // 500 questions with their options, and 100 offline actions of any kind: the
      // server-wide cap.
      {"StudyService/CreateQuiz", kMaxReceiveBytes},
      {"SyncService/UploadActions", kMaxReceiveBytes},
  };
  return *limits;
}

}  // namespace

size_t MaxRequestBytes(std::string_view method) {
  constexpr std::string_view kPackage = "/branchline.v1.";
  if (method.substr(0, kPackage.size()) == kPackage) method.remove_prefix(kPackage.size());
  auto it = Limits().find(method);
  return it == Limits().end() ? kDefault : it->second;
}

bool IsRawMethod(std::string_view method) {
  return method == "/branchline.v1.AttendanceService/CheckIn" ||
         method == "/branchline.v1.AttendanceService/ListMyMeetings" ||
         method == "/branchline.v1.StudyService/RecordStudy" ||
         method == "/branchline.v1.FeedbackService/SubmitLetter" ||
         // The server streams (AsyncStreamCall).
         method == "/branchline.v1.SyncService/WatchChanges" ||
         method == "/branchline.v1.AttendanceService/ExportRoster" ||
         method == "/branchline.v1.AttendanceService/ExportAttendanceReport" ||
         method == "/branchline.v1.CalendarService/ExportMyCalendar" ||
         method == "/branchline.v1.EvaluationService/ExportRoundResults" ||
         method == "/branchline.v1.NotificationService/StreamOutbox";
}

}  // namespace branchline
