// The attendance fleet (attendance_fixture.h) with RecordsService: a meeting of the branch
// held two hours ago, and helpers to write its record and the branch's ledger.
#pragma once

#include <string>

#include "branchline/v1/records.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {

class RecordsTest : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    records_ = v1::RecordsService::NewStub(server_.channel());
    held_ = MustCreate(Draft(Now() - 2 * kHour, v1::MEETING_TYPE_GENERAL_MEETING)).id();
  }

  static v1::LocalDate Date(int year, int month, int day) {
    v1::LocalDate d;
    d.set_year(year);
    d.set_month(month);
    d.set_day(day);
    return d;
  }

  // Minutes of `meeting` with one resolution, two speakers and a problem owned by d1.
  v1::MeetingRecord RecordDraft(uint64_t meeting) const {
    v1::MeetingRecord r;
    r.set_meeting_id(meeting);
    r.set_minutes("## 组织生活会纪要\n\n王书记通报了支部工作，张师傅作了批评与自我批评。");
    r.add_resolutions("下月起每周一安全例会前学习十分钟");
    r.add_speakers()->set_person_id(secretary_id_);
    r.add_speakers()->set_name("车队队长");
    auto* p = r.add_problems();
    p->set_description("出车记录填写不全");
    p->set_owner_id(d1_id_);
    *p->mutable_due_date() = Date(2030, 1, 31);
    return r;
  }

  grpc::Status Save(const v1::MeetingRecord& record, uint64_t expected, v1::MeetingRecord* out,
                    const std::string& token = "", const std::string& reason = "") {
    v1::SaveMeetingRecordRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_record() = record;
    r.set_expected_version(expected);
    r.set_reason(reason);
    return records_->SaveMeetingRecord(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::MeetingRecord MustSave(const v1::MeetingRecord& record, uint64_t expected,
                             const std::string& reason = "") {
    v1::MeetingRecord out;
    auto status = Save(record, expected, &out, "", reason);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status Lock(uint64_t meeting, uint64_t expected, v1::MeetingRecord* out,
                    const std::string& token = "") {
    v1::LockMeetingRecordRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(meeting);
    r.set_expected_version(expected);
    return records_->LockMeetingRecord(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  grpc::Status GetRecord(uint64_t meeting, uint32_t revision, v1::MeetingRecord* out,
                         const std::string& token = "") {
    v1::GetMeetingRecordRequest r;
    r.set_meeting_id(meeting);
    r.set_revision(revision);
    return records_->GetMeetingRecord(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  grpc::Status Fix(uint64_t meeting, uint32_t problem, const std::string& text,
                   v1::MeetingRecord* out, const std::string& token = "") {
    v1::FixProblemRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(meeting);
    r.set_problem_id(problem);
    r.set_text(text);
    return records_->FixProblem(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }

  // A talk of the branch on `date` counting for `item`.
  v1::LedgerEntry EntryDraft(const v1::LocalDate& date, const std::string& item = "") const {
    v1::LedgerEntry e;
    e.set_organization_id(branch_);
    e.set_type(v1::LEDGER_ENTRY_TYPE_TALK);
    e.set_talk_level(v1::TALK_LEVEL_SECRETARY_MEMBER);
    *e.mutable_date() = date;
    e.set_place("车队调度室");
    e.add_person_ids(d1_id_);
    e.set_text("与张师傅谈心，了解家中老人住院的困难。");
    e.set_item_code(item);
    return e;
  }
  grpc::Status AddEntry(const v1::LedgerEntry& entry, v1::LedgerEntry* out,
                        const std::string& token = "") {
    v1::CreateLedgerEntryRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_entry() = entry;
    return records_->CreateLedgerEntry(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::LedgerEntry MustAddEntry(const v1::LedgerEntry& entry) {
    v1::LedgerEntry out;
    auto status = AddEntry(entry, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Three major items of seed 003's kind: two with minor items, one without.
  v1::LedgerItems ItemsDraft(uint64_t org) const {
    v1::LedgerItems items;
    items.set_organization_id(org);
    auto* study = items.add_majors();
    study->set_code("1");
    study->set_title("政治学习");
    auto* m11 = study->add_minors();
    m11->set_code("1.1");
    m11->set_title("谈心谈话");
    auto* m12 = study->add_minors();
    m12->set_code("1.2");
    m12->set_title("走访慰问");
    auto* service = items.add_majors();
    service->set_code("2");
    service->set_title("志愿服务");
    auto* m21 = service->add_minors();
    m21->set_code("2.1");
    m21->set_title("义务劳动");
    auto* help = items.add_majors();
    help->set_code("3");
    help->set_title("困难帮扶");
    return items;
  }
  grpc::Status SetItems(const v1::LedgerItems& items, v1::LedgerItems* out,
                        const std::string& token = "") {
    v1::SetLedgerItemsRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_items() = items;
    return records_->SetLedgerItems(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }

  // The google.rpc.ErrorInfo reason of a status ("" when none).
  static std::string Reason(const grpc::Status& status) {
    // Every reasoned refusal also carries its Chinese message (docs/errors.md), all
    // placeholders filled from its metadata.
    RefusalDetails details = DetailsOf(status);
    if (!details.reason.empty()) {
      EXPECT_EQ(details.domain, "branchline.v1");
      EXPECT_EQ(details.locale, "zh-CN") << details.reason;
      EXPECT_FALSE(details.message.empty()) << details.reason;
      EXPECT_EQ(details.message.find('{'), std::string::npos) << details.message;
    }
    return details.reason;
  }

  std::unique_ptr<v1::RecordsService::Stub> records_;
  uint64_t held_ = 0;
};

}  // namespace branchline::testing
