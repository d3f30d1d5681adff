// The pure parts of branchctl: display width, CSV, times, enum names, the import plan.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "clients/branchctl/csv.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/people_import.h"
#include "clients/branchctl/session.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"
#include "clients/common/percent.h"

namespace branchline::ctl {
namespace {

TEST(DisplayWidth, ChineseIsTwoColumnsAsciiOne) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("张伟"), 4u);
  EXPECT_EQ(DisplayWidth("一班（长途）"), 12u);  // fullwidth brackets are wide too
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1u);      // e + combining acute accent
  EXPECT_EQ(DisplayWidth("\xFF"), 1u);           // an invalid byte shows as one column
  EXPECT_EQ(DisplayWidth(""), 0u);
}

TEST(BranchctlTable, AlignsColumnsByDisplayWidth) {
  Table table({"NAME", "ROLE"});
  table.AddRow({"张伟", "x"});
  table.AddRow({"Li Lei", "y"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "NAME    ROLE\n"
            "张伟    x\n"
            "Li Lei  y\n");
}

TEST(BranchctlCsv, ParsesQuotesBomCrlfAndLineNumbers) {
  auto records = ParseCsv(
      "\xEF\xBB\xBFname,phone\r\n"
      "\"王, 建国\",123\r\n"
      "\r\n"
      "\"多行\n备注\",\"引号\"\"\"\n"
      "last,1");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"name", "phone"}));
  EXPECT_EQ(records[1].fields[0], "王, 建国");
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].fields[0], "多行\n备注");
  EXPECT_EQ(records[2].fields[1], "引号\"");
  EXPECT_EQ(records[2].line, 4);
  EXPECT_EQ(records[3].line, 6);
  EXPECT_THROW(ParseCsv("a,\"open\n"), std::invalid_argument);
}

TEST(BranchctlCsv, WritesFieldsThatReadBack) {
  std::string line = CsvLine({"a,b", "say \"hi\"", "张三"});
  EXPECT_EQ(line, "\"a,b\",\"say \"\"hi\"\"\",张三\r\n");
  EXPECT_EQ(ParseCsv(line)[0].fields, (std::vector<std::string>{"a,b", "say \"hi\"", "张三"}));
}

