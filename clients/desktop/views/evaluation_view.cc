#include "clients/desktop/views/evaluation_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QChartView>

#include "clients/desktop/models/table_export.h"
#include "clients/desktop/views/charts.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {
namespace {

// The server's largest page: a branch's rounds, subjects and commendations fit in one.
constexpr int kPageSize = 1000;

}  // namespace

EvaluationView::EvaluationView(ApiClient* api, const NameLookup* names, const NameLookup* org_names,
                               QWidget* parent)
    : QWidget(parent),
      api_(api),
      rounds_(new RoundsModel(this)),
      results_(new SubjectResultsModel(this)),
      honours_(new HonoursModel(names, org_names, &round_names_, this)) {
  header_ = new QLabel;
  participation_ = new QLabel;
  participation_->setWordWrap(true);
  auto* refresh = new QPushButton(QStringLiteral("刷新 Refresh"));
  auto* csv = new QPushButton(QStringLiteral("导出 CSV Export CSV…"));
  rounds_table_ = MakeRowPickerTable(rounds_);
  results_table_ = MakeTable(results_);
  honours_table_ = MakeTable(honours_);
  chart_ = new QChartView;
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setMinimumHeight(240);

  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
  top->addWidget(refresh);
  top->addWidget(csv);
  auto* results = new QWidget;
  auto* results_layout = new QVBoxLayout(results);
  results_layout->setContentsMargins(0, 0, 0, 0);
  results_layout->addWidget(participation_);
  results_layout->addWidget(results_table_, 1);
  results_layout->addWidget(chart_, 1);
  auto* split = new QSplitter;
  split->addWidget(Titled(QStringLiteral("评议 Rounds"), rounds_table_));
  split->addWidget(Titled(QStringLiteral("评议结果 Results"), results));
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 3);
  layout->addWidget(Titled(QStringLiteral("光荣榜 Honours board"), honours_table_), 1);

  connect(refresh, &QPushButton::clicked, this, &EvaluationView::Reload);
  connect(rounds_table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            // SelectRound loads the round it selects itself (also when it is already current).
            if (!current.isValid()) return;
            const uint64_t id = rounds_->row(current.row()).id();
            if (id != round_id_) LoadResults(id);
          });
  ConnectExport(
      csv, this, QStringLiteral("csv"), [this] { return Title(); },
      [this](const QString& path, QString* error) { return ExportCsv(path, error); });
}

void EvaluationView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  round_id_ = 0;
  Reload();
}

QString EvaluationView::Title() const {
  return QStringLiteral("评议结果 Results %1").arg(round_title_);
}

QString EvaluationView::participation_text() const { return participation_->text(); }

void EvaluationView::Reload() {
  if (org_id_ == 0) return;
  const uint64_t org = org_id_;
  // Rounds first: calls are answered in order, so the board finds the rounds' titles.
  v1::ListRoundsRequest rounds;
  rounds.set_organization_id(org);
  rounds.set_page_size(kPageSize);
  api_->Call(this, &v1::EvaluationService::Stub::ListRounds, rounds,
             [this, org](const v1::ListRoundsResponse& response) {
               if (org == org_id_) ShowRounds(response);
             });
  v1::ListHonoursRequest honours;
  honours.set_organization_id(org);
  honours.set_page_size(kPageSize);
  api_->Call(this, &v1::EvaluationService::Stub::ListHonours, honours,
             [this, org](const v1::ListHonoursResponse& response) {
               if (org == org_id_) ShowHonours(response);
             });
}

void EvaluationView::ShowRounds(const v1::ListRoundsResponse& response) {
  round_names_.Clear();
  for (const auto& r : response.rounds()) {
    round_names_.Set(r.id(), QString::fromStdString(r.title()));
  }
  // The board may already show "#id" for rounds that were not known yet.
  honours_->SetRows(std::vector<v1::Commendation>(honours_->rows()));
  rounds_->SetRows(response.rounds());
  rounds_table_->resizeColumnsToContents();
  header_->setText(QStringLiteral("<b>评议 %1 rounds</b>").arg(rounds_->rowCount()));
  // Keep the round that was shown (a refresh); otherwise the newest.
  if (round_id_ != 0 && SelectRound(round_id_)) return;
  if (rounds_->rowCount() > 0) {
    rounds_table_->selectRow(0);
    return;
  }
  round_id_ = 0;
  round_title_.clear();
  v1::RoundResults none;
  ShowResults(none);
  participation_->setText(QStringLiteral("尚无评议 No rounds yet"));
}

bool EvaluationView::SelectRound(uint64_t round_id) {
  for (int r = 0; r < rounds_->rowCount(); ++r) {
    if (rounds_->row(r).id() == round_id) {
      rounds_table_->selectRow(r);
      LoadResults(round_id);
      return true;
    }
  }
  return false;
}

void EvaluationView::LoadResults(uint64_t round_id) {
  round_id_ = round_id;
  LoadResultsPage(round_id, std::string(), std::make_shared<std::vector<v1::SubjectResult>>());
}

void EvaluationView::LoadResultsPage(uint64_t round_id, const std::string& page_token,
                                     std::shared_ptr<std::vector<v1::SubjectResult>> subjects) {
  v1::GetRoundResultsRequest request;
  request.set_round_id(round_id);
  request.set_page_size(kPageSize);
  request.set_page_token(page_token);
  api_->Call(
      this, &v1::EvaluationService::Stub::GetRoundResults, request,
      [this, round_id, subjects](const v1::RoundResults& page) {
        if (round_id != round_id_) return;  // another round was chosen meanwhile
        subjects->insert(subjects->end(), page.subjects().begin(), page.subjects().end());
        if (!page.next_page_token().empty()) {
          LoadResultsPage(round_id, page.next_page_token(), subjects);
          return;
        }
        v1::RoundResults all = page;
        all.mutable_subjects()->Assign(subjects->begin(), subjects->end());
        ShowResults(all);
      },
      [this, round_id](const QString& error) {
        // A refusal or an unreachable server: its words, not the previous round's figures.
        if (round_id != round_id_) return;
        ShowResults(v1::RoundResults());
        participation_->setText(error);
      });
}

void EvaluationView::ShowResults(const v1::RoundResults& results) {
  round_title_ = QString::fromStdString(results.round().title());
  results_->SetRows(results.subjects());
  results_table_->resizeColumnsToContents();
  QString text = ParticipationText(results);
  if (results_->TooFewCount() > 0) {
    text += QStringLiteral(" · %1 人评价人数不足 with too few ratings (最少 min. %2)")
                .arg(results_->TooFewCount())
                .arg(results.round().min_raters());
  }
  participation_->setText(text);
  const ScoreBars bars = FinalScoreBars({results.subjects().begin(), results.subjects().end()});
  ShowScoreBars(chart_, QStringLiteral("最终得分 Final score %1").arg(round_title_), bars.subjects,
                bars.scores, QStringLiteral("最终得分 Final score"));
}

void EvaluationView::ShowHonours(const v1::ListHonoursResponse& response) {
  honours_->SetRows(response.commendations());
  honours_table_->resizeColumnsToContents();
}

bool EvaluationView::ExportCsv(const QString& path, QString* error) const {
  return WriteCsvFile(path, TableToCsv(*results_), error);
}

}  // namespace branchline::desk
