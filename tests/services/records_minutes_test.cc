// Meeting records: revisions after the lock, optimistic concurrency, problems from open to
// fixed, who reads them, what phones are told, and bad input naming its field.
#include <string>
#include <vector>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/records_fixture.h"

namespace branchline::testing {
namespace {

class RecordsMinutesTest : public RecordsTest {};

TEST_F(RecordsMinutesTest, LockedRecordChangesOnlyAsNewRevisionsWithAReason) {
  auto draft = RecordDraft(held_);
  auto first = MustSave(draft, 0);
  EXPECT_EQ(first.revision(), 1u);
  EXPECT_EQ(first.version(), 1u);
  EXPECT_EQ(first.organization_id(), branch_);
  EXPECT_EQ(first.recorded_by(), secretary_id_);
  ASSERT_EQ(first.problems_size(), 1);
  EXPECT_EQ(first.problems(0).id(), 1u);
  EXPECT_EQ(first.problems(0).status(), v1::PROBLEM_STATUS_OPEN);

  // Before the lock: edited in place, the revision stays 1.
  draft.set_minutes("## 组织生活会纪要（修订）\n\n补记：李师傅发言。");
  auto second = MustSave(draft, first.version());
  EXPECT_EQ(second.revision(), 1u);
  EXPECT_EQ(second.version(), 2u);

  v1::MeetingRecord locked;
  ASSERT_TRUE(Lock(held_, second.version(), &locked).ok());
  EXPECT_TRUE(locked.locked());
  EXPECT_EQ(locked.locked_by(), secretary_id_);
  EXPECT_EQ(locked.revision(), 1u);

  // After it: a change without a reason is refused and writes nothing.
  draft.set_minutes("改写后的纪要");
  v1::MeetingRecord out;
  auto refused = Save(draft, locked.version(), &out);
  EXPECT_EQ(refused.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(refused), "reason");
  EXPECT_EQ(Reason(refused), "REASON_REQUIRED");
  ASSERT_TRUE(GetRecord(held_, 0, &out).ok());
  EXPECT_EQ(out.version(), locked.version());

  auto revised = MustSave(draft, locked.version(), "补充遗漏的决议");
  EXPECT_EQ(revised.revision(), 2u);
  EXPECT_EQ(revised.reason(), "补充遗漏的决议");
  EXPECT_TRUE(revised.locked());

  // The signed-off revision is still readable, unchanged.
  v1::MeetingRecord one;
  ASSERT_TRUE(GetRecord(held_, 1, &one).ok());
  EXPECT_EQ(one.minutes(), second.minutes());
  EXPECT_TRUE(one.locked());
  EXPECT_EQ(one.revision(), 1u);
  v1::MeetingRecord current;
  ASSERT_TRUE(GetRecord(held_, 0, &current).ok());
  EXPECT_EQ(current.minutes(), "改写后的纪要");

  auto missing = GetRecord(held_, 3, &out);
  EXPECT_EQ(missing.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "revision");

  v1::ListMeetingRecordRevisionsRequest list;
  list.set_meeting_id(held_);
  list.set_page_size(1);
  v1::ListMeetingRecordRevisionsResponse page;
  ASSERT_TRUE(records_->ListMeetingRecordRevisions(Ctx(secretary_).get(), list, &page).ok());
  ASSERT_EQ(page.revisions_size(), 1);
  EXPECT_EQ(page.revisions(0).revision(), 1u);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(records_->ListMeetingRecordRevisions(Ctx(secretary_).get(), list, &page).ok());
  ASSERT_EQ(page.revisions_size(), 1);
  EXPECT_EQ(page.revisions(0).revision(), 2u);
  EXPECT_EQ(page.revisions(0).reason(), "补充遗漏的决议");
  EXPECT_TRUE(page.next_page_token().empty());

  // Signing off twice is a state conflict with its own reason.
  auto twice = Lock(held_, revised.version(), &out);
  EXPECT_EQ(twice.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(twice), "ALREADY_LOCKED");
}

// Everything a call wrote (record, revision, open-problem indexes, idempotent answer) is in
// one durable commit: after a restart the revisions, the open problems and a retried request
// read exactly as before.
TEST_F(RecordsMinutesTest, RevisionsProblemsAndRetriesSurviveARestart) {
  auto draft = RecordDraft(held_);
  auto* second = draft.add_problems();
  second->set_description("安全培训签到缺人");
  second->set_owner_id(d2_id_);
  *second->mutable_due_date() = Date(2031, 6, 30);
  auto saved = MustSave(draft, 0);
  v1::MeetingRecord locked, fixed;
  ASSERT_TRUE(Lock(held_, saved.version(), &locked).ok());
  v1::FixProblemRequest fix;
  fix.set_request_id("fix-after-restart");
  fix.set_meeting_id(held_);
  fix.set_problem_id(1);
  fix.set_text("已补全");
  ASSERT_TRUE(records_->FixProblem(Ctx(d1_).get(), fix, &fixed).ok());

  server_.Restart();
  records_ = v1::RecordsService::NewStub(server_.channel());  // the new server's port
  v1::MeetingRecord out;
  ASSERT_TRUE(GetRecord(held_, 1, &out).ok());
  EXPECT_EQ(out.SerializeAsString(), locked.SerializeAsString());
  ASSERT_TRUE(GetRecord(held_, 2, &out).ok());
  EXPECT_EQ(out.SerializeAsString(), fixed.SerializeAsString());
  v1::MeetingRecord retried;
  ASSERT_TRUE(records_->FixProblem(Ctx(d1_).get(), fix, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), fixed.SerializeAsString());
  v1::ListOpenProblemsRequest by_org;
  by_org.set_organization_id(branch_);
  v1::ListOpenProblemsResponse open;
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(secretary_).get(), by_org, &open).ok());
  ASSERT_EQ(open.problems_size(), 1);
  EXPECT_EQ(open.problems(0).problem().owner_id(), d2_id_);
}

