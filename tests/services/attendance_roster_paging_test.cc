// Paging a large roster: the pages together are the whole roster, each person exactly once,
// in audience order, with whole-roster counts on every page. The expected roster is built
// from ListPeople (its own walk over the organisation tree), not from the roster's code.
#include <map>
#include <vector>

#include "tests/services/attendance_fixture.h"

namespace branchline::testing {
namespace {

using RosterPagingTest = AttendanceTest;

struct Expected {
  std::vector<uint64_t> order;
  std::map<uint64_t, v1::Person> people;
};

TEST_F(RosterPagingTest, PagesAcrossALargeRosterGiveTheWholeRosterOnce) {
  // 2,400 more people in two groups of the branch (the import takes 1,000 rows per call).
  uint64_t group2 =
      server_.CreateOrg(admin_, branch_, "驾驶员二组", v1::ORGANIZATION_KIND_GROUP).id();
  std::vector<uint64_t> imported;
  for (int batch = 0; batch < 3; ++batch) {
    v1::ImportPeopleRequest import;
    import.set_request_id(TestServer::RequestId());
    for (int i = 0; i < 800; ++i) {
      int n = batch * 800 + i;
      auto* row = import.add_rows();
      row->mutable_person()->set_organization_id(n % 2 ? group2 : group_);
      row->mutable_person()->set_display_name("司机" + std::to_string(n));
      row->mutable_person()->set_employee_number("driver-" + std::to_string(n));
      row->mutable_person()->set_role(v1::ROLE_EMPLOYEE);
    }
    v1::ImportPeopleResponse out;
    ASSERT_TRUE(server_.people().ImportPeople(Ctx(admin_).get(), import, &out).ok());
    ASSERT_EQ(out.created_count(), 800);
    for (const auto& row : out.results()) imported.push_back(row.person_id());
  }
  ASSERT_EQ(imported.size(), 2400u);
  // Off the roster: a service account of the branch and three deactivated people.
  server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
  auto deactivate = [&](uint64_t id) {
    v1::DeactivatePersonRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    v1::Person out;
    ASSERT_TRUE(server_.people().DeactivatePerson(Ctx(admin_).get(), r, &out).ok());
  };
  for (size_t i : {size_t{5}, size_t{1200}, size_t{2399}}) deactivate(imported[i]);

  auto m = MustCreate(Draft(Now() + 10 * kMin));
  v1::CheckInResponse out;
  for (const auto& token : {d1_, d2_, d3_}) {
    ASSERT_TRUE(CheckIn(token, Remote(m.id(), v1::REMOTE_REASON_DRIVING), &out).ok());
  }
  // After checking in, d1 moves to another branch and d2 is deactivated: both leave the
  // audience and come back at the end of the roster (in id order) with their records.
  v1::UpdatePersonRequest move;
  move.set_request_id(TestServer::RequestId());
  move.mutable_person()->set_id(d1_id_);
  move.mutable_person()->set_organization_id(sibling_);
  move.mutable_update_mask()->add_paths("organization_id");
  v1::Person moved;
  ASSERT_TRUE(server_.people().UpdatePerson(Ctx(admin_).get(), move, &moved).ok());
  deactivate(d2_id_);

  // The expected roster: the branch's active human people in ListPeople's order, then d1, d2.
  Expected expected;
  v1::ListPeopleRequest list;
  list.set_organization_id(branch_);
  list.set_include_descendants(true);
  list.set_page_size(1000);
  do {
    v1::ListPeopleResponse page;
    ASSERT_TRUE(server_.people().ListPeople(Ctx(admin_).get(), list, &page).ok());
    for (const auto& p : page.people()) {
      if (p.kind() == v1::PERSON_KIND_SERVICE) continue;
      expected.order.push_back(p.id());
      expected.people[p.id()] = p;
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (uint64_t id : {std::min(d1_id_, d2_id_), std::max(d1_id_, d2_id_)}) {
    expected.order.push_back(id);
    v1::GetPersonRequest get;
    get.set_id(id);
    ASSERT_TRUE(server_.people().GetPerson(Ctx(admin_).get(), get, &expected.people[id]).ok());
  }
  // secretary + d3 + 2,400 imported - 3 deactivated, then the two who left.
  ASSERT_EQ(expected.order.size(), 2u + 2400 - 3 + 2);

  for (int page_size : {1000, 333}) {
    SCOPED_TRACE("page size " + std::to_string(page_size));
    v1::GetRosterRequest r;
    r.set_meeting_id(m.id());
    r.set_page_size(page_size);
    std::vector<uint64_t> seen;
    int pages = 0;
    do {
      v1::Roster page;
      ASSERT_TRUE(stub_->GetRoster(Ctx(secretary_).get(), r, &page).ok());
      ++pages;
      const auto& c = page.counts();
      EXPECT_EQ(c.expected(), static_cast<int>(expected.order.size()));
      EXPECT_EQ(c.remote(), 3);
      EXPECT_EQ(c.absent(), c.expected() - 3);
      EXPECT_EQ(c.present() + c.late() + c.excused() + c.made_up(), 0);
      EXPECT_TRUE(page.next_page_token().empty() || page.entries_size() == page_size);
      for (const auto& e : page.entries()) {
        seen.push_back(e.person_id());
        const auto& p = expected.people[e.person_id()];
        EXPECT_EQ(e.display_name(), p.display_name());
        EXPECT_EQ(e.organization_id(), p.organization_id());
        bool checked_in =
            e.person_id() == d1_id_ || e.person_id() == d2_id_ || e.person_id() == d3_id_;
        EXPECT_EQ(e.status(),
                  checked_in ? v1::ATTENDANCE_STATUS_REMOTE : v1::ATTENDANCE_STATUS_ABSENT);
        EXPECT_EQ(e.has_record(), checked_in);
        if (checked_in) EXPECT_EQ(e.record().person_id(), e.person_id());
      }
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    EXPECT_EQ(seen, expected.order);  // every person once, in audience order
    EXPECT_EQ(pages, static_cast<int>((expected.order.size() + page_size - 1) / page_size));
  }

  // The CSV export builds the same roster in one piece: one line per person, same order.
  std::string csv = RosterCsv(m.id());
  std::vector<uint64_t> csv_order;
  size_t line_start = csv.find('\n', csv.find('\n') + 1) + 1;  // after the two header lines
  while (line_start < csv.size()) {
    // The person id is the second column from the end: counting from the end keeps the test
    // independent of the quoted name and note columns before it.
    size_t line_end = csv.find('\n', line_start);
    if (line_end == std::string::npos) line_end = csv.size();
    std::string line = csv.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t org_comma = line.rfind(',');
    size_t id_comma = line.rfind(',', org_comma - 1);
    csv_order.push_back(std::stoull(line.substr(id_comma + 1, org_comma - id_comma - 1)));
    line_start = line_end + 1;
  }
  EXPECT_EQ(csv_order, expected.order);
}

}  // namespace
}  // namespace branchline::testing
