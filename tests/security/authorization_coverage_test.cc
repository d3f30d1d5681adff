// docs/authorization.md covers the whole API: every RPC of every service in
// proto/branchline/v1 is a column of a tested matrix or is listed, by name, under "Not in a
// matrix yet", and the page names no RPC that does not exist. A new RPC fails this test until
// it is put in a matrix (or, honestly, on the list).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/authorization_doc.h"

namespace branchline {
namespace {

// Every RPC name of the API, from the .proto files on disk (so a new file counts too).
std::set<std::string> ApiMethods() {
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

std::string Trim(std::string s) {
  auto b = s.find_first_not_of(" `-");
  auto e = s.find_last_not_of(" `");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

TEST(AuthorizationCoverage, EveryRpcIsInAMatrixOrListed) {
  const std::string doc = testing::ReadAuthorizationDoc();
  ASSERT_FALSE(doc.empty()) << "docs/authorization.md is missing";
  std::map<std::string, std::string> in_matrix;  // RPC -> matrix
  std::set<std::string> listed;
  std::istringstream lines(doc);
  std::string line, matrix;
  bool in_list = false;
  while (std::getline(lines, line)) {
    if (line.rfind("<!-- matrix: ", 0) == 0) {
      matrix = line.substr(13, line.size() - 13 - 4);
    } else if (line == "<!-- end matrix -->") {
      matrix.clear();
    } else if (line == "<!-- not in a matrix -->") {
      in_list = true;
    } else if (line == "<!-- end not in a matrix -->") {
      in_list = false;
    } else if (!matrix.empty() && line.rfind("| caller |", 0) == 0) {
      std::istringstream cells(line.substr(10));
      std::string cell;
      while (std::getline(cells, cell, '|')) {
        std::string op = Trim(cell);
        op = op.substr(0, op.find('('));
        if (!op.empty()) in_matrix[op] = matrix;
      }
    } else if (in_list && line.rfind("- ", 0) == 0) {
      std::string rpc = Trim(line.substr(
          2, line.find(':') == std::string::npos ? std::string::npos : line.find(':') - 2));
      EXPECT_TRUE(listed.insert(rpc).second) << rpc << " is listed twice";
    }
  }
  const std::set<std::string> api = ApiMethods();
  ASSERT_GT(api.size(), 80u);
  for (const auto& rpc : api) {
    bool tested = in_matrix.count(rpc) > 0;
    bool on_list = listed.count(rpc) > 0;
    EXPECT_TRUE(tested || on_list) << rpc << " is in no matrix of docs/authorization.md and not "
                                   << "under \"Not in a matrix yet\"";
    EXPECT_FALSE(tested && on_list)
        << rpc << " is in the '" << in_matrix[rpc] << "' matrix: take it off the \"not yet\" list";
  }
  for (const auto& [rpc, where] : in_matrix) {
    EXPECT_TRUE(api.count(rpc)) << "matrix '" << where << "' has a column " << rpc
                                << " that is no RPC";
  }
  for (const auto& rpc : listed) EXPECT_TRUE(api.count(rpc)) << rpc << " is listed but no RPC";
  std::cout << api.size() << " RPCs: " << api.size() - listed.size() << " in matrices, "
            << listed.size() << " not yet\n";
}

}  // namespace
}  // namespace branchline
