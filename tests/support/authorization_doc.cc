#include "tests/support/authorization_doc.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace branchline::testing {

namespace {

const char* DocPath() { return BRANCHLINE_SOURCE_DIR "/docs/authorization.md"; }

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    default:
      return "code " + std::to_string(static_cast<int>(code));
  }
}

std::string Markers(const std::string& name) { return "<!-- matrix: " + name + " -->\n"; }
constexpr char kEnd[] = "<!-- end matrix -->\n";

}  // namespace

std::string RenderMarkdown(const AuthorizationTable& table) {
  std::ostringstream out;
  out << "| caller |";
  for (const auto& op : table.ops) out << " " << op << " |";
  out << "\n|---|";
  for (size_t i = 0; i < table.ops.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& [caller, cells] : table.rows) {
    out << "| " << caller << " |";
    for (auto code : cells) out << " " << CodeName(code) << " |";
    out << "\n";
  }
  return out.str();
}

std::string ReadAuthorizationDoc() {
  std::ifstream in(DocPath());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectDocumented(const AuthorizationTable& table) {
  std::string doc = ReadAuthorizationDoc();
  const std::string begin = Markers(table.name);
  const std::string rendered = RenderMarkdown(table);
  auto start = doc.find(begin);
  auto end = start == std::string::npos ? start : doc.find(kEnd, start);
  std::string documented;
  if (end != std::string::npos) {
    documented = doc.substr(start + begin.size(), end - start - begin.size());
  }
  if (documented == rendered) return;
  if (std::getenv("BRANCHLINE_WRITE_AUTHORIZATION_DOC") != nullptr) {
    if (end != std::string::npos) {
      doc.replace(start + begin.size(), end - start - begin.size(), rendered);
    } else {
      doc += "\n" + begin + rendered + kEnd;
    }
    std::ofstream(DocPath(), std::ios::trunc) << doc;
    return;
  }
  ADD_FAILURE() << "docs/authorization.md does not show the '" << table.name
                << "' matrix as tested. The test's table is:\n"
                << rendered
                << "(regenerate with BRANCHLINE_WRITE_AUTHORIZATION_DOC=1, see "
                   "tests/support/authorization_doc.h)";
}

void ExpectMatrix(
    const AuthorizationTable& table,
    const std::function<grpc::StatusCode(const std::string& op, const std::string& caller)>& call) {
  for (const auto& [caller, expected] : table.rows) {
    ASSERT_EQ(expected.size(), table.ops.size()) << caller;
    for (size_t i = 0; i < table.ops.size(); ++i) {
      EXPECT_EQ(call(table.ops[i], caller), expected[i]) << caller << " × " << table.ops[i];
    }
  }
  ExpectDocumented(table);
}

}  // namespace branchline::testing