TEST_F(RecordsMinutesTest, TwoEditorsDoNotOverwriteEachOther) {
  auto base = MustSave(RecordDraft(held_), 0);
  // Both read version 1; the first save wins, the second is told to read again.
  auto mine = RecordDraft(held_);
  mine.set_minutes("书记的版本");
  auto theirs = RecordDraft(held_);
  theirs.set_minutes("组织委员的版本");
  auto saved = MustSave(mine, base.version());
  v1::MeetingRecord out;
  auto stale = Save(theirs, base.version(), &out, admin_);
  EXPECT_EQ(stale.error_code(), grpc::ABORTED);
  EXPECT_EQ(ViolationField(stale), "expected_version");
  EXPECT_EQ(Reason(stale), "STALE_VERSION");
  // Creating a record that exists (expected_version 0) is the same conflict.
  EXPECT_EQ(Save(theirs, 0, &out, admin_).error_code(), grpc::ABORTED);
  ASSERT_TRUE(GetRecord(held_, 0, &out).ok());
  EXPECT_EQ(out.minutes(), "书记的版本");
  EXPECT_EQ(out.version(), saved.version());
}

TEST_F(RecordsMinutesTest, RetryWithTheSameRequestIdSavesOnce) {
  v1::SaveMeetingRecordRequest r;
  r.set_request_id(TestServer::RequestId());
  *r.mutable_record() = RecordDraft(held_);
  v1::MeetingRecord a, b;
  ASSERT_TRUE(records_->SaveMeetingRecord(Ctx(secretary_).get(), r, &a).ok());
  ASSERT_TRUE(records_->SaveMeetingRecord(Ctx(secretary_).get(), r, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(b.version(), 1u);
  r.mutable_record()->set_minutes("另一份");
  EXPECT_EQ(records_->SaveMeetingRecord(Ctx(secretary_).get(), r, &b).error_code(),
            grpc::ALREADY_EXISTS);
}

TEST_F(RecordsMinutesTest, OnlyAHeldMeetingHasARecord) {
  const uint64_t later = MustCreate(Draft(Now() + 2 * kHour)).id();
  v1::MeetingRecord out;
  auto status = Save(RecordDraft(later), 0, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "record.meeting_id");
  EXPECT_EQ(Reason(status), "MEETING_NOT_HELD");

  const uint64_t cancelled = MustCreate(Draft(Now() - kHour)).id();
  v1::CancelMeetingRequest cancel;
  cancel.set_request_id(TestServer::RequestId());
  cancel.set_id(cancelled);
  cancel.set_reason("暴雪");
  v1::Meeting meeting;
  ASSERT_TRUE(stub_->CancelMeeting(Ctx(secretary_).get(), cancel, &meeting).ok());
  EXPECT_EQ(Reason(Save(RecordDraft(cancelled), 0, &out)), "MEETING_NOT_HELD");
  EXPECT_EQ(GetRecord(later, 0, &out).error_code(), grpc::NOT_FOUND);
}

TEST_F(RecordsMinutesTest, ProblemsGoFromOpenToFixedOverdueFirst) {
  auto draft = RecordDraft(held_);
  draft.mutable_problems(0)->set_description("安全带检查走过场");
  *draft.mutable_problems(0)->mutable_due_date() = Date(2030, 3, 1);
  auto* late = draft.add_problems();
  late->set_description("学习笔记未按期上交");
  late->set_owner_id(d2_id_);
  *late->mutable_due_date() = Date(2020, 1, 1);  // already overdue
  auto saved = MustSave(draft, 0);
  ASSERT_EQ(saved.problems_size(), 2);
  const uint32_t d1_problem = saved.problems(0).id();
  const uint32_t d2_problem = saved.problems(1).id();
  EXPECT_NE(d1_problem, d2_problem);

  v1::ListOpenProblemsRequest by_org;
  by_org.set_organization_id(branch_);
  v1::ListOpenProblemsResponse open;
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(secretary_).get(), by_org, &open).ok());
  ASSERT_EQ(open.problems_size(), 2);
  EXPECT_EQ(open.problems(0).problem().id(), d2_problem);
  EXPECT_TRUE(open.problems(0).overdue());
  EXPECT_FALSE(open.problems(1).overdue());
  EXPECT_EQ(open.problems(1).meeting_id(), held_);

  v1::ListOpenProblemsRequest mine;
  mine.set_mine(true);
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(d1_).get(), mine, &open).ok());
  ASSERT_EQ(open.problems_size(), 1);
  EXPECT_EQ(open.problems(0).problem().id(), d1_problem);

  // Another member is neither its owner nor runs the meeting.
  v1::MeetingRecord out;
  EXPECT_EQ(Fix(held_, d1_problem, "已整改", &out, d3_).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Fix(held_, d1_problem, "每车每日检查并签字", &out, d1_).ok());
  const auto& fixed = out.problems(0);
  EXPECT_EQ(fixed.status(), v1::PROBLEM_STATUS_FIXED);
  EXPECT_EQ(fixed.fix().fixed_by(), d1_id_);
  EXPECT_EQ(fixed.fix().text(), "每车每日检查并签字");
  EXPECT_TRUE(fixed.fix().has_fix_time());
  auto again = Fix(held_, d1_problem, "再次", &out, d1_);
  EXPECT_EQ(again.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(again), "PROBLEM_FIXED");

  ASSERT_TRUE(records_->ListOpenProblems(Ctx(d1_).get(), mine, &open).ok());
  EXPECT_EQ(open.problems_size(), 0);
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(secretary_).get(), by_org, &open).ok());
  ASSERT_EQ(open.problems_size(), 1);
  EXPECT_EQ(open.problems(0).problem().id(), d2_problem);

  // A save that leaves the fixed problem out keeps it; one that rewrites it is refused.
  ASSERT_TRUE(GetRecord(held_, 0, &out).ok());
  auto edit = RecordDraft(held_);
  edit.clear_problems();
  *edit.add_problems() = out.problems(1);
  auto kept = MustSave(edit, out.version());
  ASSERT_EQ(kept.problems_size(), 2);
  edit.clear_problems();
  *edit.add_problems() = out.problems(0);
  edit.mutable_problems(0)->set_description("改写已整改的问题");
  auto rewrite = Save(edit, kept.version(), &out);
  EXPECT_EQ(rewrite.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(rewrite), "PROBLEM_FIXED");

  // Dropping the open problem takes it off the lists.
  edit.clear_problems();
  auto dropped = MustSave(edit, kept.version());
  ASSERT_EQ(dropped.problems_size(), 1);
  EXPECT_EQ(dropped.problems(0).status(), v1::PROBLEM_STATUS_FIXED);
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(secretary_).get(), by_org, &open).ok());
  EXPECT_EQ(open.problems_size(), 0);
}

