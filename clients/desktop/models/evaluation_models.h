#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "branchline/v1/evaluation.pb.h"
#include "clients/desktop/models/name_lookup.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// Which of the four practices a round follows (docs/evaluation.md); "自定义 Custom" without one.
QString EvaluationTemplateLabel(v1::EvaluationTemplate kind);

// Where a round stands at `now`: not open yet, open, or closed (by its closing time, or early
// by a manager).
QString RoundStateLabel(const v1::EvaluationRound& round, const QDateTime& now);

// "已评 Rated 12 / 20 应参评 eligible · 参与率 participation 60.0% · 已结束 closed". For
// anonymous rounds the server counts ballots taken, not ratings (it cannot know who rated),
// and the text says so. The percentage is rounded half up from the counts like every other.
QString ParticipationText(const v1::RoundResults& results);

// A score of 100 as the server rounded it (half up, 2 decimals): "87.50".
QString FormatScore(double score);

// The raters' score, or "评价人数不足 too few ratings" while the server withholds it (fewer
// than min_raters rated): the figure must not look like a real 0.
QString RaterScoreText(const v1::SubjectResult& subject);

// A grade band's name with its English after it for the default bands (优秀 Excellent, …);
// a round's own band names are shown as they are.
QString GradeLabel(const std::string& grade);

// The final grade; without one, why: too few ratings, or not graded yet (no mark yet).
QString FinalGradeText(const v1::SubjectResult& subject);

// The rounds of the selected organisation's subtree, newest first as the server sends them.
class RoundsModel : public ProtoTableModel<v1::EvaluationRound> {
 public:
  explicit RoundsModel(QObject* parent = nullptr);
};

// One row per subject of a round; rows whose figures are withheld stand out in grey.
class SubjectResultsModel : public ProtoTableModel<v1::SubjectResult> {
 public:
  explicit SubjectResultsModel(QObject* parent = nullptr);
  // Rows with too_few_ratings (for the header and the tests).
  int TooFewCount() const;
};

// The bars of the results chart: each subject with a final score. Subjects without one (too
// few ratings and no mark, or not graded yet) are left out rather than drawn as a 0.
struct ScoreBars {
  QStringList subjects;
  QList<qreal> scores;
};
ScoreBars FinalScoreBars(const std::vector<v1::SubjectResult>& subjects);

// Who a commendation honours: people, then organisations, by name ("张三、李四、第一支部").
QString HonouredText(const v1::Commendation& commendation, const NameLookup& people,
                     const NameLookup& organizations);

// The honours board (光荣榜), newest first as the server sends it. The lookups are the
// window's and the view's; they outlive the model.
class HonoursModel : public ProtoTableModel<v1::Commendation> {
 public:
  HonoursModel(const NameLookup* people, const NameLookup* organizations, const NameLookup* rounds,
               QObject* parent = nullptr);
};

}  // namespace branchline::desk
