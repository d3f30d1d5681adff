// The reads of EvaluationRounds that aggregate: results per subject, participation and the
// CSV export.
#include <algorithm>
#include <cstdio>
#include <map>

#include "services/attendance/attendance_csv.h"
#include "services/common/call_cancellation.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/evaluation/evaluation_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {

using evaluation::RoundHalfUp2;

// "87.50"; "" when absent.
std::string Points(bool present, double value) {
  if (!present) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// The scores of every submission of one phase for one subject.
absl::StatusOr<std::vector<std::vector<int32_t>>> Submissions(const storage::Store& store,
                                                              uint64_t round, uint64_t subject,
                                                              v1::EvaluationPhase phase) {
  std::vector<std::vector<int32_t>> out;
  absl::Status parse;
  RETURN_IF_ERROR(
      store.Scan(storage::Cf::kEvaluations,
                 storage::EvaluationSubmissionPrefix(round, subject, static_cast<uint8_t>(phase)),
                 "", [&](std::string_view, std::string_view value) {
                   internal::v1::EvaluationSubmissionRecord record;
                   if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                     parse = absl::DataLossError("stored evaluation submission does not parse");
                     return false;
                   }
                   out.emplace_back(record.scores().begin(), record.scores().end());
                   return CancellationCheckpoint().ok();
                 }));
  RETURN_IF_ERROR(parse);
  RETURN_IF_ERROR(CancellationCheckpoint());
  return out;
}

}  // namespace

absl::StatusOr<v1::SubjectResult> EvaluationRounds::SubjectFigures(const v1::EvaluationRound& round,
                                                                   uint64_t subject) const {
  v1::SubjectResult out;
  out.set_subject_id(subject);
  if (round.subject_kind() == v1::EVALUATION_SUBJECT_KIND_MEMBERS) {
    v1::Person person;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(subject), &person));
    if (found) out.set_subject_name(person.display_name());
  } else {
    v1::Organization org;
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kOrganizations,
                                                   storage::RecordKey(subject), &org));
    if (found) out.set_subject_name(org.name());
  }
  const int criteria = round.criteria_size();
  ASSIGN_OR_RETURN(auto ratings,
                   Submissions(store_, round.id(), subject, v1::EVALUATION_PHASE_RATERS));
  out.set_raters(static_cast<int32_t>(ratings.size()));
  const bool rated = evaluation::HasPhase(round, v1::EVALUATION_PHASE_RATERS);
  out.set_too_few_ratings(rated && out.raters() < round.min_raters());
  if (rated && !out.too_few_ratings()) {
    evaluation::ScoreSums sums{std::vector<int64_t>(criteria, 0), out.raters()};
    std::map<std::string, int> per_band;
    for (const auto& scores : ratings) {
      if (static_cast<int>(scores.size()) != criteria) {
        return absl::DataLossError("an evaluation submission has the wrong number of scores");
      }
      for (int c = 0; c < criteria; ++c) sums.sums[c] += scores[c];
      ++per_band[evaluation::GradeOf(round,
                                     RoundHalfUp2(evaluation::WeightedScore(round, scores)))];
    }
    int64_t weights = 0;
    for (const auto& c : round.criteria()) weights += c.weight();
    for (int c = 0; c < criteria; ++c) {
      const auto& criterion = round.criteria(c);
      const double average = static_cast<double>(sums.sums[c]) / sums.raters;
      auto* r = out.add_criteria();
      r->set_criterion(criterion.name());
      r->set_average(RoundHalfUp2(average));
      r->set_weighted_points(RoundHalfUp2(100.0 * criterion.weight() * average /
                                          criterion.scale_max() / static_cast<double>(weights)));
    }
    out.set_rater_score(RoundHalfUp2(evaluation::WeightedScore(round, sums)));
    for (const auto& band : round.grade_bands()) {
      auto* g = out.add_distribution();
      g->set_grade(band.name());
      g->set_raters(per_band[band.name()]);
    }
  }
  auto single = [&](v1::EvaluationPhase phase) -> absl::StatusOr<std::optional<double>> {
    ASSIGN_OR_RETURN(auto found, Submissions(store_, round.id(), subject, phase));
    if (found.empty() || static_cast<int>(found[0].size()) != criteria) return std::nullopt;
    return RoundHalfUp2(evaluation::WeightedScore(round, found[0]));
  };
  ASSIGN_OR_RETURN(auto self, single(v1::EVALUATION_PHASE_SELF_SCORE));
  ASSIGN_OR_RETURN(auto mark, single(v1::EVALUATION_PHASE_OVERALL_MARK));
  out.set_has_self_score(self.has_value());
  out.set_self_score(self.value_or(0));
  out.set_has_overall_mark(mark.has_value());
  out.set_overall_mark(mark.value_or(0));
  std::optional<double> final_score;
  if (mark) {
    final_score = mark;
  } else if (rated && !out.too_few_ratings()) {
    final_score = out.rater_score();
  } else if (!rated && !evaluation::HasPhase(round, v1::EVALUATION_PHASE_OVERALL_MARK)) {
    final_score = self;
  }
  if (final_score) {
    out.set_final_score(*final_score);
    out.set_final_grade(evaluation::GradeOf(round, *final_score));
  }
  return out;
}