TEST_F(RecordsMinutesTest, AnOwnersProblemsAreListedForThemAndThoseWhoManageThem) {
  MustSave(RecordDraft(held_), 0);
  v1::ListOpenProblemsRequest r;
  r.set_owner_id(d1_id_);
  v1::ListOpenProblemsResponse open;
  for (const auto& token : {secretary_, d1_, admin_}) {
    ASSERT_TRUE(records_->ListOpenProblems(Ctx(token).get(), r, &open).ok());
    EXPECT_EQ(open.problems_size(), 1);
  }
  EXPECT_EQ(records_->ListOpenProblems(Ctx(d2_).get(), r, &open).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(records_->ListOpenProblems(Ctx(outsider_).get(), r, &open).error_code(),
            grpc::PERMISSION_DENIED);
  r.set_owner_id(d1_id_ + 4242);
  auto missing = records_->ListOpenProblems(Ctx(secretary_).get(), r, &open);
  EXPECT_EQ(missing.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "owner_id");
  r.set_mine(true);  // two selectors at once
  EXPECT_EQ(records_->ListOpenProblems(Ctx(secretary_).get(), r, &open).error_code(),
            grpc::INVALID_ARGUMENT);
  v1::ListOpenProblemsRequest mine;
  mine.set_mine(true);
  EXPECT_EQ(records_
                ->ListOpenProblems(Ctx(server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ)).get(),
                                   mine, &open)
                .error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(RecordsMinutesTest, UpdateProblemMovesItToItsNewOwner) {
  auto saved = MustSave(RecordDraft(held_), 0);
  v1::UpdateProblemRequest r;
  r.set_request_id(TestServer::RequestId());
  r.set_meeting_id(held_);
  *r.mutable_problem() = saved.problems(0);
  r.mutable_problem()->set_owner_id(d2_id_);
  r.set_expected_version(saved.version());
  v1::MeetingRecord out;
  ASSERT_TRUE(records_->UpdateProblem(Ctx(secretary_).get(), r, &out).ok());
  EXPECT_EQ(out.problems(0).owner_id(), d2_id_);
  v1::ListOpenProblemsRequest mine;
  mine.set_mine(true);
  v1::ListOpenProblemsResponse open;
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(d1_).get(), mine, &open).ok());
  EXPECT_EQ(open.problems_size(), 0);
  ASSERT_TRUE(records_->ListOpenProblems(Ctx(d2_).get(), mine, &open).ok());
  EXPECT_EQ(open.problems_size(), 1);

  r.set_request_id(TestServer::RequestId());
  EXPECT_EQ(Reason(records_->UpdateProblem(Ctx(secretary_).get(), r, &out)), "STALE_VERSION");
  r.set_expected_version(out.version());
  r.mutable_problem()->set_id(99);
  auto missing = records_->UpdateProblem(Ctx(secretary_).get(), r, &out);
  EXPECT_EQ(missing.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "problem.id");
}

