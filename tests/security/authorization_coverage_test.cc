// docs/authorization.md covers the whole API: every RPC of every service in
// proto/branchline/v1 is a column of a matrix, every matrix on the page is asserted by a
// test (ExpectMatrix), and the page names no RPC that does not exist. A new RPC fails this
// test until it is put in a matrix: there is no "not yet" list any more (issue #9).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/duties.grpc.pb.h"
#include "branchline/v1/evaluation.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/records.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/authorization_doc.h"

namespace branchline {
namespace {

// Every RPC name of the API, from the .proto files on disk (so a new file counts too).
std::set<std::string> ApiMethods() {
  // One message of each service's file, so the linker keeps (and registers) every file.
  for (const auto* linked :
       {v1::CreateBackupRequest::descriptor(), v1::GetMeetingRequest::descriptor(),
        v1::SignInRequest::descriptor(), v1::GetLetterRequest::descriptor(),
        v1::GetOrganizationRequest::descriptor(), v1::GetPersonRequest::descriptor(),
        v1::GetMaterialRequest::descriptor(), v1::ListChangesRequest::descriptor(),
        v1::GetMeetingSeriesRequest::descriptor(), v1::GetMeetingRecordRequest::descriptor(),
        v1::GetRoundRequest::descriptor(), v1::ListMyNotificationsRequest::descriptor(),
        v1::GetDutyBoardRequest::descriptor()}) {
    EXPECT_NE(linked, nullptr);
  }
  std::set<std::string> methods;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& entry :
       std::filesystem::directory_iterator(BRANCHLINE_SOURCE_DIR "/proto/branchline/v1")) {
    if (entry.path().extension() != ".proto") continue;
    const auto* file = pool->FindFileByName("branchline/v1/" + entry.path().filename().string());
    EXPECT_NE(file, nullptr) << entry.path() << " is not linked into the server";
    if (!file) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        EXPECT_TRUE(methods.insert(file->service(s)->method(m)->name()).second)
            << "two services have an RPC named " << file->service(s)->method(m)->name();
      }
    }
  }
  return methods;
}

// The names of the matrices the tests assert: the first argument of ExpectMatrix calls in
// tests/**/*.cc.
// (A matrix left on the page after its test is deleted would otherwise look covered.)
std::set<std::string> TestedMatrices() {
  std::set<std::string> names;
  const std::regex call(R"(ExpectMatrix\(\s*\{\s*"([^"]+)\")");
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(BRANCHLINE_SOURCE_DIR "/tests")) {
    if (entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), call), end; it != end; ++it) {
      names.insert((*it)[1]);
    }
  }
  return names;
}

std::string Trim(std::string s) {
  auto b = s.find_first_not_of(" `-");
  auto e = s.find_last_not_of(" `");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// What is wrong with `doc` for an API of `api` whose tests assert the matrices `tested`
// (empty: nothing). Pure, so the tests below can show it catches each gap.
std::vector<std::string> CoverageProblems(const std::string& doc, const std::set<std::string>& api,
                                          const std::set<std::string>& tested) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> in_matrix;  // RPC -> matrix
  std::set<std::string> matrices;
  std::istringstream lines(doc);
  std::string line, matrix;
  while (std::getline(lines, line)) {
    if (line.rfind("<!-- matrix: ", 0) == 0) {
      matrix = line.substr(13, line.size() - 13 - 4);
      matrices.insert(matrix);
    } else if (line == "<!-- end matrix -->") {
      matrix.clear();
    } else if (line.rfind("<!-- not in a matrix", 0) == 0) {
      problems.push_back("the page has a \"not in a matrix\" list: every RPC must be in a matrix");
    } else if (!matrix.empty() && line.rfind("| caller |", 0) == 0) {
      std::istringstream cells(line.substr(10));
      std::string cell;
      while (std::getline(cells, cell, '|')) {
        std::string op = Trim(cell);
        op = op.substr(0, op.find('('));
        if (!op.empty()) in_matrix[op] = matrix;
      }
    }
  }
  for (const auto& rpc : api) {
    if (!in_matrix.count(rpc)) {
      problems.push_back(rpc + " is in no matrix of docs/authorization.md");
    }
  }
  for (const auto& [rpc, where] : in_matrix) {
    if (!api.count(rpc)) {
      problems.push_back("matrix '" + where + "' has a column " + rpc + " that is no RPC");
    }
  }
  for (const auto& name : matrices) {
    if (!tested.count(name)) {
      problems.push_back("matrix '" + name + "' is asserted by no test (ExpectMatrix)");
    }
  }
  return problems;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const auto& p : problems) {
    if (p.find(what) != std::string::npos) return true;
  }
  return false;
}

class AuthorizationCoverage : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = testing::ReadAuthorizationDoc();
    ASSERT_FALSE(doc_.empty()) << "docs/authorization.md is missing";
    api_ = ApiMethods();
    ASSERT_GT(api_.size(), 80u);
    tested_ = TestedMatrices();
  }
  std::string doc_;
  std::set<std::string> api_, tested_;
};

TEST_F(AuthorizationCoverage, EveryRpcIsInATestedMatrix) {
  const auto problems = CoverageProblems(doc_, api_, tested_);
  for (const auto& p : problems) ADD_FAILURE() << p;
  std::cout << api_.size() << " RPCs, all in the " << tested_.size() << " tested matrices\n";
}

// The check itself fails for each gap it is there to catch.
TEST_F(AuthorizationCoverage, FailsWhenAnRpcIsInNoMatrix) {
  std::string doc = doc_;
  const std::string column = " WatchChanges |";
  auto at = doc.find(column);
  ASSERT_NE(at, std::string::npos);
  doc.erase(at, column.size());
  EXPECT_TRUE(Mentions(CoverageProblems(doc, api_, tested_), "WatchChanges is in no matrix"));

  std::set<std::string> api = api_;
  api.insert("BrandNewRpc");
  EXPECT_TRUE(Mentions(CoverageProblems(doc_, api, tested_), "BrandNewRpc is in no matrix"));
}

TEST_F(AuthorizationCoverage, FailsWhenAMatrixHasNoTestOrTheNotYetListReturns) {
  std::set<std::string> tested = tested_;
  ASSERT_EQ(tested.erase("study"), 1u);
  EXPECT_TRUE(Mentions(CoverageProblems(doc_, api_, tested), "'study' is asserted by no test"));

  const std::string listed =
      doc_ + "\n<!-- not in a matrix -->\n- SignIn: later\n<!-- end not in a matrix -->\n";
  EXPECT_TRUE(Mentions(CoverageProblems(listed, api_, tested_), "\"not in a matrix\" list"));

  std::string renamed = doc_;
  const std::string cell = "| ListFeed |";
  auto at = renamed.find(cell);
  ASSERT_NE(at, std::string::npos);
  renamed.replace(at, cell.size(), "| ListFeeds |");
  const auto problems = CoverageProblems(renamed, api_, tested_);
  EXPECT_TRUE(Mentions(problems, "ListFeeds that is no RPC"));
  EXPECT_TRUE(Mentions(problems, "ListFeed is in no matrix"));
}

}  // namespace
}  // namespace branchline
