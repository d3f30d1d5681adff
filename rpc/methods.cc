#include "rpc/methods.h"

#include <unordered_map>

namespace branchline::rpc {

namespace {

constexpr size_t kKiB = 1024;
// Request limits. The default, for every method whose fields cannot legitimately hold more:
constexpr size_t k64KiB = 64 * kKiB;
// The larger ones, each the largest valid request rounded up: audiences of up to 10,000 people
// (CreateMeeting, UpdateMeeting, PostNotice: 256 KiB); material bodies and study notes of up
// to 100,000 characters, 4 bytes each at worst (512 KiB); 200 plan items each with an audience
// and 1,000 imported people (1 MiB); 500 quiz questions with their options and 100 offline
// actions of any kind (the server-wide cap).
constexpr size_t k256KiB = 256 * kKiB;
constexpr size_t k512KiB = 512 * kKiB;
constexpr size_t k1MiB = 1024 * kKiB;
constexpr size_t kCap = kMaxReceiveBytes;

struct Service {
  std::string_view name;
  std::vector<Method> methods;  // with `service` left empty: Flatten fills it in
};

std::vector<Method>* Flatten(std::vector<Service> services) {
  auto* all = new std::vector<Method>;
  for (Service& s : services) {
    for (Method& m : s.methods) {
      m.service = s.name;
      all->push_back(m);
    }
  }
  return all;
}

const std::vector<Method>& Table() {
  using enum Auth;
  using enum Serving;
  using enum Log;
  using enum Effect;
  // clang-format off
  //          method                            auth               request  serving  log               effect
  static const auto* table = Flatten({
      {"AdminService",
       {
           {"CreateBackup",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListBackups",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"VerifyBackup",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"AuditService",
       {
           {"ListAuditRecords",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportAuditRecords",              kSession,          k64KiB,  kStream, kCaller,          kReads},
       }},
      {"AttendanceService",
       {
           {"CreateMeeting",                   kSession,          k256KiB, kSync,   kCaller,          kWrites},
           {"GetMeeting",                      kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMeetings",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMyMeetings",                  kSession,          k64KiB,  kAsync,  kCaller,          kReads},
           {"UpdateMeeting",                   kSession,          k256KiB, kSync,   kCaller,          kWrites},
           {"CancelMeeting",                   kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetCheckInCode",                  kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"CheckIn",                         kSession,          k64KiB,  kAsync,  kCaller,          kWrites},
           {"MarkAttendance",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"RequestLeave",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"DecideLeave",                     kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListLeaveRequests",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetLeaveRequest",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"RecordMakeUp",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetRoster",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetAttendanceHistory",            kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetAttendanceReport",             kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetMeetingSchedule",              kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"SetMeetingSchedule",              kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetComplianceReport",             kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportRoster",                    kSession,          k64KiB,  kStream, kCaller,          kReads},
           {"ExportAttendanceReport",          kSession,          k64KiB,  kStream, kCaller,          kReads},
       }},
      {"PersonService",
       {
           {"CreatePerson",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetPerson",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListPeople",                      kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdatePerson",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"DeactivatePerson",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ImportPeople",                    kSession,          k1MiB,   kSync,   kCaller,          kWrites},
           {"ChangeMembership",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListMemberships",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"AuthService",
       {
           {"SignIn",                          kNone,             k64KiB,  kSync,   kCaller,          kWrites},
           {"RefreshToken",                    kNone,             k64KiB,  kSync,   kCaller,          kWrites},
           {"SignOut",                         kAnySession,       k64KiB,  kSync,   kCaller,          kWrites},
           {"ChangePassword",                  kAnySession,       k64KiB,  kSync,   kCaller,          kWrites},
           {"CreateServiceAccount",            kSession,          k64KiB,  kSync,   kCaller,          kWrites},
       }},
      {"CalendarService",
       {
           {"CreateMeetingSeries",             kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetMeetingSeries",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMeetingSeries",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListSeriesOccurrences",           kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"EndMeetingSeries",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateMeetingSeries",             kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SplitMeetingSeries",              kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SetHolidays",                     kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListHolidays",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"RequestAbsence",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"DecideAbsence",                   kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"WithdrawAbsence",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListAbsences",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportMyCalendar",                kSession,          k64KiB,  kStream, kCaller,          kReads},
       }},
      {"DutiesService",
       {
           {"CreateResponsibilityArea",        kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateResponsibilityArea",        kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"CreateDemonstrationPost",         kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateDemonstrationPost",         kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"CreateDutyGroup",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateDutyGroup",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"JoinDutyGroup",                   kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"LeaveDutyGroup",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"EndDuty",                         kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetDutyBoard",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMyDuties",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"EvaluationService",
       {
           {"CreateRound",                     kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetRound",                        kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListRounds",                      kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"CloseRound",                      kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SubmitSelfScore",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SubmitRating",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SubmitOverallMark",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"IssueBallot",                     kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SubmitBallotRating",              kBallot,           k64KiB,  kSync,   kNoLine,          kWrites},
           {"GetRoundResults",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportRoundResults",              kSession,          k64KiB,  kStream, kCaller,          kReads},
           {"RecordCommitment",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ReportCommitmentProgress",        kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListCommitments",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"CreateCommendation",              kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListHonours",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"FeedbackService",
       {
           {"SubmitLetter",                    kSession,          k64KiB,  kAsync,  kUnlessAnonymous, kWrites},
           {"GetLetter",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMyLetters",                   kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListInbox",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"TransitionLetter",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"EscalateLetter",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"AssignLetter",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ReplyToLetter",                   kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"AddInternalNote",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListLetterEvents",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetLetterByReceipt",              kReceipt,          k64KiB,  kSync,   kNoLine,          kReads},
           {"ReplyByReceipt",                  kReceipt,          k64KiB,  kSync,   kNoLine,          kWrites},
           {"RateLetter",                      kSessionOrReceipt, k64KiB,  kSync,   kUnlessAnonymous, kWrites},
           {"GetFeedbackSettings",             kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateFeedbackSettings",          kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetFeedbackFigures",              kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"RegisterLetter",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"RecordLetterOutcome",             kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"MarkLetterMisconduct",            kSession,          k64KiB,  kSync,   kCaller,          kWrites},
       }},
      {"FileService",
       {
           {"StartUpload",                     kSession,          k64KiB,  kSync,   kUnlessAnonymous, kWrites},
           {"UploadChunk",                     kSession,          k1MiB,   kSync,   kUnlessAnonymous, kWrites},
           {"GetUpload",                       kSession,          k64KiB,  kSync,   kUnlessAnonymous, kReads},
           {"FinishUpload",                    kSession,          k64KiB,  kSync,   kUnlessAnonymous, kWrites},
           {"GetFile",                         kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetFileContent",                  kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListFiles",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"AttachFile",                      kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"DetachFile",                      kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListAttachments",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"HandbookService",
       {
           {"GetBranchHandbook",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportBranchHandbook",            kSession,          k64KiB,  kStream, kCaller,          kReads},
           {"GetMemberHandbook",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ExportMemberHandbook",            kSession,          k64KiB,  kStream, kCaller,          kReads},
       }},
      {"NotificationService",
       {
           {"ListMyNotifications",             kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"MarkNotificationsRead",           kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"StreamOutbox",                    kSession,          k64KiB,  kStream, kCaller,          kReads},
           {"AckOutbox",                       kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"RegisterDevice",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"RemoveDevice",                    kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListDevices",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetNotificationSettings",         kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateNotificationSettings",      kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetMyNotificationPreferences",    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateMyNotificationPreferences", kSession,          k64KiB,  kSync,   kCaller,          kWrites},
       }},
      {"OrganizationService",
       {
           {"CreateOrganization",              kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetOrganization",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListOrganizations",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateOrganization",              kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"MoveOrganization",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ArchiveOrganization",             kSession,          k64KiB,  kSync,   kCaller,          kWrites},
       }},
      {"RecordsService",
       {
           {"SaveMeetingRecord",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"GetMeetingRecord",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMeetingRecordRevisions",      kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"LockMeetingRecord",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateProblem",                   kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"FixProblem",                      kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListOpenProblems",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"SetLedgerItems",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListLedgerItems",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"CreateLedgerEntry",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"UpdateLedgerEntry",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"VoidLedgerEntry",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListLedgerEntries",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetLedgerReport",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"StudyService",
       {
           {"CreateMaterial",                  kSession,          k512KiB, kSync,   kCaller,          kWrites},
           {"GetMaterial",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMaterials",                   kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateMaterial",                  kSession,          k512KiB, kSync,   kCaller,          kWrites},
           {"ArchiveMaterial",                 kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"CreateStudyPlan",                 kSession,          k1MiB,   kSync,   kCaller,          kWrites},
           {"GetStudyPlan",                    kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListStudyPlans",                  kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"UpdateStudyPlan",                 kSession,          k1MiB,   kSync,   kCaller,          kWrites},
           {"ListMyPlanItems",                 kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"RecordStudy",                     kSession,          k512KiB, kAsync,  kCaller,          kWrites},
           {"UpdateStudyRecord",               kSession,          k512KiB, kSync,   kCaller,          kWrites},
           {"DeleteStudyRecord",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListStudyRecords",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetStudyProgress",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetStudyReport",                  kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetLeaderboard",                  kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"GetStudySettings",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"SetStudySettings",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"CreateQuiz",                      kSession,          kCap,    kSync,   kCaller,          kWrites},
           {"GetQuiz",                         kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListQuizzes",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"StartQuizAttempt",                kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"SubmitQuizAttempt",               kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListQuizAttempts",                kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
      {"SyncService",
       {
           {"UploadActions",                   kSession,          kCap,    kSync,   kCaller,          kWrites},
           {"ListChanges",                     kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"WatchChanges",                    kSession,          k64KiB,  kStream, kCaller,          kReads},
           {"ListFeed",                        kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"PostNotice",                      kSession,          k256KiB, kSync,   kCaller,          kWrites},
           {"GetNotice",                       kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"ListMyNotices",                   kSession,          k64KiB,  kSync,   kCaller,          kReads},
           {"MarkNoticeRead",                  kSession,          k64KiB,  kSync,   kCaller,          kWrites},
           {"ListNoticeReaders",               kSession,          k64KiB,  kSync,   kCaller,          kReads},
       }},
  });
  // clang-format on
  return *table;
}

}  // namespace

const std::vector<Method>& AllMethods() { return Table(); }

std::string Path(const Method& method) {
  return "/branchline.v1." + std::string(method.service) + "/" + std::string(method.name);
}

const Method* FindMethod(std::string_view path) {
  // Keyed by views of the paths kept beside it (reserved first, so the views stay valid): a
  // lookup allocates nothing. Held by a static pointer, so leak checkers see it reachable.
  struct Index {
    std::vector<std::string> paths;
    std::unordered_map<std::string_view, const Method*> by_path;
  };
  static const Index* index = [] {
    auto* built = new Index;
    built->paths.reserve(Table().size());
    for (const Method& m : Table()) built->by_path.emplace(built->paths.emplace_back(Path(m)), &m);
    return built;
  }();
  auto it = index->by_path.find(path);
  return it == index->by_path.end() ? nullptr : it->second;
}

}  // namespace branchline::rpc