TEST_F(RecordsMinutesTest, AFixAfterTheLockIsANewRevision) {
  auto saved = MustSave(RecordDraft(held_), 0);
  v1::MeetingRecord locked, out;
  ASSERT_TRUE(Lock(held_, saved.version(), &locked).ok());
  ASSERT_TRUE(Fix(held_, 1, "已补全出车记录", &out, d1_).ok());
  EXPECT_EQ(out.revision(), 2u);
  EXPECT_FALSE(out.reason().empty());
  v1::MeetingRecord one;
  ASSERT_TRUE(GetRecord(held_, 1, &one).ok());
  EXPECT_EQ(one.problems(0).status(), v1::PROBLEM_STATUS_OPEN);
}

TEST_F(RecordsMinutesTest, ReadersAreTheAudienceManagersOwnersAndScopedServices) {
  MustSave(RecordDraft(held_), 0);
  v1::MeetingRecord out;
  EXPECT_TRUE(GetRecord(held_, 0, &out, d3_).ok());  // an employee the meeting expected
  EXPECT_EQ(GetRecord(held_, 0, &out, outsider_).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(
      GetRecord(held_, 0, &out, server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ)).ok());
  EXPECT_EQ(GetRecord(held_, 0, &out, server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ))
                .error_code(),
            grpc::PERMISSION_DENIED);

  // A meeting for a list of people: d2 was not called, but owns a problem, so reads it.
  auto draft = Draft(Now() - kHour, v1::MEETING_TYPE_COMMITTEE_MEETING);
  draft.mutable_audience()->add_person_ids(secretary_id_);
  draft.mutable_audience()->add_person_ids(d1_id_);
  const uint64_t committee = MustCreate(draft).id();
  auto record = RecordDraft(committee);
  EXPECT_EQ(Save(record, 0, &out).error_code(), grpc::OK);
  EXPECT_EQ(GetRecord(committee, 0, &out, d2_).error_code(), grpc::PERMISSION_DENIED);
  auto* p = record.add_problems();
  p->set_description("会前材料未分发");
  p->set_owner_id(d2_id_);
  *p->mutable_due_date() = Date(2030, 1, 1);
  record.mutable_problems(0)->set_id(1);
  ASSERT_TRUE(Save(record, out.version(), &out).ok());
  EXPECT_TRUE(GetRecord(committee, 0, &out, d2_).ok());
  EXPECT_TRUE(GetRecord(committee, 0, &out, d1_).ok());
  EXPECT_EQ(GetRecord(committee, 0, &out, d3_).error_code(), grpc::PERMISSION_DENIED);
}

