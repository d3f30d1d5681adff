// branchctl against the real server binary: each test starts branchline-server on a free port
// with its own data directory and runs the branchctl binary as a script would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "clients/branchctl/table.h"
#include "nlohmann/json.hpp"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

using nlohmann::json;
using testing::ServerProcess;
using testing::TempDir;

constexpr char kAdminPassword[] = "admin-password-1";

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class BranchctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--admin-password", kAdminPassword, "--backup-dir",
                                 dir_.Sub("backups"), "--no-access-log", "--max-offline-hours",
                                 "744"});
    ASSERT_GT(server_->port(), 0);
  }

  std::string TokenFile() const { return dir_.Sub("home/.config/branchline/token"); }

  // Runs branchctl with the server and token file of this test (unless the arguments name
  // others) and `input` on stdin.
  Outcome Ctl(std::vector<std::string> args, const std::string& input = "",
              const std::string& token_file = "") {
    static int counter = 0;
    std::string base = dir_.Sub("run" + std::to_string(++counter));
    std::ofstream(base + ".in") << input;
    std::vector<std::string> argv = {BRANCHCTL_BINARY, "--server", server_->address(),
                                     "--token-file", token_file.empty() ? TokenFile() : token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = fork();
    if (pid == 0) {
      int in = open((base + ".in").c_str(), O_RDONLY);
      int out = open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = ReadFile(base + ".out");
    o.err = ReadFile(base + ".err");
    return o;
  }

  json CtlJson(std::vector<std::string> args, const std::string& token_file = "") {
    args.push_back("--json");
    Outcome o = Ctl(args, "", token_file);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return o.out.empty() ? json() : json::parse(o.out);
  }

  void LoginAdmin() {
    Outcome o =
        Ctl({"login", "--user", "admin", "--password-stdin"}, std::string(kAdminPassword) + "\n");
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }

  std::string RootOrg() { return CtlJson({"whoami"})["organization_id"]; }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// The same server with TLS, its certificate signed by a throwaway CA made here (as in
// tests/e2e/tls_test.cc; the certificate names 127.0.0.1, the address branchctl dials).
class BranchctlTlsTest : public BranchctlTest {
 protected:
  void SetUp() override {
    std::string cmd = "cd " + dir_.path() +
                      " && openssl req -x509 -newkey rsa:2048 -nodes -days 2"
                      " -subj '/CN=branchctl test CA' -keyout ca.key -out ca.pem"
                      " && openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost'"
                      " -keyout server.key -out server.csr"
                      " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext"
                      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key"
                      " -CAcreateserial -days 2 -extfile san.ext -out server.pem";
    ASSERT_EQ(std::system((cmd + " > /dev/null 2>&1").c_str()), 0) << cmd;
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"), std::vector<std::string>{"--admin-password", kAdminPassword, "--tls-cert",
                                                   dir_.Sub("server.pem"), "--tls-key",
                                                   dir_.Sub("server.key"), "--no-access-log"});
    ASSERT_GT(server_->port(), 0);
  }
};

