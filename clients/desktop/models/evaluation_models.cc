#include "clients/desktop/models/evaluation_models.h"

#include <QBrush>
#include <QColor>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {
namespace {

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

const QColor kWithheld(0xe2, 0xe3, 0xe5);

}  // namespace

QString EvaluationTemplateLabel(v1::EvaluationTemplate kind) {
  switch (kind) {
    case v1::EVALUATION_TEMPLATE_MEMBER_DEMOCRATIC_YEARLY:
      return QStringLiteral("民主评议党员 Democratic evaluation");
    case v1::EVALUATION_TEMPLATE_COMMITMENT_QUARTERLY:
      return QStringLiteral("承诺践诺测评 Commitments");
    case v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY:
      return QStringLiteral("五比五看 Five comparisons");
    case v1::EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY:
      return QStringLiteral("职工评议支部 Staff rate the branch");
    default:
      return QStringLiteral("自定义 Custom");
  }
}

QString RoundStateLabel(const v1::EvaluationRound& round, const QDateTime& now) {
  if (IsSet(round.closed_time()) ||
      (IsSet(round.close_time()) && ToDateTime(round.close_time()) <= now)) {
    return QStringLiteral("已结束 Closed");
  }
  if (IsSet(round.open_time()) && ToDateTime(round.open_time()) > now) {
    return QStringLiteral("未开始 Not open yet");
  }
  return QStringLiteral("进行中 Open");
}

QString ParticipationText(const v1::RoundResults& results) {
  const QString counted = results.round().anonymous() ? QStringLiteral("已领选票 Ballots taken")
                                                      : QStringLiteral("已评 Rated");
  // The same half-up rounding as every other percentage on screen, from the counts.
  const QString percent = results.eligible_raters() > 0
                              ? FormatPercent(static_cast<double>(results.participating_raters()) /
                                              results.eligible_raters())
                              : QStringLiteral("—");
  return QStringLiteral("%1 %2 / %3 应参评 eligible · 参与率 participation %4 · %5")
      .arg(counted)
      .arg(results.participating_raters())
      .arg(results.eligible_raters())
      .arg(percent, results.closed() ? QStringLiteral("已结束 closed")
                                     : QStringLiteral("未结束 not closed"));
}

QString FormatScore(double score) { return QString::number(score, 'f', 2); }

QString RaterScoreText(const v1::SubjectResult& subject) {
  if (subject.too_few_ratings()) return QStringLiteral("评价人数不足 too few ratings");
  return FormatScore(subject.rater_score());
}

QString GradeLabel(const std::string& grade) {
  const QString name = QString::fromStdString(grade);
  if (name == QStringLiteral("优秀")) return QStringLiteral("优秀 Excellent");
  if (name == QStringLiteral("合格")) return QStringLiteral("合格 Qualified");
  if (name == QStringLiteral("基本合格")) return QStringLiteral("基本合格 Basically qualified");
  if (name == QStringLiteral("不合格")) return QStringLiteral("不合格 Not qualified");
  return name;
}

QString FinalGradeText(const v1::SubjectResult& subject) {
  if (!subject.final_grade().empty()) return GradeLabel(subject.final_grade());
  if (subject.too_few_ratings()) return QStringLiteral("评价人数不足 too few ratings");
  return QStringLiteral("未评定 Not graded yet");
}

RoundsModel::RoundsModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::EvaluationRound>(
               QStringLiteral("标题 Title"),
               [](const v1::EvaluationRound& r) { return QString::fromStdString(r.title()); }),
           TextColumn<v1::EvaluationRound>(QStringLiteral("期间 Period"),
                                           [](const v1::EvaluationRound& r) {
                                             return QString::fromStdString(r.period_label());
                                           }),
           TextColumn<v1::EvaluationRound>(QStringLiteral("类型 Kind"),
                                           [](const v1::EvaluationRound& r) {
                                             return EvaluationTemplateLabel(r.template_kind());
                                           }),
           TextColumn<v1::EvaluationRound>(
               QStringLiteral("对象 Subjects"),
               [](const v1::EvaluationRound& r) { return QString::number(r.subject_ids_size()); }),
           TextColumn<v1::EvaluationRound>(QStringLiteral("方式 Raters"),
                                           [](const v1::EvaluationRound& r) {
                                             return r.anonymous() ? QStringLiteral("匿名 Anonymous")
                                                                  : QStringLiteral("记名 Named");
                                           }),
           TextColumn<v1::EvaluationRound>(
               QStringLiteral("截止 Closes"),
               [](const v1::EvaluationRound& r) { return FormatTime(r.close_time()); }),
           TextColumn<v1::EvaluationRound>(QStringLiteral("状态 State"),
                                           [](const v1::EvaluationRound& r) {
                                             return RoundStateLabel(r,
                                                                    QDateTime::currentDateTime());
                                           })},
          parent) {}

