// Members' public commitments: recorded by party members, progress reported by their maker
// only, published to the staff of the organisation's subtree; and their authorization matrix.
#include <map>

#include "tests/services/evaluation_fixture.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/change_feed.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class CommitmentsTest : public EvaluationTest {
 protected:
  grpc::Status Record(const std::string& token, const std::string& text, v1::Commitment* out,
                      const std::string& period = "2026", const std::string& request_id = "") {
    v1::RecordCommitmentRequest r;
    r.set_request_id(request_id.empty() ? TestServer::RequestId() : request_id);
    r.mutable_commitment()->set_period_label(period);
    r.mutable_commitment()->set_text(text);
    r.mutable_commitment()->set_post("收费班长");
    return eval_->RecordCommitment(Ctx(token).get(), r, out);
  }
  grpc::Status Report(const std::string& token, uint64_t id, const std::string& text,
                      v1::Commitment* out) {
    v1::ReportCommitmentProgressRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_commitment_id(id);
    r.set_text(text);
    return eval_->ReportCommitmentProgress(Ctx(token).get(), r, out);
  }
  grpc::Status List(const std::string& token, uint64_t org, v1::ListCommitmentsResponse* out,
                    const std::string& period = "") {
    v1::ListCommitmentsRequest r;
    r.set_organization_id(org);
    r.set_mine(org == 0);
    r.set_period_label(period);
    return eval_->ListCommitments(Ctx(token).get(), r, out);
  }
};

TEST_F(CommitmentsTest, RecordReportAndPublishToTheStaff) {
  v1::Commitment c, again;
  ASSERT_TRUE(Record(d1_, "全年安全行车无事故，带好两名新司机", &c, "2026", "pledge-1").ok());
  ASSERT_TRUE(Record(d1_, "全年安全行车无事故，带好两名新司机", &again, "2026", "pledge-1").ok());
  EXPECT_EQ(c.id(), again.id());
  EXPECT_EQ(c.person_id(), d1_id_);
  EXPECT_EQ(c.organization_id(), group_);
  v1::Commitment q3;
  ASSERT_TRUE(Record(d2_, "三季度节油百分之五", &q3, "2026Q3").ok());
  // Progress: the maker only.
  v1::Commitment reported;
  ASSERT_TRUE(Report(d1_, c.id(), "上半年带教一名新司机", &reported).ok());
  ASSERT_EQ(reported.progress_size(), 1);
  EXPECT_EQ(reported.progress(0).text(), "上半年带教一名新司机");
  EXPECT_EQ(Report(d2_, c.id(), "代报", &reported).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Report(d1_, c.id() + 999, "x", &reported).error_code(), grpc::NOT_FOUND);
  auto status = Report(d1_, c.id(), " ", &reported);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "text");
  // Published to the branch's staff: the employee d3 reads both, newest first; by period.
  v1::ListCommitmentsResponse list;
  ASSERT_TRUE(List(d3_, branch_, &list).ok());
  ASSERT_EQ(list.commitments_size(), 2);
  EXPECT_EQ(list.commitments(0).id(), q3.id());
  EXPECT_EQ(list.commitments(1).progress_size(), 1);
  ASSERT_TRUE(List(d3_, branch_, &list, "2026Q3").ok());
  ASSERT_EQ(list.commitments_size(), 1);
  ASSERT_TRUE(List(d1_, 0, &list).ok());  // mine
  ASSERT_EQ(list.commitments_size(), 1);
  EXPECT_EQ(list.commitments(0).id(), c.id());
  EXPECT_EQ(List(outsider_, branch_, &list).error_code(), grpc::PERMISSION_DENIED);
  // Bad input names the field; employees make no commitments.
  status = Record(d1_, "", &again);
  EXPECT_EQ(ViolationField(status), "commitment.text");
  status = Record(d1_, "好", &again, std::string(41, 'x'));
  EXPECT_EQ(ViolationField(status), "commitment.period_label");
  EXPECT_EQ(Record(d3_, "好好干", &again).error_code(), grpc::PERMISSION_DENIED);
}

// A commitment and its progress reach the phones of the staff of the maker's organisation
// (who may list it), members and employees alike; nobody of another branch.
TEST_F(CommitmentsTest, StaffPhonesPullCommitments) {
  ChangeFeed employee(server_.channel(), d3_), colleague(server_.channel(), d2_),
      outsider(server_.channel(), outsider_);
  v1::Commitment c, reported;
  ASSERT_TRUE(Record(d1_, "全年安全行车无事故", &c).ok());
  ASSERT_TRUE(Report(d1_, c.id(), "上半年无事故", &reported).ok());
  const std::vector<std::string> expected = {ChangeFeed::Entry("commitment", "recorded", c.id()),
                                             ChangeFeed::Entry("commitment", "reported", c.id())};
  EXPECT_EQ(employee.Since(), expected);
  EXPECT_EQ(colleague.Since(), expected);
  EXPECT_TRUE(outsider.Since().empty());
  v1::ListCommitmentsResponse list;
  ASSERT_TRUE(List(d3_, group_, &list).ok());  // the employee reads what the feed named
  ASSERT_EQ(list.commitments_size(), 1);
  EXPECT_EQ(list.commitments(0).id(), c.id());
}

class CommitmentsAuthorizationTest : public CommitmentsTest {
 protected:
  void SetUp() override {
    CommitmentsTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_EVALUATION_READ);
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    v1::Commitment c;
    EXPECT_TRUE(Record(d1_, "保障道路畅通", &c).ok());
    commitment_ = c.id();
  }
  std::map<std::string, std::string> tokens_;
  uint64_t commitment_ = 0;
};

// Party members record their own (the sibling branch's secretary too, in her branch); only
// the maker reports progress; managers, read-scoped services and the staff of the branch's
// subtree read the branch's board.
TEST_F(CommitmentsAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"RecordCommitment", "ReportCommitmentProgress(d1's)",
                                        "ListCommitments(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {DENIED,   NOTFOUND, NOTFOUND}},
    {"member of group below",    {OK,       OK,       OK}},
    {"employee of group below",  {DENIED,   DENIED,   OK}},
    {"secretary of branch",      {OK,       DENIED,   OK}},
    {"secretary of sibling",     {OK,       DENIED,   DENIED}},
    {"admin above",              {DENIED,   DENIED,   OK}},
    {"service with scope",       {DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"evaluation-commitments", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 const std::string& token = tokens_.at(caller);
                 v1::Commitment out;
                 if (op == "RecordCommitment") return Record(token, "多拉快跑", &out).error_code();
                 if (op == "ReportCommitmentProgress(d1's)") {
                   return Report(token, commitment_, "已完成一半", &out).error_code();
                 }
                 v1::ListCommitmentsResponse list;
                 return List(token, branch_, &list).error_code();
               });
}

}  // namespace
}  // namespace branchline::testing