absl::Status EvaluationRounds::Participation(const internal::v1::EvaluationRoundRecord& record,
                                             v1::RoundResults& out) const {
  // Anonymous rounds know only who took a ballot; named ones who rated.
  const char tag = record.round().anonymous() ? 'b' : 'p';
  int participating = 0;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kEvaluations,
                              storage::EvaluationEntryPrefix(record.round().id(), tag), "",
                              [&](std::string_view, std::string_view) {
                                ++participating;
                                return true;
                              }));
  out.set_eligible_raters(record.eligible_raters());
  out.set_participating_raters(participating);
  if (record.eligible_raters() > 0) {
    // Rounded half up in integers: (200 p + e) / (2 e) = floor(100 p / e + 1/2).
    out.set_participation_percent(static_cast<int32_t>(
        (200LL * participating + record.eligible_raters()) / (2LL * record.eligible_raters())));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RoundResults> EvaluationRounds::Results(
    const Caller& caller, const v1::GetRoundResultsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
  const auto& round = record.round();
  const bool closed = evaluation::IsClosed(round, clock_.NowMicros());
  ASSIGN_OR_RETURN(bool reads_all, ReadsAllResults(caller, round));
  if (!reads_all) {
    // A subject their own result, once the round is closed.
    ASSIGN_OR_RETURN(bool subject, HasEntry(round.id(), 'j', caller.person_id));
    if (caller.service_account || !subject ||
        round.subject_kind() != v1::EVALUATION_SUBJECT_KIND_MEMBERS ||
        request.subject_id() != caller.person_id) {
      return Denied("reading the results of evaluation round " + std::to_string(round.id()));
    }
    if (!closed) {
      return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundNotClosed,
                              "round_id", "a subject reads their result once the round is closed");
    }
  }
  v1::RoundResults out;
  *out.mutable_round() = round;
  out.set_closed(closed);
  RETURN_IF_ERROR(Participation(record, out));
  if (request.subject_id() != 0) {
    RETURN_IF_ERROR(CheckSubject(round, request.subject_id()));
    ASSIGN_OR_RETURN(*out.add_subjects(), SubjectFigures(round, request.subject_id()));
    return out;
  }
  ASSIGN_OR_RETURN(
      *out.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kEvaluations, storage::EvaluationEntryPrefix(round.id(), 'j'),
               request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 ASSIGN_OR_RETURN(*out.add_subjects(),
                                  SubjectFigures(round, storage::TrailingId(key)));
                 return true;
               }));
  return out;
}

absl::StatusOr<std::string> EvaluationRounds::ExportCsv(
    const Caller& caller, const v1::ExportRoundResultsRequest& request) const {
  ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
  const auto& round = record.round();
  ASSIGN_OR_RETURN(bool reads_all, ReadsAllResults(caller, round));
  if (!reads_all)
    return Denied("exporting the results of evaluation round " + std::to_string(round.id()));
  v1::RoundResults participation;
  RETURN_IF_ERROR(Participation(record, participation));
  std::string csv(attendance::kUtf8Bom);
  csv += attendance::CsvLine(
      {round.title(), round.period_label(),
       "参评人数 " + std::to_string(participation.participating_raters()) + "/" +
           std::to_string(participation.eligible_raters()),
       "参与率 " + std::to_string(participation.participation_percent()) + "%"});
  std::vector<std::string> header = {"对象编号", "对象", "评价人数"};
  for (const auto& c : round.criteria()) header.push_back(c.name() + "平均分");
  for (const char* h : {"评价得分", "自评", "总评", "最终得分", "等级"}) header.push_back(h);
  csv += attendance::CsvLine(header);
  for (uint64_t subject : round.subject_ids()) {
    RETURN_IF_ERROR(CancellationCheckpoint());
    ASSIGN_OR_RETURN(auto r, SubjectFigures(round, subject));
    std::vector<std::string> line = {std::to_string(subject), r.subject_name(),
                                     std::to_string(r.raters())};
    const bool shown = r.criteria_size() == round.criteria_size();
    for (int c = 0; c < round.criteria_size(); ++c) {
      line.push_back(Points(shown, shown ? r.criteria(c).average() : 0));
    }
    line.push_back(r.too_few_ratings() ? "评价人数不足" : Points(shown, r.rater_score()));
    line.push_back(Points(r.has_self_score(), r.self_score()));
    line.push_back(Points(r.has_overall_mark(), r.overall_mark()));
    line.push_back(Points(!r.final_grade().empty(), r.final_score()));
    line.push_back(r.final_grade());
    csv += attendance::CsvLine(line);
  }
  return csv;
}

}  // namespace branchline