TEST_F(RecordsMinutesTest, PhonesAreToldOfALockAndOfTheirProblems) {
  auto sync = v1::SyncService::NewStub(server_.channel());
  auto cursor = [&](const std::string& token) {
    v1::ListChangesRequest r;
    v1::ListChangesResponse out;
    EXPECT_TRUE(sync->ListChanges(Ctx(token).get(), r, &out).ok());
    return out.next_cursor();
  };
  auto changes = [&](const std::string& token, const std::string& from) {
    v1::ListChangesRequest r;
    r.set_cursor(from);
    v1::ListChangesResponse out;
    EXPECT_TRUE(sync->ListChanges(Ctx(token).get(), r, &out).ok());
    std::vector<std::string> kinds;
    for (const auto& c : out.changes()) kinds.push_back(c.kind() + ":" + c.action());
    return kinds;
  };
  const std::string d1_from = cursor(d1_), d2_from = cursor(d2_), out_from = cursor(outsider_);
  auto saved = MustSave(RecordDraft(held_), 0);
  v1::MeetingRecord locked;
  ASSERT_TRUE(Lock(held_, saved.version(), &locked).ok());
  auto d1_kinds = changes(d1_, d1_from);
  EXPECT_NE(std::find(d1_kinds.begin(), d1_kinds.end(), "meeting_problem:assigned"),
            d1_kinds.end());
  EXPECT_NE(std::find(d1_kinds.begin(), d1_kinds.end(), "meeting_record:locked"), d1_kinds.end());
  auto d2_kinds = changes(d2_, d2_from);
  EXPECT_EQ(std::find(d2_kinds.begin(), d2_kinds.end(), "meeting_problem:assigned"),
            d2_kinds.end());
  EXPECT_NE(std::find(d2_kinds.begin(), d2_kinds.end(), "meeting_record:locked"), d2_kinds.end());
  EXPECT_TRUE(changes(outsider_, out_from).empty());
}

