#pragma once

#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/evaluation_models.h"

class QChartView;
class QLabel;
class QTableView;

namespace branchline::desk {

// Evaluation of the selected organisation (评议, issue #20): its rounds; for the selected
// round the participation, the results per subject (withheld figures say so) with a chart of
// the final scores, exported as CSV; and the organisation's honours board.
class EvaluationView : public QWidget {
  Q_OBJECT

 public:
  // `names` (people) and `org_names` are the window's; they outlive the view.
  EvaluationView(ApiClient* api, const NameLookup* names, const NameLookup* org_names,
                 QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id);
  void Reload();
  // Shows one round's results; false when the round is not in the list.
  bool SelectRound(uint64_t round_id);

  // What the answers do on screen; public so the tests can give answers without a server.
  void ShowRounds(const branchline::v1::ListRoundsResponse& response);
  // `results` holds every subject of the round (all pages).
  void ShowResults(const branchline::v1::RoundResults& results);
  void ShowHonours(const branchline::v1::ListHonoursResponse& response);

  // The selected round's results table into one file; false with `error` set when the file
  // cannot be written.
  bool ExportCsv(const QString& path, QString* error) const;

  RoundsModel* rounds_model() const { return rounds_; }
  SubjectResultsModel* results_model() const { return results_; }
  HonoursModel* honours_model() const { return honours_; }
  QChartView* chart() const { return chart_; }
  QString participation_text() const;
  uint64_t round_id() const { return round_id_; }

 private:
  void LoadResults(uint64_t round_id);
  // One page of a round's results into `subjects`; shows them all after the last page.
  void LoadResultsPage(uint64_t round_id, const std::string& page_token,
                       std::shared_ptr<std::vector<branchline::v1::SubjectResult>> subjects);
  QString Title() const;

  ApiClient* api_;
  NameLookup round_names_;  // round ids to titles, for the board's "after round" column
  RoundsModel* rounds_;
  SubjectResultsModel* results_;
  HonoursModel* honours_;
  QTableView* rounds_table_;
  QTableView* results_table_;
  QTableView* honours_table_;
  QLabel* header_;
  QLabel* participation_;
  QChartView* chart_;
  uint64_t org_id_ = 0;
  uint64_t round_id_ = 0;
  QString round_title_;
};

}  // namespace branchline::desk
