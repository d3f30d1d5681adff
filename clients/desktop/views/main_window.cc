#include "clients/desktop/views/main_window.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>

#include "clients/desktop/models/org_tree.h"
#include "clients/desktop/views/evaluation_view.h"
#include "clients/desktop/views/feedback_view.h"
#include "clients/desktop/views/handbook_view.h"
#include "clients/desktop/views/meetings_view.h"
#include "clients/desktop/views/records_view.h"
#include "clients/desktop/views/reports_view.h"
#include "clients/desktop/views/sign_in_dialog.h"
#include "clients/desktop/views/study_view.h"

namespace branchline::desk {

MainWindow::MainWindow(ApiClient* api, QWidget* parent) : QMainWindow(parent), api_(api) {
  setWindowTitle(QStringLiteral("Branchline 支部工作台 — Branch office"));
  tree_ = new QTreeView;
  tree_->setHeaderHidden(false);
  tree_->setMinimumWidth(220);
  tabs_ = new QTabWidget;
  meetings_ = new MeetingsView(api, &names_);
  study_ = new StudyView(api);
  feedback_ = new FeedbackView(api, &names_);
  reports_ = new ReportsView(api);
  evaluation_ = new EvaluationView(api, &names_, &org_names_);
  records_ = new RecordsView(api, &names_, &org_names_);
  handbook_ = new HandbookView(api, &org_names_);
  tabs_->addTab(meetings_, QStringLiteral("会议 Meetings"));
  tabs_->addTab(study_, QStringLiteral("学习 Study"));
  tabs_->addTab(feedback_, QStringLiteral("职工信箱 Mailbox"));
  tabs_->addTab(reports_, QStringLiteral("报表 Reports"));
  tabs_->addTab(evaluation_, QStringLiteral("评议 Evaluation"));
  tabs_->addTab(records_, QStringLiteral("台账 Records"));
  tabs_->addTab(handbook_, QStringLiteral("手册 Handbooks"));
  tabs_->setEnabled(false);
  auto* split = new QSplitter;
  split->addWidget(tree_);
  split->addWidget(tabs_);
  split->setStretchFactor(1, 1);
  setCentralWidget(split);
  user_label_ = new QLabel;
  statusBar()->addPermanentWidget(user_label_);
  sign_in_ = new SignInDialog(api, this);
  connect(api_, &ApiClient::CallFailed, this,
          [this](const QString& message) { statusBar()->showMessage(message, 15000); });
  connect(sign_in_, &SignInDialog::SignedIn, this, [this](const v1::SignInResponse& response) {
    statusBar()->clearMessage();  // an earlier refusal is no longer news
    user_label_->setText(QStringLiteral("已登录 Signed in: %1")
                             .arg(QString::fromStdString(response.person().display_name())));
    LoadTree(response.person().organization_id());
  });
}

MainWindow::~MainWindow() = default;

void MainWindow::Start() {
  show();
  sign_in_->open();
}

QString MainWindow::status_text() const { return statusBar()->currentMessage(); }

void MainWindow::LoadTree(uint64_t root_id) {
  orgs_.clear();
  v1::GetOrganizationRequest get;
  get.set_id(root_id);
  api_->Call(
      this, &v1::OrganizationService::Stub::GetOrganization, get,
      [this, root_id](const v1::Organization& root) {
        orgs_.push_back(root);
        v1::ListOrganizationsRequest list;
        list.set_parent_id(root_id);
        list.set_include_descendants(true);
        list.set_page_size(1000);
        api_->Call(
            this, &v1::OrganizationService::Stub::ListOrganizations, list,
            [this](const v1::ListOrganizationsResponse& response) {
              AddOrganizations({response.organizations().begin(), response.organizations().end()});
            });
      });
}

void MainWindow::AddOrganizations(const std::vector<v1::Organization>& orgs) {
  orgs_.insert(orgs_.end(), orgs.begin(), orgs.end());
  for (const auto& o : orgs_) org_names_.Set(o.id(), QString::fromStdString(o.name()));
  tree_model_ = BuildOrgTree(orgs_);
  tree_->setModel(tree_model_.get());
  tree_->expandAll();
  connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid()) OrganizationChosen(current.data(kOrgIdRole).toULongLong());
          });
  if (!orgs_.empty()) SelectOrganization(orgs_.front().id());
}

bool MainWindow::SelectOrganization(uint64_t org_id) {
  if (!tree_model_) return false;
  QModelIndexList hits = tree_model_->match(tree_model_->index(0, 0), kOrgIdRole,
                                            QVariant::fromValue<qulonglong>(org_id), 1,
                                            Qt::MatchExactly | Qt::MatchRecursive);
  if (hits.isEmpty()) return false;
  tree_->setCurrentIndex(hits.front());
  return true;
}

void MainWindow::OrganizationChosen(uint64_t org_id) {
  if (org_id == org_id_) return;
  org_id_ = org_id;
  tabs_->setEnabled(true);
  // Names first: every table shows people by name.
  v1::ListPeopleRequest people;
  people.set_organization_id(org_id);
  people.set_include_descendants(true);
  people.set_page_size(1000);
  api_->Call(this, &v1::PersonService::Stub::ListPeople, people,
             [this, org_id](const v1::ListPeopleResponse& response) {
               if (org_id != org_id_) return;  // another organisation was chosen meanwhile
               std::vector<v1::Person> list(response.people().begin(), response.people().end());
               for (const auto& p : list) {
                 names_.Set(p.id(), QString::fromStdString(p.display_name()));
               }
               meetings_->SetOrganization(org_id);
               study_->SetOrganization(org_id, list);
               feedback_->SetOrganization(org_id, list);
               reports_->SetOrganization(org_id);
               evaluation_->SetOrganization(org_id);
               records_->SetOrganization(org_id);
               handbook_->SetOrganization(org_id);
             });
}

}  // namespace branchline::desk