TEST_F(BranchctlTlsTest, TrustsTheGivenCaOnly) {
  const std::string ca = dir_.Sub("ca.pem");
  Outcome health = Ctl({"--tls-ca", ca, "health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  Outcome login = Ctl({"--tls-ca", ca, "login", "--user", "admin", "--password-stdin"},
                      std::string(kAdminPassword) + "\n");
  EXPECT_EQ(login.exit_code, 0) << login.err;
  EXPECT_EQ(Ctl({"--tls-ca", ca, "whoami"}).exit_code, 0);
  // Plaintext to a TLS server, and a CA file that is not there.
  EXPECT_EQ(Ctl({"--timeout", "3", "health"}).exit_code, 7);
  EXPECT_EQ(Ctl({"--tls-ca", dir_.Sub("missing.pem"), "health"}).exit_code, 2);
}

TEST_F(BranchctlTest, LoginWritesPrivateTokenFileAndLogoutRemovesIt) {
  Outcome wrong = Ctl({"login", "--user", "admin", "--password", "not-the-password"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  struct stat st {};
  EXPECT_NE(stat(TokenFile().c_str(), &st), 0) << "a refused login must not write a token";

  LoginAdmin();
  ASSERT_EQ(stat(TokenFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir_.Sub("home/.config/branchline").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(ReadFile(TokenFile()).find(kAdminPassword), std::string::npos);

  Outcome who = Ctl({"whoami"});
  EXPECT_EQ(who.exit_code, 0) << who.err;
  EXPECT_NE(who.out.find("system admin"), std::string::npos) << who.out;

  Outcome out = Ctl({"logout"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(stat(TokenFile().c_str(), &st), 0);
  EXPECT_EQ(Ctl({"whoami"}).exit_code, 3);

  // A damaged token file is "not signed in" with the reason, and a new login replaces it.
  std::ofstream(TokenFile()) << "{not json";
  Outcome damaged = Ctl({"whoami"});
  EXPECT_EQ(damaged.exit_code, 3);
  EXPECT_NE(damaged.err.find("malformed token file"), std::string::npos) << damaged.err;
  LoginAdmin();
  EXPECT_EQ(Ctl({"whoami"}).exit_code, 0);
}

TEST_F(BranchctlTest, ExitCodesAreTheDocumentedOnes) {
  Outcome help = Ctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(Ctl({"meeting", "roster", "--help"}).exit_code, 0);

  // Unauthenticated: no token file at all, then a token the server refuses.
  Outcome none = Ctl({"org", "list"});
  EXPECT_EQ(none.exit_code, 3) << none.err;
  EXPECT_NE(none.err.find("branchctl login"), std::string::npos) << none.err;
  std::string forged = dir_.Sub("forged-token");
  std::ofstream(forged) << R"({"access_token": "v1.forged", "organization_id": 1})";
  Outcome refused = Ctl({"org", "list", "--parent", "1099511627777"}, "", forged);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("UNAUTHENTICATED"), std::string::npos) << refused.err;

  EXPECT_EQ(Ctl({"org", "list", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(Ctl({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Ctl({"org"}).exit_code, 2);

  Outcome health = Ctl({"health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_NE(health.out.find("SERVING"), std::string::npos);
  Outcome down = Ctl({"--server", "127.0.0.1:1", "--timeout", "2", "health"});
  EXPECT_EQ(down.exit_code, 7) << down.err;

  LoginAdmin();
  std::string root = RootOrg();
  Outcome missing = Ctl({"org", "show", "999"});
  EXPECT_EQ(missing.exit_code, 5) << missing.err;
  Outcome invalid = Ctl({"org", "create", "--parent", root, "--name", ""});
  EXPECT_EQ(invalid.exit_code, 6) << invalid.err;
  EXPECT_NE(invalid.err.find("organization.name"), std::string::npos) << invalid.err;
  Outcome invalid_json = Ctl({"org", "create", "--parent", root, "--name", "", "--json"});
  EXPECT_EQ(json::parse(invalid_json.err)["error"]["field_violations"][0]["field"],
            "organization.name");
  Outcome bad_kind = Ctl({"org", "create", "--parent", root, "--name", "x", "--kind", "navy"});
  EXPECT_EQ(bad_kind.exit_code, 2) << bad_kind.err;

  // Permission denied: a member listing backups.
  Outcome add = Ctl({"people", "add", "--org", root, "--name", "普通职工", "--phone", "13900000099",
                     "--password", "member-pass-1"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::string member_token = dir_.Sub("member-token");
  ASSERT_EQ(
      Ctl({"login", "--user", "13900000099", "--password-stdin"}, "member-pass-1\n", member_token)
          .exit_code,
      0);
  Outcome denied = Ctl({"backup", "list"}, "", member_token);
  EXPECT_EQ(denied.exit_code, 4) << denied.err;
}

// A refusal prints the server's message for people in the language of the locale (the
// server's LocalizedMessage; docs/errors.md), Chinese unless the locale asks for English, and
// the developer message and reason after it.
TEST_F(BranchctlTest, RefusalsShowTheServersMessageInTheLocalesLanguage) {
  auto with_locale = [&](const char* locale, std::vector<std::string> args,
                         const std::string& input) {
    const char* saved = std::getenv("LC_ALL");
    std::string kept = saved ? saved : "";
    setenv("LC_ALL", locale, 1);
    Outcome o = Ctl(std::move(args), input);
    if (saved) {
      setenv("LC_ALL", kept.c_str(), 1);
    } else {
      unsetenv("LC_ALL");
    }
    return o;
  };
  const std::vector<std::string> login = {"login", "--user", "nobody", "--password-stdin"};
  Outcome zh = with_locale("zh_CN.UTF-8", login, "wrong-password\n");
  EXPECT_EQ(zh.exit_code, 3) << zh.err;
  EXPECT_NE(zh.err.find("branchctl: UNAUTHENTICATED: 账号或密码错误。"), std::string::npos)
      << zh.err;
  EXPECT_NE(zh.err.find("WRONG_CREDENTIALS"), std::string::npos) << zh.err;
  Outcome c = with_locale("C", login, "wrong-password\n");  // no language: Chinese
  EXPECT_NE(c.err.find("账号或密码错误。"), std::string::npos) << c.err;
  Outcome en = with_locale("en_US.UTF-8", login, "wrong-password\n");
  EXPECT_NE(en.err.find("branchctl: UNAUTHENTICATED: Wrong login or password."), std::string::npos)
      << en.err;
  Outcome json =
      with_locale("zh_CN.UTF-8", {"login", "--user", "nobody", "--password-stdin", "--json"},
                  "wrong-password\n");
  auto error = json::parse(json.err)["error"];
  EXPECT_EQ(error["localized_message"], "账号或密码错误。");
  EXPECT_EQ(error["reason"], "WRONG_CREDENTIALS");

  // A refusal without a reason: its code's generic message, naming the field.
  LoginAdmin();
  Outcome invalid =
      with_locale("zh_CN.UTF-8", {"org", "create", "--parent", RootOrg(), "--name", ""}, "");
  EXPECT_EQ(invalid.exit_code, 6) << invalid.err;
  EXPECT_NE(invalid.err.find("请求中的 organization.name 有误。"), std::string::npos)
      << invalid.err;
}

TEST_F(BranchctlTest, ListingsAsAlignedTableAndAsJson) {
  LoginAdmin();
  std::string root = RootOrg();
  for (std::string name : {"运输四队党支部", "Fleet 5", "第三车队（危险品）"}) {
    ASSERT_EQ(
        Ctl({"org", "create", "--parent", root, "--name", name, "--kind", "branch"}).exit_code, 0);
  }
  Outcome table = Ctl({"org", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::string header;
  std::getline(lines, header);
  size_t kind_column = ctl::DisplayWidth(header.substr(0, header.find("KIND")));
  int rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    size_t at = line.find("branch");
    ASSERT_NE(at, std::string::npos) << line;
    EXPECT_EQ(ctl::DisplayWidth(line.substr(0, at)), kind_column) << table.out;
  }
  EXPECT_EQ(rows, 3);
  EXPECT_NE(table.out.find("运输四队党支部"), std::string::npos);

  json list = CtlJson({"org", "list"});
  ASSERT_EQ(list["organizations"].size(), 3u);
  EXPECT_EQ(list["organizations"][0]["name"], "运输四队党支部");
  EXPECT_EQ(list["organizations"][2]["kind"], "ORGANIZATION_KIND_BRANCH");

  // Move "Fleet 5" under the first branch: the tree indents it one level deeper.
  const std::string first = list["organizations"][0]["id"], fleet = list["organizations"][1]["id"];
  ASSERT_EQ(Ctl({"org", "move", fleet, "--to", first}).exit_code, 0);
  EXPECT_EQ(CtlJson({"org", "list", "--parent", first})["organizations"].size(), 1u);
  Outcome below = Ctl({"org", "list", "--parent", first});
  EXPECT_NE(below.out.find("运输四队党支部 (" + first + ")"), std::string::npos) << below.out;
  Outcome tree = Ctl({"org", "list", "--tree"});
  EXPECT_NE(tree.out.find("\n" + fleet + "      Fleet 5"), std::string::npos) << tree.out;
  EXPECT_EQ(Ctl({"org", "move", first, "--to", fleet}).exit_code, 8);  // into its own subtree
}

TEST_F(BranchctlTest, CsvImportReportsBadLinesAndKeepsGoodOnes) {
  LoginAdmin();
  std::string root = RootOrg();
  std::string csv = dir_.Sub("people.csv");
  std::ofstream(csv) << "\xEF\xBB\xBF"
                        "name,phone,employee_number,role,password\n"
                     << "张建国,13700000001,E-1,full-member,password-001\n"
                     << "李秀英,12ab,E-2,employee,password-002\n"      // bad phone: line 3
                     << "赵磊,13700000003,E-3,captain,password-003\n"  // bad role: line 4
                     << "\"欧阳,小明\",13700000005,E-5,activist,password-005\n";
  Outcome first = Ctl({"people", "import", csv, "--org", root});
  EXPECT_EQ(first.exit_code, 9) << first.err;
  EXPECT_NE(first.out.find("2 created, 2 failed"), std::string::npos) << first.out;
  Outcome again = Ctl({"people", "import", csv, "--org", root, "--json"});
  EXPECT_EQ(again.exit_code, 9) << again.err;
  json report = json::parse(again.out);
  ASSERT_EQ(report["rows"].size(), 4u) << report.dump();
  EXPECT_EQ(report["rows"][1]["line"], 3);
  EXPECT_EQ(report["rows"][1]["outcome"], "failed");
  EXPECT_NE(report["rows"][1]["error"].get<std::string>().find("phone"), std::string::npos);
  EXPECT_EQ(report["rows"][2]["line"], 4);
  EXPECT_NE(report["rows"][2]["error"].get<std::string>().find("role"), std::string::npos);
  EXPECT_EQ(report["rows"][3]["name"], "欧阳,小明");
  EXPECT_EQ(report["created"], 2);

  json people = CtlJson({"people", "list", "--org", root});
  std::set<std::string> names;
  for (const auto& p : people["people"]) names.insert(p["display_name"]);
  EXPECT_TRUE(names.count("张建国"));
  EXPECT_TRUE(names.count("欧阳,小明"));
  EXPECT_FALSE(names.count("李秀英"));
  // Importing the same file again was a retry: nobody is there twice.
  EXPECT_EQ(names.size(), people["people"].size());
}

TEST_F(BranchctlTest, DemoLoadsAMonthAndASecondRunDuplicatesNothing) {
  LoginAdmin();
  json first = CtlJson({"demo"});
  ASSERT_TRUE(first.contains("branch_id")) << first.dump();
  const std::string branch = first["branch_id"];
  EXPECT_EQ(first["counts"]["people"]["made"], 14);
  EXPECT_EQ(first["counts"]["organisations"]["made"], 4);
  EXPECT_EQ(first["counts"]["letters"]["made"], 4);
  EXPECT_GE(first["counts"]["meetings"]["made"], 6);
  EXPECT_GT(first["counts"]["attendance marks"]["made"], 40);
  EXPECT_GT(first["counts"]["study records"]["made"], 200);  // a month: the server allows 744 h
  EXPECT_EQ(first["study_days_refused_from"], 0);
  EXPECT_FALSE(first["anonymous_receipt_code"].get<std::string>().empty());

  auto snapshot = [&] {
    return std::vector<size_t>{
        CtlJson({"org", "list", "--tree"})["organizations"].size(),
        CtlJson({"people", "list", "--org", branch, "--all"})["people"].size(),
        CtlJson({"meeting", "list", "--org", branch})["meetings"].size(),
        CtlJson({"inbox", "list", "--org", branch})["letters"].size(),
        CtlJson({"study", "plans", "--org", branch})["plans"].size()};
  };
  auto before = snapshot();
  EXPECT_EQ(before[1], 14u);
  EXPECT_EQ(before[3], 4u);

  json second = CtlJson({"demo"});
  EXPECT_EQ(second["branch_id"], branch);
  EXPECT_EQ(second["anonymous_receipt_code"], first["anonymous_receipt_code"]);
  for (const auto& [kind, count] : second["counts"].items()) {
    EXPECT_EQ(count["made"], 0) << kind;
    EXPECT_EQ(count["existing"], first["counts"][kind]["made"]) << kind;
  }
  EXPECT_EQ(snapshot(), before);

  // The history is there: the oldest safety meeting has host-marked attendance.
  json roster = CtlJson({"meeting", "roster", first["meetings"][0]["id"]});
  EXPECT_EQ(roster["counts"]["expected"], 14);
  EXPECT_GT(roster["counts"]["present"].get<int>(), 5);
  EXPECT_EQ(roster["entries"].size(), 14u);
  // The anonymous letter shows no author in the inbox.
  Outcome inbox = Ctl({"inbox", "list", "--org", branch});
  EXPECT_NE(inbox.out.find("(anonymous)"), std::string::npos) << inbox.out;
  // Reports: a table and a CSV file with a byte order mark.
  Outcome study = Ctl({"report", "study", "--org", branch});
  EXPECT_EQ(study.exit_code, 0) << study.err;
  EXPECT_NE(study.out.find("长途货运一班"), std::string::npos) << study.out;
  std::string csv = dir_.Sub("attendance.csv");
  Outcome export_csv = Ctl({"report", "attendance", "--org", branch, "--csv", csv});
  EXPECT_EQ(export_csv.exit_code, 0) << export_csv.err;
  EXPECT_EQ(ReadFile(csv).rfind("\xEF\xBB\xBF", 0), 0u);
  // A driver signs in with the printed login and sees their own progress.
  std::string driver_token = dir_.Sub("driver-token");
  ASSERT_EQ(
      Ctl({"login", "--user", "13800000011", "--password", "branchline-demo"}, "", driver_token)
          .exit_code,
      0);
  json progress = CtlJson({"study", "progress"}, driver_token);
  EXPECT_GT(std::stoll(progress["total_minutes"].get<std::string>()), 300);
  // Today's pre-shift meeting shows its code while check-in is open (local 00:00-23:30).
  int64_t local_seconds = (std::time(nullptr) + 8 * 3600) % 86400;
  if (local_seconds < 23 * 3600 + 29 * 60) {
    json code = CtlJson({"meeting", "code", first["today_meeting_id"]});
    EXPECT_EQ(code["code"].get<std::string>().size(), 6u);
  }
}

TEST_F(BranchctlTest, AnExpiredAccessTokenIsRenewedWithTheRefreshToken) {
  LoginAdmin();
  json stored = json::parse(ReadFile(TokenFile()));
  stored["access_token"] = "v1.no-longer-valid";
  std::ofstream(TokenFile()) << stored.dump();
  Outcome who = Ctl({"whoami"});
  EXPECT_EQ(who.exit_code, 0) << who.err;
  json renewed = json::parse(ReadFile(TokenFile()));
  EXPECT_NE(renewed["access_token"], "v1.no-longer-valid");
  EXPECT_EQ(renewed["refresh_token"], stored["refresh_token"]);
  struct stat st {};
  ASSERT_EQ(stat(TokenFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // After sign-out the refresh token is dead too: the same trick no longer works.
  ASSERT_EQ(Ctl({"logout"}).exit_code, 0);
  std::ofstream(TokenFile()) << stored.dump();
  EXPECT_EQ(Ctl({"whoami"}).exit_code, 3);
}

TEST_F(BranchctlTest, SecretarySchedulesAMeetingAndHandlesLetters) {
  LoginAdmin();
  json demo = CtlJson({"demo", "--days", "7"});
  const std::string branch = demo["branch_id"];
  std::string secretary = dir_.Sub("secretary-token");
  ASSERT_EQ(Ctl({"login", "--user", "13800000001", "--password", "branchline-demo"}, "", secretary)
                .exit_code,
            0);
  // Schedule with a local time: +08:00 is the organisation's offset.
  json meeting = CtlJson({"meeting", "schedule", "--org", branch, "--title",
                          "支部党员大会：年终总结", "--type", "general-meeting", "--start",
                          "2030-01-07 19:00", "--duration", "90", "--request-id", "year-end-2030"},
                         secretary);
  EXPECT_EQ(meeting["start_time"], "2030-01-07T11:00:00Z");
  EXPECT_EQ(meeting["end_time"], "2030-01-07T12:30:00Z");
  json again = CtlJson({"meeting", "schedule", "--org", branch, "--title", "支部党员大会：年终总结",
                        "--type", "general-meeting", "--start", "2030-01-07 19:00", "--duration",
                        "90", "--request-id", "year-end-2030"},
                       secretary);
  EXPECT_EQ(again["id"], meeting["id"]) << "a retry with the same request id makes no second one";
  Outcome show = Ctl({"meeting", "show", meeting["id"]}, "", secretary);
  EXPECT_NE(show.out.find("2030-01-07 19:00"), std::string::npos) << show.out;
  // Names, not ids: the host and the organisation by name, with the id for scripts.
  const std::string me = CtlJson({"whoami"}, secretary)["id"];
  EXPECT_NE(show.out.find("王建国 (" + me + ")"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("某某运输公司第三车队党支部 (" + branch + ")"), std::string::npos)
      << show.out;
  Outcome listed = Ctl({"meeting", "list", "--org", branch}, "", secretary);
  EXPECT_NE(listed.out.find("王建国 (" + me + ")"), std::string::npos) << listed.out;
  // Marking before check-in opens is refused; cancelling keeps the meeting readable.
  const std::string future_meeting = meeting["id"];
  const std::string driver_id = demo["people"][3]["person_id"];
  EXPECT_EQ(Ctl({"meeting", "mark", future_meeting, "--person", driver_id, "--status", "present"},
                "", secretary)
                .exit_code,
            8);
  json cancelled =
      CtlJson({"meeting", "cancel", future_meeting, "--reason", "改期至一月中旬"}, secretary);
  EXPECT_EQ(cancelled["cancelled"], true);
  // The secretary corrects the sheet of the oldest demo meeting: the driver was there.
  const std::string oldest = demo["meetings"][0]["id"];
  ASSERT_EQ(
      Ctl({"meeting", "mark", oldest, "--person", driver_id, "--status", "late", "--note", "补录"},
          "", secretary)
          .exit_code,
      0);
  json roster = CtlJson({"meeting", "roster", oldest}, secretary);
  bool found = false;
  for (const auto& e : roster["entries"]) {
    if (e["person_id"] == driver_id) {
      found = true;
      EXPECT_EQ(e["status"], "ATTENDANCE_STATUS_LATE");
    }
  }
  EXPECT_TRUE(found) << roster.dump();
  Outcome bad = Ctl({"meeting", "schedule", "--org", branch, "--title", "x", "--start", "tomorrow"},
                    "", secretary);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--start"), std::string::npos) << bad.err;

  // The innovation letter is still new: acknowledge, reply, then escalate it.
  json inbox = CtlJson(
      {"inbox", "list", "--org", branch, "--state", "submitted", "--category", "innovation"},
      secretary);
  ASSERT_EQ(inbox["letters"].size(), 1u) << inbox.dump();
  const std::string letter = inbox["letters"][0]["id"];
  json acknowledged = CtlJson({"inbox", "state", letter, "--to", "acknowledged"}, secretary);
  EXPECT_EQ(acknowledged["state"], "LETTER_STATE_ACKNOWLEDGED");
  Outcome closed = Ctl({"inbox", "state", letter, "--to", "closed"}, "", secretary);
  EXPECT_EQ(closed.exit_code, 8) << closed.err;  // not a move the workflow allows
  ASSERT_EQ(
      Ctl({"inbox", "note", letter, "--text", "内部：请安全部周五前回复"}, "", secretary).exit_code,
      0);
  json assigned =
      CtlJson({"inbox", "assign", letter, "--to", demo["people"][1]["person_id"]}, secretary);
  EXPECT_EQ(assigned["assignee_person_id"], demo["people"][1]["person_id"]);
  ASSERT_EQ(Ctl({"inbox", "reply", letter, "--text", "感谢建议，已提交公司安全部。"}, "", secretary)
                .exit_code,
            0);
  Outcome thread = Ctl({"inbox", "show", letter}, "", secretary);
  EXPECT_NE(thread.out.find("感谢建议"), std::string::npos) << thread.out;
  json escalated =
      CtlJson({"inbox", "escalate", letter, "--reason", "涉及公司层面流程"}, secretary);
  EXPECT_EQ(escalated["organization_id"], RootOrg());
  EXPECT_EQ(
      CtlJson({"inbox", "list", "--org", branch, "--category", "innovation"}, secretary)["letters"]
          .size(),
      0u);
  // A paper letter registered anonymously: the receipt code is printed for the writer.
  Outcome registered =
      Ctl({"inbox", "register", "--org", branch, "--channel", "paper", "--category", "suggestion",
           "--subject", "建议增设饮水机", "--body", "信箱来信", "--anonymous"},
          "", secretary);
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  EXPECT_NE(registered.out.find("Receipt code"), std::string::npos) << registered.out;
  EXPECT_NE(registered.out.find("paper"), std::string::npos) << registered.out;
  json named = CtlJson(
      {"inbox", "register", "--org", branch, "--channel", "phone", "--category", "innovation",
       "--subject", "改进排班", "--body", "电话来信", "--author-name", "老周"},
      secretary);
  const std::string named_id = named["letter"]["id"];
  EXPECT_EQ(named["letter"]["channel"], "LETTER_CHANNEL_PHONE");
  EXPECT_EQ(Ctl({"inbox", "register", "--org", branch, "--channel", "phone", "--category",
                 "innovation", "--subject", "x", "--body", "y"},
                "", secretary)
                .exit_code,
            2);  // no writer named
  ASSERT_EQ(Ctl({"inbox", "state", named_id, "--to", "acknowledged"}, "", secretary).exit_code, 0);
  json implemented = CtlJson({"inbox", "outcome", named_id, "--outcome", "implemented", "--benefit",
                              "每月节油30升", "--amount", "1250.5"},
                             secretary);
  EXPECT_EQ(implemented["outcome"], "LETTER_OUTCOME_IMPLEMENTED");
  EXPECT_EQ(implemented["benefit_amount_cents"], "125050");
  Outcome declined =
      Ctl({"inbox", "outcome", named_id, "--outcome", "declined", "--reason", "x"}, "", secretary);
  EXPECT_EQ(declined.exit_code, 8) << declined.err;  // implemented cannot become declined
  EXPECT_EQ(Ctl({"inbox", "list", "--org", branch, "--this-org-only"}, "", secretary).exit_code, 0);
  // A driver may not read the branch inbox.
  std::string driver = dir_.Sub("driver-token");
  ASSERT_EQ(Ctl({"login", "--user", "13800000011", "--password", "branchline-demo"}, "", driver)
                .exit_code,
            0);
  EXPECT_EQ(Ctl({"inbox", "list", "--org", branch}, "", driver).exit_code, 4);
  // Deactivated: the driver's session ends and a new sign-in is refused.
  json gone = CtlJson({"people", "deactivate", demo["people"][2]["person_id"]});
  EXPECT_EQ(gone.value("active", false), false);
  EXPECT_EQ(Ctl({"whoami"}, "", driver).exit_code, 3);
  EXPECT_EQ(Ctl({"login", "--user", "13800000011", "--password", "branchline-demo"}, "", driver)
                .exit_code,
            3);
}

TEST_F(BranchctlTest, BackupCreateListVerify) {
  LoginAdmin();
  json backup = CtlJson({"backup", "create"});
  ASSERT_TRUE(backup.contains("id")) << backup.dump();
  const int id = backup["id"];
  json list = CtlJson({"backup", "list"});
  ASSERT_EQ(list["backups"].size(), 1u);
  EXPECT_EQ(list["backups"][0]["id"], id);
  Outcome table = Ctl({"backup", "list"});
  EXPECT_NE(table.out.find("FILES"), std::string::npos);
  Outcome verify = Ctl({"backup", "verify", std::to_string(id)});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("verified"), std::string::npos);
  EXPECT_EQ(Ctl({"backup", "verify", "99"}).exit_code, 5);
}

TEST_F(BranchctlTest, AbsenceRequestDecideListWithdraw) {
  LoginAdmin();
  const std::string root = RootOrg();
  ASSERT_EQ(Ctl({"people", "add", "--org", root, "--name", "驾驶员", "--phone", "13900000088",
                 "--password", "driver-pass-1"})
                .exit_code,
            0);
  const std::string driver = dir_.Sub("driver-token");
  ASSERT_EQ(Ctl({"login", "--user", "13900000088", "--password-stdin"}, "driver-pass-1\n", driver)
                .exit_code,
            0);
  json asked = CtlJson({"absence", "request", "--type", "business-trip", "--from", "2030-12-01",
                        "--to", "2030-12-07", "--reason", "去西安送货", "--request-id", "trip-1"},
                       driver);
  ASSERT_TRUE(asked.contains("id")) << asked.dump();
  EXPECT_EQ(asked["state"], "ABSENCE_STATE_PENDING");
  EXPECT_EQ(asked["from_date"]["day"], 1);
  json again = CtlJson({"absence", "request", "--type", "business-trip", "--from", "2030-12-01",
                        "--to", "2030-12-07", "--reason", "去西安送货", "--request-id", "trip-1"},
                       driver);
  EXPECT_EQ(again["id"], asked["id"]) << "a retry with the same request id makes no second one";
  const std::string id = asked["id"];
  // The driver decides nothing, not even their own (4: permission denied); the administrator
  // manages the driver's organisation and decides it.
  EXPECT_EQ(Ctl({"absence", "decide", id, "--approve"}, "", driver).exit_code, 4);
  json approved = CtlJson({"absence", "decide", id, "--approve"});
  EXPECT_EQ(approved["state"], "ABSENCE_STATE_APPROVED");
  EXPECT_EQ(Ctl({"absence", "decide", id, "--refuse", "--note", "不行"}).exit_code, 8);
  json mine = CtlJson({"absence", "list", "--mine", "--state", "approved"}, driver);
  ASSERT_EQ(mine["absences"].size(), 1u);
  Outcome table = Ctl({"absence", "list"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("2030-12-07"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("business-trip"), std::string::npos) << table.out;
  EXPECT_EQ(Ctl({"absence", "withdraw", id}).exit_code, 4);  // only the driver withdraws it
  json withdrawn = CtlJson({"absence", "withdraw", id}, driver);
  EXPECT_EQ(withdrawn["state"], "ABSENCE_STATE_WITHDRAWN");
  // Usage errors (2) and the server's refusals (6: invalid argument, 5: not found).
  EXPECT_EQ(Ctl({"absence", "request", "--type", "holiday", "--from", "2030-12-01", "--to",
                 "2030-12-02", "--reason", "x"})
                .exit_code,
            2);
  EXPECT_EQ(Ctl({"absence", "request", "--type", "sick-leave", "--from", "2030/12/01", "--to",
                 "2030-12-02", "--reason", "x"})
                .exit_code,
            2);
  EXPECT_EQ(Ctl({"absence", "decide", id}).exit_code, 2);
  Outcome too_long = Ctl({"absence", "request", "--type", "sick-leave", "--from", "2030-01-01",
                          "--to", "2030-06-01", "--reason", "x"});
  EXPECT_EQ(too_long.exit_code, 6);
  EXPECT_NE(too_long.err.find("to_date"), std::string::npos) << too_long.err;
  EXPECT_EQ(Ctl({"absence", "withdraw", "99"}).exit_code, 5);
}

TEST_F(BranchctlTest, EvaluationCreateRateAnonymouslyResultsExport) {
  LoginAdmin();
  const std::string root = RootOrg();
  json member = CtlJson({"people", "add", "--org", root, "--name", "党员司机", "--phone",
                         "13900000071", "--password", "member-pass-1", "--role", "full-member"});
  ASSERT_EQ(Ctl({"people", "add", "--org", root, "--name", "职工司机", "--phone", "13900000072",
                 "--password", "staff-pass-1", "--role", "employee"})
                .exit_code,
            0);
  const std::string subject = member["id"];
  const std::string staff = dir_.Sub("staff-token");
  ASSERT_EQ(Ctl({"login", "--user", "13900000072", "--password-stdin"}, "staff-pass-1\n", staff)
                .exit_code,
            0);
  // The quarterly commitment rating: anonymous, by all staff.
  json round = CtlJson({"evaluation", "create", "--title", "第四季度承诺测评", "--period", "2026Q4",
                        "--template", "commitment-quarterly", "--min-raters", "1", "--org", root});
  ASSERT_TRUE(round.contains("id")) << round.dump();
  EXPECT_EQ(round["anonymous"], true);
  const std::string id = round["id"];
  const std::string ballot = dir_.Sub("ballot.json");
  Outcome rated = Ctl(
      {"evaluation", "rate", id, "--subject", subject, "--score", "践行承诺=4", "--ballot", ballot},
      "", staff);
  ASSERT_EQ(rated.exit_code, 0) << rated.err;
  EXPECT_NE(rated.out.find("Recorded"), std::string::npos) << rated.out;
  // The ballot file is the rater's alone; a second rating with it replaces the first.
  EXPECT_EQ(std::filesystem::status(ballot).permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  rated = Ctl(
      {"evaluation", "rate", id, "--subject", subject, "--score", "践行承诺=5", "--ballot", ballot},
      "", staff);
  ASSERT_EQ(rated.exit_code, 0) << rated.err;
  EXPECT_NE(rated.out.find("Replaced"), std::string::npos) << rated.out;
  // Without the ballot file a second ballot is refused (ALREADY_EXISTS: 8).
  EXPECT_EQ(Ctl({"evaluation", "rate", id, "--subject", subject, "--score", "践行承诺=1",
                 "--ballot", dir_.Sub("other.json")},
                "", staff)
                .exit_code,
            8);
  json results = CtlJson({"evaluation", "results", id});
  ASSERT_EQ(results["subjects"].size(), 1u) << results.dump();
  EXPECT_EQ(results["subjects"][0]["raters"], 1);
  EXPECT_EQ(results["subjects"][0]["rater_score"], 100.0);
  EXPECT_EQ(results["subjects"][0]["final_grade"], "优秀");
  EXPECT_EQ(results["participating_raters"], 1);
  Outcome table = Ctl({"evaluation", "results", id});
  EXPECT_NE(table.out.find("优秀"), std::string::npos) << table.out;
  const std::string csv = dir_.Sub("results.csv");
  ASSERT_EQ(Ctl({"evaluation", "export", id, "--out", csv}).exit_code, 0);
  std::ifstream in(csv);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(text.find("党员司机"), std::string::npos) << text;
  // Usage (2), a score off the scale (6), a member reading all results (4).
  EXPECT_EQ(Ctl({"evaluation", "rate", id, "--subject", subject, "--score", "践行承诺"}, "", staff)
                .exit_code,
            2);
  json named = CtlJson({"evaluation", "create", "--title", "五比五看", "--period", "2026Q4",
                        "--template", "five-comparisons-quarterly", "--org", root});
  const std::string five = named["id"];
  Outcome off =
      Ctl({"evaluation", "rate", five, "--subject", subject, "--score", "比学习=11", "--score",
           "比作风=5", "--score", "比守纪=5", "--score", "比贡献=5", "--score", "比爱心=5"},
          "", staff);
  EXPECT_EQ(off.exit_code, 6);
  EXPECT_NE(off.err.find("scores[0].score"), std::string::npos) << off.err;
  EXPECT_EQ(Ctl({"evaluation", "results", five}, "", staff).exit_code, 4);
  json mine = CtlJson({"evaluation", "list", "--mine"}, staff);
  EXPECT_EQ(mine["rounds"].size(), 2u);
  // Commitments: the member records and reports; the employee reads the board.
  const std::string member_token = dir_.Sub("member-token");
  ASSERT_EQ(
      Ctl({"login", "--user", "13900000071", "--password-stdin"}, "member-pass-1\n", member_token)
          .exit_code,
      0);
  json pledged = CtlJson(
      {"commitments", "record", "--period", "2026", "--text", "全年无违章", "--post", "收费班长"},
      member_token);
  ASSERT_EQ(pledged["commitments"].size(), 1u) << pledged.dump();
  const std::string pledge = pledged["commitments"][0]["id"];
  EXPECT_EQ(
      Ctl({"commitments", "report", pledge, "--text", "上半年无违章"}, "", member_token).exit_code,
      0);
  EXPECT_EQ(Ctl({"commitments", "record", "--period", "2026", "--text", "x"}, "", staff).exit_code,
            4);
  json board = CtlJson({"commitments", "list", "--org", root}, staff);
  ASSERT_EQ(board["commitments"].size(), 1u);
  EXPECT_EQ(board["commitments"][0]["progress"].size(), 1u);
  // The honours board: the administrator commends the member after the round; staff read it.
  json honour = CtlJson({"board", "commend", "--org", root, "--title", "优秀党员", "--period",
                         "2026", "--person", subject, "--round", id, "--reason", "承诺践行好"});
  ASSERT_EQ(honour["commendations"].size(), 1u) << honour.dump();
  Outcome shown = Ctl({"board", "show", "--org", root}, "", staff);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("优秀党员"), std::string::npos) << shown.out;
  EXPECT_EQ(Ctl({"board", "commend", "--org", root, "--title", "x", "--period", "2026", "--person",
                 subject},
                "", staff)
                .exit_code,
            4);
}

}  // namespace
TEST_F(BranchctlTest, DutiesAreaPostGroupAndTheBoard) {
  LoginAdmin();
  const std::string root = RootOrg();
  json member = CtlJson({"people", "add", "--org", root, "--name", "责任区党员", "--phone",
                         "13900000081", "--password", "member-pass-1", "--role", "full-member"});
  json staff_person = CtlJson({"people", "add", "--org", root, "--name", "突击队职工", "--phone",
                               "13900000082", "--password", "staff-pass-1", "--role", "employee"});
  const std::string m = member["id"], s = staff_person["id"];
  const std::string staff = dir_.Sub("staff-token");
  ASSERT_EQ(Ctl({"login", "--user", "13900000082", "--password-stdin"}, "staff-pass-1\n", staff)
                .exit_code,
            0);
  json area = CtlJson({"duties", "area", "create", "--org", root, "--name", "收费广场责任区",
                       "--responsible", m, "--duties", "车辆疏导", "--link-person", s});
  ASSERT_EQ(area["entries"].size(), 1u) << area.dump();
  EXPECT_EQ(area["entries"][0]["area"]["responsible_person_name"], "责任区党员");
  const std::string area_id = area["entries"][0]["area"]["id"];
  json post = CtlJson(
      {"duties", "post", "create", "--org", root, "--name", "收费班长示范岗", "--leader", m});
  ASSERT_EQ(post["entries"].size(), 1u) << post.dump();
  json group = CtlJson({"duties", "group", "create", "--org", root, "--name", "道路抢险突击队",
                        "--kind", "emergency", "--member", m + ":队长"});
  ASSERT_EQ(group["entries"].size(), 1u) << group.dump();
  const std::string group_id = group["entries"][0]["group"]["id"];
  json joined = CtlJson({"duties", "group", "join", group_id, "--person", s, "--role", "队员"});
  EXPECT_EQ(joined["entries"][0]["group"]["members"].size(), 2u) << joined.dump();
  // The staff member (not a party member) reads the board; only managers write.
  Outcome shown = Ctl({"duties", "board", "--org", root}, "", staff);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("收费广场责任区"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("突击队职工(队员)"), std::string::npos) << shown.out;
  // Their own duties: linked to the area and in the group, not the post.
  Outcome mine = Ctl({"duties", "mine"}, "", staff);
  EXPECT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_NE(mine.out.find("收费广场责任区"), std::string::npos) << mine.out;
  EXPECT_NE(mine.out.find("道路抢险突击队"), std::string::npos) << mine.out;
  EXPECT_EQ(mine.out.find("收费班长示范岗"), std::string::npos) << mine.out;
  EXPECT_EQ(Ctl({"duties", "end", area_id}, "", staff).exit_code, 4);
  ASSERT_EQ(Ctl({"duties", "end", area_id}).exit_code, 0);
  json board = CtlJson({"duties", "board", "--org", root, "--past"});
  EXPECT_EQ(board["entries"].size(), 3u) << board.dump();
  // A responsible person who is no party member (6), a malformed member flag (2).
  EXPECT_EQ(Ctl({"duties", "area", "create", "--org", root, "--name", "x", "--responsible", s,
                 "--duties", "y"})
                .exit_code,
            6);
  EXPECT_EQ(Ctl({"duties", "group", "create", "--org", root, "--name", "x", "--kind", "emergency",
                 "--member", "abc"})
                .exit_code,
            2);
}

TEST_F(BranchctlTest, PeopleTransferWithADateAndTheirMemberships) {
  LoginAdmin();
  const std::string root = RootOrg();
  json team = CtlJson({"org", "create", "--parent", root, "--name", "收费二班"});
  const std::string team_id = team["id"];
  json person = CtlJson({"people", "add", "--org", root, "--name", "调动党员", "--phone",
                         "13900000071", "--role", "activist"});
  const std::string id = person["id"];
  // Admitted as a probationary member on 2026-01-10, then moved to the team on 2026-03-01.
  json admitted =
      CtlJson({"people", "transfer", id, "--role", "probationary-member", "--date", "2026-01-10"});
  EXPECT_EQ(admitted["role"], "ROLE_PROBATIONARY_MEMBER") << admitted.dump();
  json moved = CtlJson({"people", "transfer", id, "--org", team_id, "--date", "2026-03-01"});
  EXPECT_EQ(moved["organization_id"], team_id) << moved.dump();
  json history = CtlJson({"people", "memberships", id});
  ASSERT_EQ(history["memberships"].size(), 3u) << history.dump();
  EXPECT_EQ(history["memberships"][0]["organization_name"], "收费二班");
  EXPECT_EQ(history["memberships"][1]["end_reason"], "transferred");
  EXPECT_EQ(history["memberships"][2]["role"], "ROLE_ACTIVIST");
  Outcome table = Ctl({"people", "memberships", id});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("2026-01-10"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(current)"), std::string::npos) << table.out;
  // A date before the current membership (8: a precondition), a date that is no date.
  EXPECT_EQ(Ctl({"people", "transfer", id, "--org", root, "--date", "2026-02-01"}).exit_code, 8);
  EXPECT_NE(Ctl({"people", "transfer", id, "--org", root, "--date", "2026-02-30"}).exit_code, 0);
}

TEST_F(BranchctlTest, MinutesSaveLockShowAndLedgerAddListReport) {
  LoginAdmin();
  const std::string root = RootOrg();
  json person = CtlJson({"people", "add", "--org", root, "--name", "张师傅", "--phone",
                         "13900000077", "--password", "driver-pass-2"});
  const std::string owner = person["id"];
  // A meeting held an hour ago (local +08:00 time).
  std::time_t earlier = std::time(nullptr) - 3600 + 8 * 3600;
  std::tm local{};
  gmtime_r(&earlier, &local);
  char start[32];
  std::strftime(start, sizeof start, "%Y-%m-%d %H:%M", &local);
  json meeting = CtlJson({"meeting", "schedule", "--org", root, "--title", "组织生活会", "--start",
                          start, "--duration", "30"});
  const std::string id = meeting["id"];
  const std::string minutes = dir_.Sub("minutes.md");
  std::ofstream(minutes) << "## 纪要\n\n张师傅作自我批评。\n";
  json saved = CtlJson({"minutes", "save", id, "--file", minutes, "--resolution", "每周学习一次",
                        "--problem", owner + ":2030-01-31:出车记录不全: 补齐"});
  EXPECT_EQ(saved["version"], "1");
  ASSERT_EQ(saved["problems"].size(), 1u);
  EXPECT_EQ(saved["problems"][0]["description"], "出车记录不全: 补齐");
  json locked = CtlJson({"minutes", "lock", id});
  EXPECT_EQ(locked["locked"], true);
  // After the lock a change needs a reason (8: failed precondition) and makes revision 2.
  Outcome no_reason = Ctl({"minutes", "save", id, "--resolution", "每周学习两次"});
  EXPECT_EQ(no_reason.exit_code, 8);
  EXPECT_NE(no_reason.err.find("reason"), std::string::npos) << no_reason.err;
  json revised =
      CtlJson({"minutes", "save", id, "--resolution", "每周学习两次", "--reason", "更正决议"});
  EXPECT_EQ(revised["revision"], 2);
  // An edit based on an old version is refused (8: aborted), not applied over the newer one.
  EXPECT_EQ(Ctl({"minutes", "save", id, "--version", "1", "--reason", "旧稿"}).exit_code, 8);
  Outcome shown = Ctl({"minutes", "show", id, "--revision", "1"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("每周学习一次"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("张师傅作自我批评"), std::string::npos) << shown.out;
  EXPECT_EQ(Ctl({"minutes", "show", "99"}).exit_code, 5);
  EXPECT_EQ(Ctl({"minutes", "save", id, "--problem", "x:2030-01-01:y"}).exit_code, 2);

  json talk = CtlJson({"ledger", "add", "--type", "talk", "--level", "secretary-member", "--date",
                       "2026-03-02", "--text", "谈心谈话", "--person", owner});
  EXPECT_EQ(talk["type"], "LEDGER_ENTRY_TYPE_TALK");
  CtlJson({"ledger", "add", "--type", "volunteer", "--date", "2026-03-05", "--hours", "2.5",
           "--text", "义务植树", "--name", "志愿者甲"});
  CtlJson({"ledger", "add", "--type", "volunteer", "--date", "2026-04-05", "--hours", "1", "--text",
           "四月的服务"});
  json list = CtlJson({"ledger", "list", "--from", "2026-03-01", "--to", "2026-03-31"});
  ASSERT_EQ(list["entries"].size(), 2u);
  EXPECT_EQ(list["entries"][0]["date"]["day"], 5);  // newest first
  json report = CtlJson({"ledger", "report", "--from", "2026-03-01", "--to", "2026-03-31"});
  EXPECT_EQ(report["entries"], 2);
  EXPECT_EQ(report["volunteer_hours"], 2.5);
  Outcome table = Ctl({"ledger", "report", "--from", "2026-03-01", "--to", "2026-03-31"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("volunteer hours 2.5"), std::string::npos) << table.out;
  Outcome bad = Ctl({"ledger", "add", "--type", "talk", "--date", "2026-03-02", "--text", "x"});
  EXPECT_EQ(bad.exit_code, 6);  // a talk needs its level
  EXPECT_NE(bad.err.find("entry.talk_level"), std::string::npos) << bad.err;
  EXPECT_EQ(
      Ctl({"ledger", "add", "--type", "party", "--date", "2026-03-02", "--text", "x"}).exit_code,
      2);
}

TEST_F(BranchctlTest, FileUploadInChunksGetAndList) {
  LoginAdmin();
  std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n";
  pdf.resize(5000, ' ');
  const std::string path = dir_.Sub("会议照片.pdf");
  std::ofstream(path, std::ios::binary) << pdf;
  // Five chunks of 1 KiB; the same --request-id again finds the finished upload.
  json file = CtlJson({"file", "upload", path, "--chunk-kib", "1", "--request-id", "upload-1"});
  EXPECT_EQ(file["file_name"], "会议照片.pdf");
  EXPECT_EQ(file["content_type"], "application/pdf");
  EXPECT_EQ(file["size_bytes"], "5000");
  json again = CtlJson({"file", "upload", path, "--request-id", "upload-1"});
  EXPECT_EQ(again["id"], file["id"]);
  const std::string id = file["id"];
  const std::string copy = dir_.Sub("copy.pdf");
  Outcome got = Ctl({"file", "get", id, "--out", copy});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(ReadFile(copy), pdf);
  json list = CtlJson({"file", "list"});
  ASSERT_EQ(list["files"].size(), 1u);
  EXPECT_EQ(list["used_bytes"], "5000");
  Outcome shown = Ctl({"file", "show", id});
  EXPECT_NE(shown.out.find("application/pdf"), std::string::npos) << shown.out;
  // On a ledger entry, and off again.
  json entry = CtlJson(
      {"ledger", "add", "--type", "visit", "--date", "2026-03-02", "--text", "走访困难职工"});
  const std::string record = "ledger:" + std::string(entry["id"]);
  json attached = CtlJson({"file", "attach", id, record});
  ASSERT_EQ(attached["attached_to"].size(), 1u);
  json attachments = CtlJson({"file", "attachments", record});
  ASSERT_EQ(attachments["files"].size(), 1u);
  EXPECT_EQ(attachments["files"][0]["id"], id);
  CtlJson({"file", "detach", id, record});
  EXPECT_EQ(Ctl({"file", "attach", id, "ledger:x"}).exit_code, 2);
  // A program named like a photo is refused by its content (8: failed precondition).
  const std::string program = dir_.Sub("photo.jpg");
  std::ofstream(program, std::ios::binary) << std::string(
                                                  "\x7f"
                                                  "ELF\x02\x01\x01",
                                                  7)
                                           << std::string(100, '\0');
  Outcome refused = Ctl({"file", "upload", program});
  EXPECT_EQ(refused.exit_code, 8);
  EXPECT_EQ(Ctl({"file", "show", "99"}).exit_code, 5);
}

TEST_F(BranchctlTest, HandbookBranchAndMemberFiles) {
  LoginAdmin();
  CtlJson({"ledger", "add", "--type", "visit", "--date", "2026-03-02", "--text", "走访困难职工"});
  const std::string csv = dir_.Sub("branch.csv");
  Outcome branch = Ctl({"handbook", "branch", "--from", "2026-01-01", "--to", "2026-12-31",
                        "--format", "csv", "--out", csv});
  ASSERT_EQ(branch.exit_code, 0) << branch.err;
  const std::string text = ReadFile(csv);
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(text.find("走访困难职工"), std::string::npos) << text;
  // PDF by default, here to stdout.
  Outcome pdf =
      Ctl({"handbook", "member", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "-"});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.err;
  EXPECT_EQ(pdf.out.substr(0, 5), "%PDF-");
  // A period of more than a year is refused naming the field (6: invalid argument), and no
  // file is left behind.
  const std::string refused_path = dir_.Sub("refused.pdf");
  Outcome refused = Ctl(
      {"handbook", "branch", "--from", "2024-01-01", "--to", "2026-12-31", "--out", refused_path});
  EXPECT_EQ(refused.exit_code, 6);
  EXPECT_NE(refused.err.find("to_date"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::ifstream(refused_path).good());
  EXPECT_EQ(
      Ctl({"handbook", "branch", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "docx"})
          .exit_code,
      2);
}

TEST_F(BranchctlTest, CalendarExportWritesAnIcsFile) {
  LoginAdmin();
  const std::string root = RootOrg();
  // Three days from now, 09:30 in +08:00 (the organisation's offset).
  std::time_t later = std::time(nullptr) + 3 * 24 * 3600 + 8 * 3600;
  std::tm local{};
  gmtime_r(&later, &local);
  char start[32];
  std::strftime(start, sizeof start, "%Y-%m-%d 09:30", &local);
  json meeting = CtlJson({"meeting", "schedule", "--org", root, "--title", "安全例会, 冬季行车",
                          "--start", start, "--duration", "60"});
  const std::string id = meeting["id"];
  const std::string ics = dir_.Sub("mine.ics");
  Outcome o = Ctl({"calendar", "export", "--days", "30", "--out", ics});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string file = ReadFile(ics);
  EXPECT_EQ(file.rfind("BEGIN:VCALENDAR\r\n", 0), 0u) << file;
  EXPECT_NE(file.find("UID:meeting-" + id + "@branchline\r\n"), std::string::npos) << file;
  EXPECT_NE(file.find("SUMMARY:安全例会\\, 冬季行车\r\n"), std::string::npos) << file;
  // To stdout, and the server's refusal of an out-of-range --days (6: invalid argument).
  Outcome out = Ctl({"calendar", "export", "--out", "-"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out.rfind("BEGIN:VCALENDAR", 0), 0u);
  Outcome bad = Ctl({"calendar", "export", "--days", "400", "--out", dir_.Sub("bad.ics")});
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("days"), std::string::npos) << bad.err;
}

TEST_F(BranchctlTest, MeetingSeriesCreateUpdateSplitEnd) {
  LoginAdmin();
  const std::string root = RootOrg();
  // Three days from now, 09:30 in +08:00, weekly; and the date a week after that.
  std::time_t later = std::time(nullptr) + 3 * 24 * 3600 + 8 * 3600;
  std::time_t week = later + 7 * 24 * 3600, before = later - 24 * 3600;
  std::tm local{}, next{}, prior{};
  gmtime_r(&later, &local);
  gmtime_r(&week, &next);
  gmtime_r(&before, &prior);
  char start[32], split_date[16], too_early[16];
  std::strftime(start, sizeof start, "%Y-%m-%d 09:30", &local);
  std::strftime(split_date, sizeof split_date, "%Y-%m-%d", &next);
  std::strftime(too_early, sizeof too_early, "%Y-%m-%d", &prior);
  json series = CtlJson({"meeting", "series", "create", "--org", root, "--title", "周一安全例会",
                         "--start", start, "--rule", "FREQ=WEEKLY", "--horizon", "28"});
  ASSERT_TRUE(series.contains("id")) << series.dump();
  const std::string id = series["id"];
  json occurrences = CtlJson({"meeting", "series", "occurrences", id});
  ASSERT_EQ(occurrences["occurrences"].size(), 4u) << occurrences.dump();
  json updated =
      CtlJson({"meeting", "series", "update", id, "--title", "安全例会", "--time", "10:00"});
  EXPECT_EQ(updated["updated_meeting_ids"].size(), 4u) << updated.dump();
  EXPECT_EQ(updated["series"]["meeting"]["title"], "安全例会");
  json split = CtlJson({"meeting", "series", "split", id, "--from", split_date, "--rule",
                        "FREQ=WEEKLY;INTERVAL=2", "--title", "双周安全例会"});
  ASSERT_TRUE(split.contains("new_series")) << split.dump();
  EXPECT_EQ(split["moved_meeting_ids"].size(), 2u) << split.dump();
  EXPECT_EQ(split["cancelled_meeting_ids"].size(), 1u) << split.dump();
  EXPECT_EQ(split["new_series"]["meeting"]["title"], "双周安全例会");
  Outcome table = Ctl({"meeting", "series", "list", "--ended"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("FREQ=WEEKLY;INTERVAL=2"), std::string::npos) << table.out;
  // The server's refusals: a split date before the series (6: invalid argument, naming the
  // field), a usage error (2), an unknown series (5).
  const std::string new_id = split["new_series"]["id"];
  Outcome early = Ctl({"meeting", "series", "split", new_id, "--from", too_early});
  EXPECT_EQ(early.exit_code, 6) << early.err;
  EXPECT_NE(early.err.find("from_date"), std::string::npos) << early.err;
  EXPECT_EQ(Ctl({"meeting", "series", "split", new_id, "--from", "2030/01/01"}).exit_code, 2);
  EXPECT_EQ(Ctl({"meeting", "series", "show", "99"}).exit_code, 5);
  json ended = CtlJson({"meeting", "series", "end", new_id, "--reason", "停开"});
  EXPECT_EQ(ended["series"]["ended"], true) << ended.dump();
}

TEST_F(BranchctlTest, NotificationsDevicesSettingsAndMute) {
  LoginAdmin();
  const std::string root = RootOrg();
  ASSERT_EQ(Ctl({"people", "add", "--org", root, "--name", "驾驶员", "--phone", "13900000077",
                 "--password", "driver-pass-1"})
                .exit_code,
            0);
  const std::string driver = dir_.Sub("driver-token");
  ASSERT_EQ(Ctl({"login", "--user", "13900000077", "--password-stdin"}, "driver-pass-1\n", driver)
                .exit_code,
            0);
  // A device: registered twice with the same token it stays one, and its token is not shown.
  json device = CtlJson({"notifications", "devices", "register", "--platform", "harmony", "--token",
                         "hms-secret-token-0042", "--app-version", "2.3.1"},
                        driver);
  ASSERT_EQ(device["devices"].size(), 1u) << device.dump();
  EXPECT_FALSE(device["devices"][0].contains("token")) << device.dump();
  EXPECT_EQ(device["devices"][0]["token_suffix"], "0042");
  CtlJson({"notifications", "devices", "register", "--platform", "harmony", "--token",
           "hms-secret-token-0042"},
          driver);
  Outcome listed = Ctl({"notifications", "devices"}, "", driver);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("…0042"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("hms-secret"), std::string::npos) << listed.out;
  const std::string id = device["devices"][0]["id"];
  EXPECT_EQ(Ctl({"notifications", "devices", "remove", id}).exit_code, 4);  // not the admin's
  EXPECT_EQ(Ctl({"notifications", "devices", "remove", id}, "", driver).exit_code, 0);
  EXPECT_EQ(Ctl({"notifications", "devices", "remove", id}, "", driver).exit_code, 5);
  EXPECT_EQ(Ctl({"notifications", "devices", "register", "--platform", "pager", "--token", "x"}, "",
                driver)
                .exit_code,
            2);

  // Settings: the defaults, then the company's own.
  Outcome defaults = Ctl({"notifications", "settings"}, "", driver);
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  EXPECT_NE(defaults.out.find("24, 1"), std::string::npos) << defaults.out;
  EXPECT_NE(defaults.out.find("22:00-07:00"), std::string::npos) << defaults.out;
  json set = CtlJson({"notifications", "settings", "--org", root, "--hours", "48", "--hours", "2",
                      "--quiet", "23:00-06:30"});
  EXPECT_EQ(set["quiet_start_minute"], 23 * 60);
  EXPECT_EQ(set["quiet_end_minute"], 6 * 60 + 30);
  EXPECT_EQ(set["meeting_reminder_hours"].size(), 2u);
  EXPECT_EQ(set["study_due_days"], 3);  // the default kept
  json study = CtlJson({"notifications", "settings", "--org", root, "--study-days", "7"});
  EXPECT_EQ(study["study_due_days"], 7);
  EXPECT_EQ(study["quiet_start_minute"], 23 * 60);  // the rest kept
  Outcome far = Ctl({"notifications", "settings", "--org", root, "--study-days", "31"});
  EXPECT_EQ(far.exit_code, 6);
  EXPECT_NE(far.err.find("settings.study_due_days"), std::string::npos) << far.err;
  EXPECT_EQ(Ctl({"notifications", "settings", "--hours", "1"}, "", driver).exit_code, 4);
  Outcome bad = Ctl({"notifications", "settings", "--org", root, "--hours", "500"});
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("settings.meeting_reminder_hours"), std::string::npos) << bad.err;
  EXPECT_EQ(Ctl({"notifications", "settings", "--quiet", "late"}).exit_code, 2);

  // Opt-outs, the (empty) list and marking read.
  Outcome muted = Ctl({"notifications", "mute", "meeting-starts-soon"}, "", driver);
  ASSERT_EQ(muted.exit_code, 0) << muted.err;
  EXPECT_NE(muted.out.find("meeting-starts-soon"), std::string::npos) << muted.out;
  Outcome shown = Ctl({"notifications", "mute"}, "", driver);
  EXPECT_NE(shown.out.find("meeting-starts-soon"), std::string::npos) << shown.out;
  EXPECT_NE(Ctl({"notifications", "mute", "--none"}, "", driver).out.find("nothing"),
            std::string::npos);
  Outcome list = Ctl({"notifications", "list", "--unread"}, "", driver);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("TITLE"), std::string::npos) << list.out;
  EXPECT_EQ(Ctl({"notifications", "read", "--all"}, "", driver).out, "marked 0 read\n");
  EXPECT_EQ(Ctl({"notifications", "read"}, "", driver).exit_code, 2);
  EXPECT_EQ(Ctl({"notifications", "read", "12345"}, "", driver).exit_code, 5);
}

}  // namespace branchline
