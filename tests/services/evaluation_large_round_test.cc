// A round over 200 generated people: 160 members rated by 12 named staff on the five
// comparisons (weights 30/20/20/15/15 on 0..10), each rater skipping some subjects.
// The server's averages, weighted scores, distributions, grades and the minimum-raters rule
// are checked against figures the test computes on its own, in integers.
#include <cmath>

#include "tests/services/evaluation_fixture.h"

namespace branchline::testing {
namespace {

constexpr int kMembers = 160, kEmployees = 40, kRaters = 12;
const int kWeights[5] = {30, 20, 20, 15, 15};

int ScoreOf(int rater, int subject, int criterion) {
  return 4 + (rater * 3 + subject * 5 + criterion * 7 + (rater * subject) % 11) % 7;
}
// Each rater skips one subject in thirteen; every twentieth subject has only 6 raters.
bool Skips(int rater, int subject) {
  return (rater * 7 + subject) % 13 == 0 || (subject % 20 == 0 && rater >= 6);
}

// Rounded half up in hundredths: floor(num / den + 1/2) for non-negative num.
int64_t HalfUp(int64_t num, int64_t den) { return (2 * num + den) / (2 * den); }

std::string Grade(int64_t hundredths) {
  if (hundredths >= 9000) return "优秀";
  if (hundredths >= 7500) return "合格";
  if (hundredths >= 6000) return "基本合格";
  return "不合格";
}

TEST_F(EvaluationTest, TwoHundredPeopleWeightedResultsAndGrades) {
  const uint64_t station =
      server_.CreateOrg(admin_, branch_, "收费站一组", v1::ORGANIZATION_KIND_GROUP).id();
  v1::ImportPeopleRequest import;
  import.set_request_id(TestServer::RequestId());
  for (int i = 0; i < kMembers + kEmployees; ++i) {
    auto* row = import.add_rows();
    row->mutable_person()->set_organization_id(station);
    row->mutable_person()->set_display_name("收费员" + std::to_string(i));
    row->mutable_person()->set_employee_number("toll-" + std::to_string(i));
    row->mutable_person()->set_role(i < kMembers ? v1::ROLE_FULL_MEMBER : v1::ROLE_EMPLOYEE);
    row->set_initial_password(kPassword);
  }
  v1::ImportPeopleResponse imported;
  ASSERT_TRUE(server_.people().ImportPeople(Ctx(admin_).get(), import, &imported).ok());
  ASSERT_EQ(imported.created_count(), kMembers + kEmployees);
  std::vector<uint64_t> ids;
  for (const auto& r : imported.results()) ids.push_back(r.person_id());

  auto draft = RoundDraft();
  draft.clear_criteria();
  const char* names[5] = {"比学习", "比作风", "比守纪", "比贡献", "比爱心"};
  for (int c = 0; c < 5; ++c) {
    auto* criterion = draft.add_criteria();
    criterion->set_name(names[c]);
    criterion->set_weight(kWeights[c]);
    criterion->set_scale_min(0);
    criterion->set_scale_max(10);
  }
  draft.clear_phases();
  draft.add_phases(v1::EVALUATION_PHASE_RATERS);
  draft.set_rater_kind(v1::EVALUATION_RATER_KIND_NAMED);
  std::vector<std::string> tokens;
  for (int r = 0; r < kRaters; ++r) {
    draft.add_rater_person_ids(ids[kMembers + r]);
    tokens.push_back(server_.SignIn("toll-" + std::to_string(kMembers + r)));
  }
  draft.set_min_raters(kRaters - 1);  // the subjects with 6 raters are withheld
  auto round = MustCreateRound(draft);
  ASSERT_EQ(round.subject_ids_size(), kMembers + 3);  // with the secretary, d1 and d2

  for (int r = 0; r < kRaters; ++r) {
    for (int s = 0; s < kMembers; ++s) {
      if (Skips(r, s)) continue;
      std::vector<int> values;
      for (int c = 0; c < 5; ++c) values.push_back(ScoreOf(r, s, c));
      ASSERT_TRUE(Rate(tokens[r], round, ids[s], values).ok()) << r << " " << s;
    }
  }

  // Every page of results.
  std::map<uint64_t, v1::SubjectResult> results;
  v1::GetRoundResultsRequest request;
  request.set_round_id(round.id());
  request.set_page_size(50);
  int pages = 0;
  for (;;) {
    v1::RoundResults page;
    ASSERT_TRUE(eval_->GetRoundResults(Ctx(secretary_).get(), request, &page).ok());
    ++pages;
    EXPECT_EQ(page.eligible_raters(), kRaters);
    EXPECT_EQ(page.participating_raters(), kRaters);
    EXPECT_EQ(page.participation_percent(), 100);
    for (const auto& s : page.subjects()) results[s.subject_id()] = s;
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(results.size(), static_cast<size_t>(kMembers + 3));
  EXPECT_EQ(results[d1_id_].raters(), 0);
  EXPECT_TRUE(results[d1_id_].too_few_ratings());

  int shown = 0, withheld = 0;
  std::map<std::string, int> grades;
  for (int s = 0; s < kMembers; ++s) {
    const auto& got = results[ids[s]];
    int64_t n = 0, weighted = 0, sums[5] = {0, 0, 0, 0, 0};
    std::map<std::string, int> spread;
    for (int r = 0; r < kRaters; ++r) {
      if (Skips(r, s)) continue;
      ++n;
      int64_t own = 0;  // the rater's total in hundredths: Σ w × score / 10 × 100
      for (int c = 0; c < 5; ++c) {
        sums[c] += ScoreOf(r, s, c);
        weighted += kWeights[c] * ScoreOf(r, s, c);
        own += 10 * kWeights[c] * ScoreOf(r, s, c);
      }
      ++spread[Grade(own)];
    }
    EXPECT_EQ(got.raters(), n) << s;
    if (n < kRaters - 1) {
      ++withheld;
      EXPECT_TRUE(got.too_few_ratings()) << s;
      EXPECT_EQ(got.criteria_size(), 0);
      EXPECT_TRUE(got.final_grade().empty());
      continue;
    }
    ++shown;
    ASSERT_FALSE(got.too_few_ratings()) << s;
    ASSERT_EQ(got.criteria_size(), 5);
    for (int c = 0; c < 5; ++c) {
      // Average in hundredths: 100 × sum / n.
      EXPECT_EQ(std::llround(got.criteria(c).average() * 100), HalfUp(100 * sums[c], n))
          << s << " " << c;
    }
    // Score = Σ w × (sum / n) / 10 / Σw × 100 = weighted / (10 n); in hundredths 10 w / n.
    const int64_t score = HalfUp(10 * weighted, n);
    EXPECT_EQ(std::llround(got.rater_score() * 100), score) << s;
    EXPECT_EQ(got.final_grade(), Grade(score)) << s;
    EXPECT_EQ(std::llround(got.final_score() * 100), score) << s;
    ++grades[got.final_grade()];
    for (const auto& g : got.distribution()) EXPECT_EQ(g.raters(), spread[g.grade()]) << s;
  }
  EXPECT_EQ(withheld, kMembers / 20);
  EXPECT_GT(grades.size(), 1u);
  EXPECT_EQ(shown + withheld, kMembers);
}

}  // namespace
}  // namespace branchline::testing
