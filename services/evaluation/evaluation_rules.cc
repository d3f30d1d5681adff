#include "services/evaluation/evaluation_rules.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/text.h"

namespace branchline::evaluation {

namespace {

constexpr int64_t kDayMicros = 24LL * 3600 * 1'000'000;

struct TemplateDefaults {
  v1::EvaluationSubjectKind subject;
  std::vector<v1::EvaluationPhase> phases;
  v1::EvaluationRaterKind raters;
  bool anonymous;
  std::vector<std::string> criteria;  // equal weights
  int scale_min, scale_max;
  int days_open;
};

// The four practices of the seed documents (docs/evaluation.md, "Templates").
std::optional<TemplateDefaults> DefaultsOf(v1::EvaluationTemplate t) {
  switch (t) {
    case v1::EVALUATION_TEMPLATE_MEMBER_DEMOCRATIC_YEARLY:
      return TemplateDefaults{v1::EVALUATION_SUBJECT_KIND_MEMBERS,
                              {v1::EVALUATION_PHASE_SELF_SCORE, v1::EVALUATION_PHASE_RATERS,
                               v1::EVALUATION_PHASE_OVERALL_MARK},
                              v1::EVALUATION_RATER_KIND_MEMBERS,
                              true,
                              {"思想政治", "工作实绩", "遵章守纪", "作风形象"},
                              1,
                              10,
                              30};
    case v1::EVALUATION_TEMPLATE_COMMITMENT_QUARTERLY:
      return TemplateDefaults{v1::EVALUATION_SUBJECT_KIND_MEMBERS,
                              {v1::EVALUATION_PHASE_RATERS},
                              v1::EVALUATION_RATER_KIND_ALL_STAFF,
                              true,
                              {"践行承诺"},
                              1,
                              5,
                              14};
    case v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY:
      return TemplateDefaults{v1::EVALUATION_SUBJECT_KIND_MEMBERS,
                              {v1::EVALUATION_PHASE_RATERS, v1::EVALUATION_PHASE_OVERALL_MARK},
                              v1::EVALUATION_RATER_KIND_ALL_STAFF,
                              false,
                              {"比学习", "比作风", "比守纪", "比贡献", "比爱心"},
                              0,
                              10,
                              14};
    case v1::EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY:
      return TemplateDefaults{v1::EVALUATION_SUBJECT_KIND_ORGANIZATION,
                              {v1::EVALUATION_PHASE_RATERS},
                              v1::EVALUATION_RATER_KIND_ALL_STAFF,
                              true,
                              {"组织生活", "服务职工", "作风建设", "解决问题"},
                              1,
                              5,
                              14};
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::Status ApplyTemplate(v1::EvaluationTemplate template_kind, int64_t now_micros,
                           v1::EvaluationRound& round) {
  if (!round.has_open_time()) *round.mutable_open_time() = ToTimestamp(now_micros);
  if (template_kind != v1::EVALUATION_TEMPLATE_UNSPECIFIED) {
    auto d = DefaultsOf(template_kind);
    if (!d) return InvalidField("template_kind", "is not a known template");
    if (round.subject_kind() == v1::EVALUATION_SUBJECT_KIND_UNSPECIFIED) {
      round.set_subject_kind(d->subject);
    }
    if (round.phases().empty()) {
      for (auto p : d->phases) round.add_phases(p);
    }
    if (round.rater_kind() == v1::EVALUATION_RATER_KIND_UNSPECIFIED) {
      round.set_rater_kind(d->raters);
    }
    round.set_anonymous(round.anonymous() || d->anonymous);
    if (round.criteria().empty()) {
      const int weight = 100 / static_cast<int>(d->criteria.size());
      for (const auto& name : d->criteria) {
        auto* c = round.add_criteria();
        c->set_name(name);
        c->set_weight(weight);
        c->set_scale_min(d->scale_min);
        c->set_scale_max(d->scale_max);
      }
    }
    if (!round.has_close_time()) {
      *round.mutable_close_time() =
          ToTimestamp(ToMicros(round.open_time()) + d->days_open * kDayMicros);
    }
    round.set_template_kind(template_kind);
  }
  if (round.grade_bands().empty()) {
    for (auto [name, min] : std::vector<std::pair<const char*, int>>{
             {"优秀", 90}, {"合格", 75}, {"基本合格", 60}, {"不合格", 0}}) {
      auto* b = round.add_grade_bands();
      b->set_name(name);
      b->set_min_score(min);
    }
  }
  if (round.min_raters() == 0) round.set_min_raters(5);
  return absl::OkStatus();
}

bool HasPhase(const v1::EvaluationRound& round, v1::EvaluationPhase phase) {
  return std::find(round.phases().begin(), round.phases().end(), phase) != round.phases().end();
}

absl::Status CheckRound(v1::EvaluationRound& round, int64_t now_micros) {
  if (auto s = CheckText("round.title", TrimAscii(round.title()), 1, 100); !s.ok()) return s;
  if (auto s = CheckText("round.period_label", TrimAscii(round.period_label()), 1, 40); !s.ok()) {
    return s;
  }
  if (!v1::EvaluationSubjectKind_IsValid(round.subject_kind()) ||
      round.subject_kind() == v1::EVALUATION_SUBJECT_KIND_UNSPECIFIED) {
    return InvalidField("round.subject_kind", "is required (or give a template)");
  }
  if (round.criteria().empty() || round.criteria_size() > 20) {
    return InvalidField("round.criteria", "must hold 1 to 20 criteria");
  }
  std::set<std::string> names;
  for (int i = 0; i < round.criteria_size(); ++i) {
    const auto& c = round.criteria(i);
    const std::string at = "round.criteria[" + std::to_string(i) + "]";
    if (auto s = CheckText(at + ".name", c.name(), 1, 40); !s.ok()) return s;
    if (c.name() != TrimAscii(c.name())) {
      return InvalidField(at + ".name", "must not start or end with spaces");
    }
    if (!names.insert(c.name()).second) return InvalidField(at + ".name", "is a repeat");
    if (c.weight() < 1 || c.weight() > 100) return InvalidField(at + ".weight", "must be 1-100");
    if (c.scale_min() < 0) return InvalidField(at + ".scale_min", "must be 0 or more");
    if (c.scale_max() <= c.scale_min() || c.scale_max() > 100) {
      return InvalidField(at + ".scale_max", "must be above scale_min and at most 100");
    }
  }
  if (round.phases().empty()) return InvalidField("round.phases", "needs at least one phase");
  int last = 0;
  for (int i = 0; i < round.phases_size(); ++i) {
    const int p = round.phases(i);
    if (!v1::EvaluationPhase_IsValid(p) || p == v1::EVALUATION_PHASE_UNSPECIFIED) {
      return InvalidField("round.phases[" + std::to_string(i) + "]", "is not a known phase");
    }
    if (p <= last) {
      return InvalidField("round.phases",
                          "must be in order (self score, raters, overall mark) without repeats");
    }
    last = p;
  }
  const bool members = round.subject_kind() == v1::EVALUATION_SUBJECT_KIND_MEMBERS;
  if (!members && (HasPhase(round, v1::EVALUATION_PHASE_SELF_SCORE) ||
                   HasPhase(round, v1::EVALUATION_PHASE_OVERALL_MARK))) {
    return InvalidField("round.phases",
                        "an organisation is rated by raters only (no self score or overall mark)");
  }
  const bool rated = HasPhase(round, v1::EVALUATION_PHASE_RATERS);
  if (rated) {
    if (!v1::EvaluationRaterKind_IsValid(round.rater_kind()) ||
        round.rater_kind() == v1::EVALUATION_RATER_KIND_UNSPECIFIED) {
      return InvalidField("round.rater_kind", "is required with the raters phase");
    }
  } else if (round.rater_kind() != v1::EVALUATION_RATER_KIND_UNSPECIFIED || round.anonymous()) {
    return InvalidField(round.anonymous() ? "round.anonymous" : "round.rater_kind",
                        "needs the raters phase");
  }
  if (round.rater_kind() == v1::EVALUATION_RATER_KIND_NAMED) {
    if (round.rater_person_ids().empty() || round.rater_person_ids_size() > 10000) {
      return InvalidField("round.rater_person_ids", "must list 1 to 10000 people");
    }
    std::set<uint64_t> seen;
    for (uint64_t id : round.rater_person_ids()) {
      if (!seen.insert(id).second) return InvalidField("round.rater_person_ids", "has a repeat");
    }
  } else if (!round.rater_person_ids().empty()) {
    return InvalidField("round.rater_person_ids", "is only for rater_kind NAMED");
  }
  if (!round.has_close_time()) return InvalidField("round.close_time", "is required");
  const int64_t open = ToMicros(round.open_time()), close = ToMicros(round.close_time());
  if (close <= open) return InvalidField("round.close_time", "must be after open_time");
  if (close <= now_micros) return InvalidField("round.close_time", "is in the past");
  if (round.grade_bands().empty() || round.grade_bands_size() > 10) {
    return InvalidField("round.grade_bands", "must hold 1 to 10 bands");
  }
  std::set<int> mins;
  bool floor = false;
  for (int i = 0; i < round.grade_bands_size(); ++i) {
    const auto& b = round.grade_bands(i);
    const std::string at = "round.grade_bands[" + std::to_string(i) + "]";
    if (auto s = CheckText(at + ".name", TrimAscii(b.name()), 1, 20); !s.ok()) return s;
    if (b.min_score() < 0 || b.min_score() > 100) {
      return InvalidField(at + ".min_score", "must be 0-100");
    }
    if (!mins.insert(b.min_score()).second) return InvalidField(at + ".min_score", "is a repeat");
    floor = floor || b.min_score() == 0;
  }
  if (!floor) return InvalidField("round.grade_bands", "one band must start at 0");
  std::sort(round.mutable_grade_bands()->begin(), round.mutable_grade_bands()->end(),
            [](const auto& a, const auto& b) { return a.min_score() > b.min_score(); });
  if (round.min_raters() < 1 || round.min_raters() > 1000) {
    return InvalidField("round.min_raters", "must be 1-1000");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int32_t>> CheckScores(
    const v1::EvaluationRound& round,
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& scores) {
  std::vector<int32_t> out(round.criteria_size());
  std::vector<bool> given(round.criteria_size(), false);
  for (int i = 0; i < scores.size(); ++i) {
    const std::string at = "scores[" + std::to_string(i) + "]";
    int c = 0;
    while (c < round.criteria_size() && round.criteria(c).name() != scores[i].criterion()) ++c;
    if (c == round.criteria_size()) {
      return InvalidField(at + ".criterion", "is not a criterion of the round");
    }
    if (given[c]) return InvalidField(at + ".criterion", "is scored twice");
    const auto& criterion = round.criteria(c);
    if (scores[i].score() < criterion.scale_min() || scores[i].score() > criterion.scale_max()) {
      return InvalidField(at + ".score", "must be " + std::to_string(criterion.scale_min()) + "-" +
                                             std::to_string(criterion.scale_max()));
    }
    given[c] = true;
    out[c] = scores[i].score();
  }
  for (int c = 0; c < round.criteria_size(); ++c) {
    if (!given[c]) return InvalidField("scores", "has no score for " + round.criteria(c).name());
  }
  return out;
}

double RoundHalfUp2(double x) { return std::floor(x * 100.0 + 0.5 + 1e-7) / 100.0; }

double WeightedScore(const v1::EvaluationRound& round, const ScoreSums& sums) {
  if (sums.raters == 0) return 0;
  double total = 0;
  int64_t weights = 0;
  for (int c = 0; c < round.criteria_size(); ++c) {
    const auto& criterion = round.criteria(c);
    total += criterion.weight() * (static_cast<double>(sums.sums[c]) / sums.raters) /
             criterion.scale_max();
    weights += criterion.weight();
  }
  return 100.0 * total / static_cast<double>(weights);
}

double WeightedScore(const v1::EvaluationRound& round, const std::vector<int32_t>& scores) {
  return WeightedScore(round, ScoreSums{{scores.begin(), scores.end()}, 1});
}

std::string GradeOf(const v1::EvaluationRound& round, double rounded_score) {
  for (const auto& band : round.grade_bands()) {  // highest first
    if (rounded_score + 1e-9 >= band.min_score()) return band.name();
  }
  return round.grade_bands().empty() ? "" : round.grade_bands().rbegin()->name();
}

bool IsClosed(const v1::EvaluationRound& round, int64_t now_micros) {
  return round.has_closed_time() || now_micros >= ToMicros(round.close_time());
}

absl::Status CheckOpen(const v1::EvaluationRound& round, int64_t now_micros) {
  if (IsClosed(round, now_micros)) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundClosed,
                            "round_id", "the round is closed");
  }
  if (now_micros < ToMicros(round.open_time())) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundNotOpen,
                            "round_id", "the round is not open yet");
  }
  return absl::OkStatus();
}

}  // namespace branchline::evaluation