TEST(BranchctlCsv, WritesFormulasAsTextAndNumbersAsNumbers) {
  // The server's rule (attendance_csv.cc): a cell a spreadsheet would run gets an apostrophe.
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"http://x\",\"点我\")", "@SUM(A1)", "+1", "-3.5", "-", "-x"}),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",'@SUM(A1),+1,-3.5,-,'-x\r\n");
  EXPECT_EQ(CsvLine({"-3", "+2.5e3", "=1+1", "\tx", "\r=1", "张=三", "a-b", ""}),
            "-3,+2.5e3,'=1+1,'\tx,\"'\r=1\",张=三,a-b,\r\n");
  EXPECT_EQ(CsvField("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  // Read back, the cell is the text as typed behind the apostrophe.
  EXPECT_EQ(ParseCsv(CsvLine({"=A1,B1"}))[0].fields, (std::vector<std::string>{"'=A1,B1"}));
}

TEST(TimeText, ParsesAndFormatsLocalTimes) {
  // 2026-11-23 08:00 at +08:00 is 00:00 UTC.
  auto t = ParseTime("2026-11-23 08:00", 480);
  EXPECT_EQ(t.seconds(), DaysFromCivil({2026, 11, 23}) * 86400);
  EXPECT_EQ(ParseTime("2026-11-23T00:00:00Z", 480).seconds(), t.seconds());
  EXPECT_EQ(ParseTime("2026-11-23T01:00+01:00", 480).seconds(), t.seconds());
  EXPECT_EQ(FormatLocal(t, 480), "2026-11-23 08:00");
  EXPECT_EQ(FormatLocal(t, -300), "2026-11-22 19:00");
  EXPECT_EQ(Weekday(DaysFromCivil({2026, 11, 23})), 0);  // a Monday
  EXPECT_THROW(ParseTime("23/11/2026", 480), std::invalid_argument);
  EXPECT_THROW(ParseTime("2026-13-01", 480), std::invalid_argument);
  for (int64_t d : {-1000, 0, 20000, 20780}) EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
}

TEST(PercentText, RoundsHalfUpAsChineseReportsDo) {
  EXPECT_EQ(clients::PercentText(9.0 / 16), "56.3%");      // printf's half-to-even gave 56.2 %
  EXPECT_EQ(clients::PercentText(247.0 / 2000), "12.4%");  // stored as 0.12349999...
  EXPECT_EQ(clients::PercentText(2.0 / 3), "66.7%");
  EXPECT_EQ(clients::PercentText(0), "0.0%");
  EXPECT_EQ(clients::PercentText(1), "100.0%");
  EXPECT_EQ(clients::PercentTenths(1.0 / 2000), 1);
}

TEST(EnumNames, RoundTripAndRefuseUnknown) {
  EXPECT_EQ(EnumText(v1::Role_descriptor(), v1::ROLE_FULL_MEMBER), "full-member");
  EXPECT_EQ(ParseEnum(v1::Role_descriptor(), "full-member", "--role"), v1::ROLE_FULL_MEMBER);
  EXPECT_EQ(ParseEnum(v1::Role_descriptor(), "ROLE_SECRETARY", "--role"), v1::ROLE_SECRETARY);
  EXPECT_THROW(ParseEnum(v1::Role_descriptor(), "captain", "--role"), CtlError);
  EXPECT_THROW(ParseEnum(v1::Role_descriptor(), "unspecified", "--role"), CtlError);
}

TEST(PeopleImport, PlansRowsAndRefusesBadLinesLocally) {
  ImportPlan plan = PlanImport(
      "name,phone,role,organization_id\n"
      "张三,13900000001,full-member,\n"
      "李四,13900000002,captain,\n"
      "王五,13900000003,,77\n",
      42);
  ASSERT_EQ(plan.rows.size(), 2u);
  EXPECT_EQ(plan.rows[0].person().organization_id(), 42u);
  EXPECT_EQ(plan.rows[1].person().organization_id(), 77u);
  EXPECT_EQ(plan.rows[1].person().role(), v1::ROLE_EMPLOYEE);
  EXPECT_EQ(plan.row_lines, (std::vector<int>{2, 4}));
  ASSERT_EQ(plan.local_failures.size(), 1u);
  EXPECT_EQ(plan.local_failures[0].line, 3);
  EXPECT_NE(plan.local_failures[0].error.find("role"), std::string::npos);
  EXPECT_THROW(PlanImport("nmae,phone\nx,1\n", 1), CtlError);  // a typo in the header
  EXPECT_EQ(ImportRequestId("a", 0), ImportRequestId("a", 0));
  EXPECT_NE(ImportRequestId("a", 0), ImportRequestId("b", 0));
}

std::map<std::string, std::string>& FakeEnvironment() {
  static std::map<std::string, std::string> environment;
  return environment;
}
const char* FakeGetenv(const char* name) {
  auto it = FakeEnvironment().find(name);
  return it == FakeEnvironment().end() ? nullptr : it->second.c_str();
}

TEST(AcceptLanguage, ComesFromThePosixLocaleWithChineseByDefault) {
  auto& env = FakeEnvironment();
  env.clear();
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "zh-CN");
  env["LANG"] = "C.UTF-8";
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "zh-CN");
  env["LANG"] = "POSIX";
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "zh-CN");
  env["LANG"] = "en_US.UTF-8";
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "en-US");
  env["LC_MESSAGES"] = "zh_CN.UTF-8";
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "zh-CN");
  env["LC_ALL"] = "en_GB.UTF-8@euro";
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "en-GB");
  env["LC_ALL"] = "";  // empty counts as unset
  EXPECT_EQ(AcceptLanguageFromLocale(FakeGetenv), "zh-CN");
  env.clear();
}

}  // namespace
}  // namespace branchline::ctl