TEST_F(RecordsMinutesTest, BadInputNamesItsFieldAndWritesNothing) {
  struct Case {
    std::string name;
    std::function<void(v1::MeetingRecord&)> spoil;
    grpc::StatusCode code;
    std::string field;
  };
  std::string long_minutes;
  for (int i = 0; i < 20001; ++i) long_minutes += "纪";
  const std::vector<Case> cases = {
      {"no meeting", [](v1::MeetingRecord& r) { r.set_meeting_id(0); }, grpc::INVALID_ARGUMENT,
       "record.meeting_id"},
      {"unknown meeting", [](v1::MeetingRecord& r) { r.set_meeting_id(r.meeting_id() + 999); },
       grpc::NOT_FOUND, "record.meeting_id"},
      {"empty minutes", [](v1::MeetingRecord& r) { r.set_minutes(""); }, grpc::INVALID_ARGUMENT,
       "record.minutes"},
      {"minutes too long", [&](v1::MeetingRecord& r) { r.set_minutes(long_minutes); },
       grpc::INVALID_ARGUMENT, "record.minutes"},
      {"control character", [](v1::MeetingRecord& r) { r.set_minutes("纪要\x01"); },
       grpc::INVALID_ARGUMENT, "record.minutes"},
      {"empty resolution", [](v1::MeetingRecord& r) { r.add_resolutions("  "); },
       grpc::INVALID_ARGUMENT, "record.resolutions[1]"},
      {"speaker both", [](v1::MeetingRecord& r) { r.mutable_speakers(0)->set_name("王"); },
       grpc::INVALID_ARGUMENT, "record.speakers[0]"},
      {"speaker neither", [](v1::MeetingRecord& r) { r.add_speakers(); }, grpc::INVALID_ARGUMENT,
       "record.speakers[2]"},
      {"unknown speaker",
       [](v1::MeetingRecord& r) { r.mutable_speakers(0)->set_person_id(r.meeting_id() + 777); },
       grpc::NOT_FOUND, "record.speakers[0].person_id"},
      {"no description", [](v1::MeetingRecord& r) { r.mutable_problems(0)->set_description(""); },
       grpc::INVALID_ARGUMENT, "record.problems[0].description"},
      {"no owner", [](v1::MeetingRecord& r) { r.mutable_problems(0)->set_owner_id(0); },
       grpc::INVALID_ARGUMENT, "record.problems[0].owner_id"},
      {"unknown owner",
       [](v1::MeetingRecord& r) { r.mutable_problems(0)->set_owner_id(r.meeting_id() + 555); },
       grpc::NOT_FOUND, "record.problems[0].owner_id"},
      {"no due date", [](v1::MeetingRecord& r) { r.mutable_problems(0)->clear_due_date(); },
       grpc::INVALID_ARGUMENT, "record.problems[0].due_date"},
      {"bad due date",
       [](v1::MeetingRecord& r) { r.mutable_problems(0)->mutable_due_date()->set_month(13); },
       grpc::INVALID_ARGUMENT, "record.problems[0].due_date"},
      {"unknown problem id", [](v1::MeetingRecord& r) { r.mutable_problems(0)->set_id(42); },
       grpc::NOT_FOUND, "record.problems[0].id"},
  };
  for (const auto& c : cases) {
    auto record = RecordDraft(held_);
    c.spoil(record);
    v1::MeetingRecord out;
    auto status = Save(record, 0, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field) << c.name;
  }
  v1::MeetingRecord out;
  EXPECT_EQ(GetRecord(held_, 0, &out).error_code(), grpc::NOT_FOUND);

  // The limits are characters, not bytes: 20,000 Chinese characters (60,000 bytes) fit.
  auto record = RecordDraft(held_);
  record.set_minutes(long_minutes.substr(3));
  EXPECT_TRUE(Save(record, 0, &out).ok());

  v1::FixProblemRequest fix;
  fix.set_request_id(TestServer::RequestId());
  fix.set_meeting_id(held_);
  fix.set_problem_id(1);
  EXPECT_EQ(ViolationField(records_->FixProblem(Ctx(secretary_).get(), fix, &out)), "text");
  v1::ListOpenProblemsRequest list;
  v1::ListOpenProblemsResponse open;
  EXPECT_EQ(ViolationField(records_->ListOpenProblems(Ctx(secretary_).get(), list, &open)),
            "organization_id");
  list.set_organization_id(branch_);
  list.set_page_size(-1);
  EXPECT_EQ(ViolationField(records_->ListOpenProblems(Ctx(secretary_).get(), list, &open)),
            "page_size");
}

}  // namespace
}  // namespace branchline::testing
