// The activity ledger: items per organisation (inherited down the tree), counts per item,
// type and period checked against figures computed here, hardship files for managers only,
// paging, versions and voiding, and bad input naming its field.
#include <map>
#include <string>
#include <vector>

#include "tests/services/records_fixture.h"

namespace branchline::testing {
namespace {

class RecordsLedgerTest : public RecordsTest {
 protected:
  void SetUp() override {
    RecordsTest::SetUp();
    v1::LedgerItems out;
    ASSERT_TRUE(SetItems(ItemsDraft(branch_), &out).ok());
  }

  v1::LedgerReport Report(const v1::LocalDate& from, const v1::LocalDate& to,
                          const std::string& token = "") {
    v1::GetLedgerReportRequest r;
    r.set_organization_id(branch_);
    *r.mutable_from_date() = from;
    *r.mutable_to_date() = to;
    v1::LedgerReport out;
    auto status = records_->GetLedgerReport(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::vector<v1::LedgerEntry> ListAll(v1::ListLedgerEntriesRequest r, const std::string& token,
                                       int page_size) {
    std::vector<v1::LedgerEntry> all;
    r.set_page_size(page_size);
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListLedgerEntriesResponse out;
      auto status = records_->ListLedgerEntries(Ctx(token).get(), r, &out);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_LE(out.entries_size(), page_size);
      all.insert(all.end(), out.entries().begin(), out.entries().end());
      if (out.next_page_token().empty()) break;
      r.set_page_token(out.next_page_token());
    }
    return all;
  }
};

TEST_F(RecordsLedgerTest, ReportCountsEachItemTypeAndHourOfThePeriod) {
  // A year of entries of the branch and of its group, on dates in and around March 2026.
  struct Spec {
    v1::LocalDate date;
    v1::LedgerEntryType type;
    std::string item;
    double hours;
    uint64_t org;
  };
  const std::vector<Spec> specs = {
      {Date(2026, 2, 28), v1::LEDGER_ENTRY_TYPE_TALK, "1.1", 0, branch_},  // before the period
      {Date(2026, 3, 1), v1::LEDGER_ENTRY_TYPE_TALK, "1.1", 0, branch_},
      {Date(2026, 3, 5), v1::LEDGER_ENTRY_TYPE_TALK, "1.1", 0, group_},
      {Date(2026, 3, 9), v1::LEDGER_ENTRY_TYPE_VISIT, "1.2", 0, branch_},
      {Date(2026, 3, 12), v1::LEDGER_ENTRY_TYPE_VOLUNTEER, "2.1", 1.5, branch_},
      {Date(2026, 3, 20), v1::LEDGER_ENTRY_TYPE_VOLUNTEER, "2.1", 2.5, group_},
      {Date(2026, 3, 21), v1::LEDGER_ENTRY_TYPE_VOLUNTEER, "", 0.1, branch_},
      {Date(2026, 3, 25), v1::LEDGER_ENTRY_TYPE_PAIRING, "3", 0, branch_},
      {Date(2026, 3, 31), v1::LEDGER_ENTRY_TYPE_HARDSHIP, "3", 0, branch_},
      {Date(2026, 4, 1), v1::LEDGER_ENTRY_TYPE_VOLUNTEER, "2.1", 4, branch_},  // after it
  };
  std::vector<v1::LedgerEntry> created;
  for (const auto& s : specs) {
    auto e = EntryDraft(s.date, s.item);
    e.set_organization_id(s.org);
    e.set_type(s.type);
    if (s.type != v1::LEDGER_ENTRY_TYPE_TALK) e.clear_talk_level();
    e.set_volunteer_hours(s.hours);
    if (s.type == v1::LEDGER_ENTRY_TYPE_HARDSHIP) {
      e.mutable_hardship()->set_worker_id(d2_id_);
      e.mutable_hardship()->set_difficulty("妻子重病，两个孩子上学");
      e.mutable_hardship()->set_help_given("工会送去慰问金两千元");
    }
    created.push_back(MustAddEntry(e));
  }
  // One voided entry in the period counts for nothing.
  auto voided = MustAddEntry(EntryDraft(Date(2026, 3, 15), "1.1"));
  v1::VoidLedgerEntryRequest void_request;
  void_request.set_request_id(TestServer::RequestId());
  void_request.set_id(voided.id());
  void_request.set_reason("重复录入");
  v1::LedgerEntry out;
  ASSERT_TRUE(records_->VoidLedgerEntry(Ctx(secretary_).get(), void_request, &out).ok());
  EXPECT_TRUE(out.voided());

  // The figures, computed from the specs.
  auto expected = [&](bool with_hardship) {
    std::map<std::string, int> items;
    std::map<int, int> types;
    int entries = 0;
    double hours = 0;
    for (const auto& s : specs) {
      const int day = s.date.year() * 10000 + s.date.month() * 100 + s.date.day();
      if (day < 20260301 || day > 20260331) continue;
      if (s.type == v1::LEDGER_ENTRY_TYPE_HARDSHIP && !with_hardship) continue;
      ++items[s.item];
      ++types[s.type];
      ++entries;
      hours += s.hours;
    }
    return std::make_tuple(items, types, entries, hours);
  };
  for (bool manager : {true, false}) {
    auto report = Report(Date(2026, 3, 1), Date(2026, 3, 31), manager ? secretary_ : d1_);
    auto [items, types, entries, hours] = expected(manager);
    EXPECT_EQ(report.hardship_hidden(), !manager);
    EXPECT_EQ(report.entries(), entries);
    EXPECT_DOUBLE_EQ(report.volunteer_hours(), hours);
    // Every item in force is listed, in list order, with zero counts too; then "".
    std::vector<std::string> codes;
    for (const auto& item : report.items()) {
      codes.push_back(item.code());
      EXPECT_EQ(item.entries(), items[item.code()]) << item.code();
    }
    EXPECT_EQ(codes, (std::vector<std::string>{"1.1", "1.2", "2.1", "3", ""}));
    EXPECT_EQ(report.items(0).title(), "政治学习 / 谈心谈话");
    EXPECT_DOUBLE_EQ(report.items(2).volunteer_hours(), 4.0);
    int typed = 0;
    for (const auto& t : report.types()) {
      EXPECT_EQ(t.entries(), types[t.type()]) << t.type();
      typed += t.entries();
    }
    EXPECT_EQ(typed, entries);
  }
  EXPECT_EQ(Report(Date(2026, 3, 1), Date(2026, 3, 31)).entries(), 8);

  // The group's own report counts only its two entries.
  v1::GetLedgerReportRequest group;
  group.set_organization_id(group_);
  *group.mutable_from_date() = Date(2026, 3, 1);
  *group.mutable_to_date() = Date(2026, 3, 31);
  v1::LedgerReport report;
  ASSERT_TRUE(records_->GetLedgerReport(Ctx(secretary_).get(), group, &report).ok());
  EXPECT_EQ(report.entries(), 2);
  EXPECT_DOUBLE_EQ(report.volunteer_hours(), 2.5);
}

TEST_F(RecordsLedgerTest, HardshipFilesAreForManagersOnly) {
  auto e = EntryDraft(Date(2026, 5, 4), "3");
  e.set_type(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
  e.clear_talk_level();
  e.mutable_hardship()->set_worker_name("刘师傅");
  e.mutable_hardship()->set_difficulty("房屋受灾");
  MustAddEntry(e);
  MustAddEntry(EntryDraft(Date(2026, 5, 5), "1.1"));
  v1::ListLedgerEntriesRequest r;
  r.set_organization_id(branch_);
  EXPECT_EQ(ListAll(r, secretary_, 10).size(), 2u);
  EXPECT_EQ(ListAll(r, admin_, 10).size(), 2u);
  auto member = ListAll(r, d1_, 10);
  ASSERT_EQ(member.size(), 1u);
  EXPECT_EQ(member[0].type(), v1::LEDGER_ENTRY_TYPE_TALK);
  EXPECT_EQ(ListAll(r, server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ), 10).size(), 1u);
  r.set_type(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
  EXPECT_TRUE(ListAll(r, d3_, 10).empty());
  r.set_show_voided(true);
  v1::ListLedgerEntriesResponse out;
  EXPECT_EQ(records_->ListLedgerEntries(Ctx(d1_).get(), r, &out).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(RecordsLedgerTest, ListsNewestFirstByPeriodTypeAndItemInPages) {
  for (int day = 1; day <= 9; ++day) {
    auto e = EntryDraft(Date(2026, 6, day), day % 3 == 0 ? "1.2" : "1.1");
    if (day % 3 == 0) {
      e.set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
      e.clear_talk_level();
    }
    e.set_organization_id(day % 2 == 0 ? group_ : branch_);
    MustAddEntry(e);
  }
  v1::ListLedgerEntriesRequest r;
  r.set_organization_id(branch_);
  auto all = ListAll(r, secretary_, 2);
  ASSERT_EQ(all.size(), 9u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].date().day(), 9 - int(i));
  *r.mutable_from_date() = Date(2026, 6, 3);
  *r.mutable_to_date() = Date(2026, 6, 7);
  auto period = ListAll(r, secretary_, 2);
  ASSERT_EQ(period.size(), 5u);
  EXPECT_EQ(period.front().date().day(), 7);
  EXPECT_EQ(period.back().date().day(), 3);
  r.set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
  EXPECT_EQ(ListAll(r, secretary_, 1).size(), 2u);  // the 3rd and the 6th
  r.clear_type();
  r.set_item_code("1.1");
  EXPECT_EQ(ListAll(r, secretary_, 3).size(), 3u);  // 4th, 5th, 7th
  r.clear_item_code();
  r.set_organization_id(group_);
  r.clear_from_date();
  r.clear_to_date();
  EXPECT_EQ(ListAll(r, secretary_, 50).size(), 4u);
  // A token of one query is refused by another.
  r.set_organization_id(branch_);
  r.set_page_size(1);
  v1::ListLedgerEntriesResponse out;
  ASSERT_TRUE(records_->ListLedgerEntries(Ctx(secretary_).get(), r, &out).ok());
  r.set_organization_id(group_);
  r.set_page_token(out.next_page_token());
  auto status = records_->ListLedgerEntries(Ctx(secretary_).get(), r, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "page_token");
}

TEST_F(RecordsLedgerTest, ItemsAreInheritedAndEntriesCountOnlyForKnownItems) {
  v1::ListLedgerItemsRequest r;
  r.set_organization_id(group_);
  v1::LedgerItems items;
  ASSERT_TRUE(records_->ListLedgerItems(Ctx(d1_).get(), r, &items).ok());
  EXPECT_EQ(items.inherited_from(), branch_);
  EXPECT_EQ(items.majors_size(), 3);
  v1::LedgerEntry out;
  // A major item with minors is not countable; an unknown code neither.
  for (const std::string code : {"1", "9.9"}) {
    auto status = AddEntry(EntryDraft(Date(2026, 1, 5), code), &out);
    EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << code;
    EXPECT_EQ(ViolationField(status), "entry.item_code");
    EXPECT_EQ(Reason(status), "UNKNOWN_ITEM");
  }
  // The sibling branch has no items at all.
  r.set_organization_id(sibling_);
  ASSERT_TRUE(records_->ListLedgerItems(Ctx(admin_).get(), r, &items).ok());
  EXPECT_EQ(items.inherited_from(), 0u);
  EXPECT_EQ(items.majors_size(), 0);
}

TEST_F(RecordsLedgerTest, UpdatesNeedTheCurrentVersionAndVoidedEntriesStay) {
  auto entry = MustAddEntry(EntryDraft(Date(2026, 2, 2), "1.1"));
  v1::UpdateLedgerEntryRequest r;
  r.set_request_id(TestServer::RequestId());
  *r.mutable_entry() = entry;
  r.mutable_entry()->set_text("谈心后张师傅表示理解");
  *r.mutable_entry()->mutable_date() = Date(2026, 2, 3);
  r.set_expected_version(entry.version());
  v1::LedgerEntry out;
  ASSERT_TRUE(records_->UpdateLedgerEntry(Ctx(secretary_).get(), r, &out).ok());
  EXPECT_EQ(out.version(), 2u);
  EXPECT_EQ(out.date().day(), 3);
  // The date moved in the index too: the old day lists nothing.
  v1::ListLedgerEntriesRequest list;
  list.set_organization_id(branch_);
  *list.mutable_from_date() = Date(2026, 2, 2);
  *list.mutable_to_date() = Date(2026, 2, 2);
  EXPECT_TRUE(ListAll(list, secretary_, 10).empty());
  *list.mutable_to_date() = Date(2026, 2, 3);
  EXPECT_EQ(ListAll(list, secretary_, 10).size(), 1u);

  r.set_request_id(TestServer::RequestId());
  auto stale = records_->UpdateLedgerEntry(Ctx(secretary_).get(), r, &out);
  EXPECT_EQ(stale.error_code(), grpc::ABORTED);
  EXPECT_EQ(Reason(stale), "STALE_VERSION");

  v1::VoidLedgerEntryRequest v;
  v.set_request_id(TestServer::RequestId());
  v.set_id(entry.id());
  EXPECT_EQ(ViolationField(records_->VoidLedgerEntry(Ctx(secretary_).get(), v, &out)), "reason");
  v.set_reason("录错支部");
  ASSERT_TRUE(records_->VoidLedgerEntry(Ctx(secretary_).get(), v, &out).ok());
  v.set_request_id(TestServer::RequestId());
  EXPECT_EQ(Reason(records_->VoidLedgerEntry(Ctx(secretary_).get(), v, &out)), "ENTRY_VOIDED");
  r.set_request_id(TestServer::RequestId());
  r.set_expected_version(out.version());
  EXPECT_EQ(Reason(records_->UpdateLedgerEntry(Ctx(secretary_).get(), r, &out)), "ENTRY_VOIDED");
  EXPECT_TRUE(ListAll(list, secretary_, 10).empty());
  list.set_show_voided(true);
  EXPECT_EQ(ListAll(list, secretary_, 10).size(), 1u);
}

TEST_F(RecordsLedgerTest, BadInputNamesItsFieldAndWritesNothing) {
  struct Case {
    std::string name;
    std::function<void(v1::LedgerEntry&)> spoil;
    grpc::StatusCode code;
    std::string field;
  };
  std::string long_text;
  for (int i = 0; i < 5001; ++i) long_text += "谈";
  const std::vector<Case> cases = {
      {"no organisation", [](v1::LedgerEntry& e) { e.set_organization_id(0); },
       grpc::INVALID_ARGUMENT, "entry.organization_id"},
      {"unknown organisation",
       [](v1::LedgerEntry& e) { e.set_organization_id(e.organization_id() + 999); },
       grpc::NOT_FOUND, "entry.organization_id"},
      {"no type", [](v1::LedgerEntry& e) { e.set_type(v1::LEDGER_ENTRY_TYPE_UNSPECIFIED); },
       grpc::INVALID_ARGUMENT, "entry.type"},
      {"unknown type", [](v1::LedgerEntry& e) { e.set_type(static_cast<v1::LedgerEntryType>(77)); },
       grpc::INVALID_ARGUMENT, "entry.type"},
      {"talk without level", [](v1::LedgerEntry& e) { e.clear_talk_level(); },
       grpc::INVALID_ARGUMENT, "entry.talk_level"},
      {"level on a visit", [](v1::LedgerEntry& e) { e.set_type(v1::LEDGER_ENTRY_TYPE_VISIT); },
       grpc::INVALID_ARGUMENT, "entry.talk_level"},
      {"no date", [](v1::LedgerEntry& e) { e.clear_date(); }, grpc::INVALID_ARGUMENT, "entry.date"},
      {"bad date",
       [](v1::LedgerEntry& e) {
         e.mutable_date()->set_day(31);
         e.mutable_date()->set_month(2);
       },
       grpc::INVALID_ARGUMENT, "entry.date"},
      {"future date", [](v1::LedgerEntry& e) { e.mutable_date()->set_year(2999); },
       grpc::INVALID_ARGUMENT, "entry.date"},
      {"place too long", [](v1::LedgerEntry& e) { e.set_place(std::string(201, 'x')); },
       grpc::INVALID_ARGUMENT, "entry.place"},
      {"empty text", [](v1::LedgerEntry& e) { e.set_text(" "); }, grpc::INVALID_ARGUMENT,
       "entry.text"},
      {"text too long", [&](v1::LedgerEntry& e) { e.set_text(long_text); }, grpc::INVALID_ARGUMENT,
       "entry.text"},
      {"empty name", [](v1::LedgerEntry& e) { e.add_people_names(""); }, grpc::INVALID_ARGUMENT,
       "entry.people_names[0]"},
      {"repeated person", [&](v1::LedgerEntry& e) { e.add_person_ids(d1_id_); },
       grpc::INVALID_ARGUMENT, "entry.person_ids[1]"},
      {"unknown person", [](v1::LedgerEntry& e) { e.add_person_ids(e.organization_id() + 333); },
       grpc::NOT_FOUND, "entry.person_ids[1]"},
      {"hours on a talk", [](v1::LedgerEntry& e) { e.set_volunteer_hours(2); },
       grpc::INVALID_ARGUMENT, "entry.volunteer_hours"},
      {"no hours",
       [](v1::LedgerEntry& e) {
         e.set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
         e.clear_talk_level();
       },
       grpc::INVALID_ARGUMENT, "entry.volunteer_hours"},
      {"hundredths",
       [](v1::LedgerEntry& e) {
         e.set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
         e.clear_talk_level();
         e.set_volunteer_hours(1.25);
       },
       grpc::INVALID_ARGUMENT, "entry.volunteer_hours"},
      {"hardship without file",
       [](v1::LedgerEntry& e) {
         e.set_type(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
         e.clear_talk_level();
       },
       grpc::INVALID_ARGUMENT, "entry.hardship"},
      {"hardship without difficulty",
       [](v1::LedgerEntry& e) {
         e.set_type(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
         e.clear_talk_level();
         e.mutable_hardship()->set_worker_name("刘师傅");
       },
       grpc::INVALID_ARGUMENT, "entry.hardship.difficulty"},
      {"file on a talk", [](v1::LedgerEntry& e) { e.mutable_hardship()->set_worker_name("刘"); },
       grpc::INVALID_ARGUMENT, "entry.hardship"},
      {"bad item code", [](v1::LedgerEntry& e) { e.set_item_code("一.一"); },
       grpc::INVALID_ARGUMENT, "entry.item_code"},
  };
  for (const auto& c : cases) {
    auto e = EntryDraft(Date(2026, 1, 10), "1.1");
    c.spoil(e);
    v1::LedgerEntry out;
    auto status = AddEntry(e, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field) << c.name;
  }
  v1::ListLedgerEntriesRequest list;
  list.set_organization_id(branch_);
  list.set_show_voided(true);
  EXPECT_TRUE(ListAll(list, secretary_, 10).empty());

  // Items: codes and titles by index, repeats, too many.
  auto items = ItemsDraft(branch_);
  items.mutable_majors(1)->mutable_minors(0)->set_code("1.1");
  v1::LedgerItems out;
  EXPECT_EQ(ViolationField(SetItems(items, &out)), "items.majors[1].minors[0].code");
  items = ItemsDraft(branch_);
  items.mutable_majors(2)->set_title("");
  EXPECT_EQ(ViolationField(SetItems(items, &out)), "items.majors[2].title");
  items = ItemsDraft(branch_);
  for (int i = 0; i < 30; ++i) {
    auto* m = items.mutable_majors(0)->add_minors();
    m->set_code("x" + std::to_string(i));
    m->set_title("细项");
  }
  EXPECT_EQ(ViolationField(SetItems(items, &out)), "items.majors[0].minors");

  v1::GetLedgerReportRequest report;
  report.set_organization_id(branch_);
  v1::LedgerReport figures;
  EXPECT_EQ(ViolationField(records_->GetLedgerReport(Ctx(secretary_).get(), report, &figures)),
            "from_date");
  *report.mutable_from_date() = Date(2026, 1, 1);
  *report.mutable_to_date() = Date(2027, 1, 2);
  EXPECT_EQ(ViolationField(records_->GetLedgerReport(Ctx(secretary_).get(), report, &figures)),
            "to_date");
  *report.mutable_to_date() = Date(2025, 12, 31);
  EXPECT_EQ(ViolationField(records_->GetLedgerReport(Ctx(secretary_).get(), report, &figures)),
            "to_date");
}

}  // namespace
}  // namespace branchline::testing
