// Commendations and the honours board: created by managers for people and organisations of
// their subtree, read by the organisation's staff; and their authorization matrix.
#include <map>

#include "tests/services/evaluation_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class HonoursTest : public EvaluationTest {
 protected:
  v1::Commendation Draft() {
    v1::Commendation c;
    c.set_organization_id(branch_);
    c.set_title("优秀党员");
    c.set_period_label("2026");
    c.add_person_ids(d1_id_);
    c.add_honoured_organization_ids(group_);
    c.set_reason("全年安全行车无事故");
    return c;
  }
  grpc::Status Create(const std::string& token, const v1::Commendation& draft,
                      v1::Commendation* out, const std::string& request_id = "") {
    v1::CreateCommendationRequest r;
    r.set_request_id(request_id.empty() ? TestServer::RequestId() : request_id);
    *r.mutable_commendation() = draft;
    return eval_->CreateCommendation(Ctx(token).get(), r, out);
  }
  grpc::Status Board(const std::string& token, uint64_t org, v1::ListHonoursResponse* out,
                     const std::string& period = "") {
    v1::ListHonoursRequest r;
    r.set_organization_id(org);
    r.set_period_label(period);
    return eval_->ListHonours(Ctx(token).get(), r, out);
  }
};

TEST_F(HonoursTest, ManagersCommendStaffReadTheBoard) {
  // After a round of the branch.
  auto round = MustCreateRound(RoundDraft());
  auto draft = Draft();
  draft.set_round_id(round.id());
  v1::Commendation first, again;
  ASSERT_TRUE(Create(secretary_, draft, &first, "honour-2026").ok());
  ASSERT_TRUE(Create(secretary_, draft, &again, "honour-2026").ok());
  EXPECT_EQ(first.id(), again.id());
  EXPECT_EQ(first.created_by(), secretary_id_);
  EXPECT_TRUE(first.has_award_time());
  auto star = Draft();
  star.set_title("星级职工");
  star.set_period_label("2026Q4");
  star.clear_honoured_organization_ids();
  star.set_person_ids(0, d3_id_);
  v1::Commendation second;
  ASSERT_TRUE(Create(secretary_, star, &second).ok());

  v1::ListHonoursResponse board;
  ASSERT_TRUE(Board(d3_, branch_, &board).ok());  // an employee of the branch's subtree
  ASSERT_EQ(board.commendations_size(), 2);
  EXPECT_EQ(board.commendations(0).id(), second.id());  // newest first
  ASSERT_TRUE(Board(d2_, branch_, &board, "2026").ok());
  ASSERT_EQ(board.commendations_size(), 1);
  EXPECT_EQ(board.commendations(0).title(), "优秀党员");
  EXPECT_EQ(Board(outsider_, branch_, &board).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Board(secretary_, group_, &board).ok());
  EXPECT_EQ(board.commendations_size(), 0);  // the group's own board is empty

  // Refusals.
  EXPECT_EQ(Create(d1_, Draft(), &again).error_code(), grpc::PERMISSION_DENIED);
  auto bad = Draft();
  bad.clear_person_ids();
  bad.clear_honoured_organization_ids();
  auto status = Create(secretary_, bad, &again);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "commendation.person_ids");
  bad = Draft();
  bad.add_person_ids(outsider_id_);
  EXPECT_EQ(ViolationField(Create(secretary_, bad, &again)), "commendation.person_ids");
  bad = Draft();
  bad.add_honoured_organization_ids(sibling_);
  EXPECT_EQ(ViolationField(Create(secretary_, bad, &again)),
            "commendation.honoured_organization_ids");
  bad = Draft();
  bad.set_title("");
  EXPECT_EQ(ViolationField(Create(secretary_, bad, &again)), "commendation.title");
  bad = Draft();
  bad.set_round_id(round.id() + 999);
  status = Create(secretary_, bad, &again);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "commendation.round_id");
  ASSERT_TRUE(Board(secretary_, branch_, &board).ok());
  EXPECT_EQ(board.commendations_size(), 2);  // nothing written by the refusals
}

// Managers of the organisation commend; its staff, managers and read-scoped services read
// its board.
TEST_F(HonoursTest, AuthorizationMatrix) {
  auto tokens = MatrixCallers();
  tokens["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_EVALUATION_READ);
  tokens["member of group below"] = d1_;
  tokens["employee of group below"] = d3_;
  const std::vector<std::string> ops = {"CreateCommendation", "ListHonours(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK}},
    {"employee of group below",  {DENIED,   OK}},
    {"secretary of branch",      {OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED}},
    {"admin above",              {OK,       OK}},
    {"service with scope",       {DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"evaluation-honours", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 const std::string& token = tokens.at(caller);
                 if (op == "CreateCommendation") {
                   v1::Commendation out;
                   return Create(token, Draft(), &out).error_code();
                 }
                 v1::ListHonoursResponse board;
                 return Board(token, branch_, &board).error_code();
               });
}

}  // namespace
}  // namespace branchline::testing
