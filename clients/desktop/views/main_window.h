#pragma once

#include <QMainWindow>
#include <QStandardItemModel>
#include <memory>
#include <vector>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/name_lookup.h"

class QLabel;
class QTabWidget;
class QTreeView;

namespace branchline::desk {

class EvaluationView;
class FeedbackView;
class HandbookView;
class MeetingsView;
class RecordsView;
class ReportsView;
class SignInDialog;
class StudyView;

// The branch office window: the organisation tree on the left drives every tab on the right
// (meetings and leave, study, mailbox, reports, evaluation, the ledger, the handbooks). Failed
// calls show in the status bar.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(ApiClient* api, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Shows the sign-in dialog; the tree loads once signed in.
  void Start();
  // Selects an organisation in the tree (as a click would).
  bool SelectOrganization(uint64_t org_id);

  SignInDialog* sign_in_dialog() const { return sign_in_; }
  QTreeView* org_tree() const { return tree_; }
  QTabWidget* tabs() const { return tabs_; }
  MeetingsView* meetings_view() const { return meetings_; }
  StudyView* study_view() const { return study_; }
  FeedbackView* feedback_view() const { return feedback_; }
  ReportsView* reports_view() const { return reports_; }
  EvaluationView* evaluation_view() const { return evaluation_; }
  RecordsView* records_view() const { return records_; }
  HandbookView* handbook_view() const { return handbook_; }
  uint64_t organization_id() const { return org_id_; }
  QString status_text() const;

 private:
  void LoadTree(uint64_t root_id);
  void AddOrganizations(const std::vector<v1::Organization>& orgs);
  void OrganizationChosen(uint64_t org_id);

  ApiClient* api_;
  NameLookup names_;
  NameLookup org_names_;  // the loaded tree's, for the honours board and the ledger
  SignInDialog* sign_in_;
  QTreeView* tree_;
  std::unique_ptr<QStandardItemModel> tree_model_;
  std::vector<v1::Organization> orgs_;
  QTabWidget* tabs_;
  MeetingsView* meetings_;
  StudyView* study_;
  FeedbackView* feedback_;
  ReportsView* reports_;
  EvaluationView* evaluation_;
  RecordsView* records_;
  HandbookView* handbook_;
  QLabel* user_label_;
  uint64_t org_id_ = 0;
};

}  // namespace branchline::desk