namespace {

// A cell of a results row: the text, and grey behind it when the figures are withheld.
template <class F>
ProtoTableModel<v1::SubjectResult>::Column ResultColumn(QString header, F text) {
  return {std::move(header), [text](const v1::SubjectResult& s, int role) -> QVariant {
            if (role == Qt::DisplayRole) return text(s);
            if (role == Qt::BackgroundRole && s.too_few_ratings()) return QBrush(kWithheld);
            return {};
          }};
}

}  // namespace

SubjectResultsModel::SubjectResultsModel(QObject* parent)
    : ProtoTableModel(
          {ResultColumn(
               QStringLiteral("评价对象 Subject"),
               [](const v1::SubjectResult& s) { return QString::fromStdString(s.subject_name()); }),
           ResultColumn(QStringLiteral("评价人数 Raters"),
                        [](const v1::SubjectResult& s) { return QString::number(s.raters()); }),
           ResultColumn(QStringLiteral("评价得分 Raters' score"), RaterScoreText),
           ResultColumn(QStringLiteral("自评 Self"),
                        [](const v1::SubjectResult& s) {
                          return s.has_self_score() ? FormatScore(s.self_score())
                                                    : QStringLiteral("—");
                        }),
           ResultColumn(QStringLiteral("综合评定 Overall mark"),
                        [](const v1::SubjectResult& s) {
                          return s.has_overall_mark() ? FormatScore(s.overall_mark())
                                                      : QStringLiteral("—");
                        }),
           // The server sends 0 without a grade; "—" keeps that from reading as a score of 0.
           ResultColumn(QStringLiteral("最终得分 Final score"),
                        [](const v1::SubjectResult& s) {
                          return s.final_grade().empty() ? QStringLiteral("—")
                                                         : FormatScore(s.final_score());
                        }),
           ResultColumn(QStringLiteral("等次 Grade"), FinalGradeText)},
          parent) {}

int SubjectResultsModel::TooFewCount() const {
  int n = 0;
  for (const auto& s : rows()) n += s.too_few_ratings() ? 1 : 0;
  return n;
}

ScoreBars FinalScoreBars(const std::vector<v1::SubjectResult>& subjects) {
  ScoreBars bars;
  for (const auto& s : subjects) {
    if (s.final_grade().empty()) continue;
    bars.subjects << QString::fromStdString(s.subject_name());
    bars.scores << s.final_score();
  }
  return bars;
}

QString HonouredText(const v1::Commendation& commendation, const NameLookup& people,
                     const NameLookup& organizations) {
  QStringList names;
  for (uint64_t id : commendation.person_ids()) names << people.Name(id);
  for (uint64_t id : commendation.honoured_organization_ids()) names << organizations.Name(id);
  return names.join(QStringLiteral("、"));
}

HonoursModel::HonoursModel(const NameLookup* people, const NameLookup* organizations,
                           const NameLookup* rounds, QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::Commendation>(
               QStringLiteral("称号 Title"),
               [](const v1::Commendation& c) { return QString::fromStdString(c.title()); }),
           TextColumn<v1::Commendation>(
               QStringLiteral("期间 Period"),
               [](const v1::Commendation& c) { return QString::fromStdString(c.period_label()); }),
           TextColumn<v1::Commendation>(QStringLiteral("受表彰 Honoured"),
                                        [people, organizations](const v1::Commendation& c) {
                                          return HonouredText(c, *people, *organizations);
                                        }),
           TextColumn<v1::Commendation>(
               QStringLiteral("理由 Reason"),
               [](const v1::Commendation& c) { return QString::fromStdString(c.reason()); }),
           TextColumn<v1::Commendation>(
               QStringLiteral("授予 Awarded"),
               [](const v1::Commendation& c) { return FormatTime(c.award_time()); }),
           TextColumn<v1::Commendation>(
               QStringLiteral("依据评议 After round"),
               [rounds](const v1::Commendation& c) { return rounds->Name(c.round_id()); })},
          parent) {}

}  // namespace branchline::desk
