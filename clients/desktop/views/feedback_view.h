#pragma once

#include <QWidget>
#include <vector>

#include "branchline/v1/people.pb.h"
#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/feedback_models.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QTextBrowser;

namespace branchline::desk {

// The staff mailbox of the selected organisation: the inbox (overdue highlighted, anonymous
// marked), the selected letter's thread, and the handler's actions: public reply, internal
// note, assign, escalate, change state.
class FeedbackView : public QWidget {
  Q_OBJECT

 public:
  FeedbackView(ApiClient* api, const NameLookup* names, QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id, const std::vector<branchline::v1::Person>& people);
  void Reload();
  bool SelectLetter(uint64_t letter_id);

  // The actions on the selected letter, as the buttons do them.
  void Reply(const QString& text, bool internal_note);
  void Assign(uint64_t person_id);
  void Escalate(const QString& reason);
  void Transition(branchline::v1::LetterState state, const QString& reason);

  InboxModel* model() const { return model_; }
  QString thread_html() const;
  QString thread_text() const;
  int thread_events() const { return static_cast<int>(events_.size()); }

 private:
  const branchline::v1::Letter* Selected() const;
  void LoadThread(uint64_t letter_id);
  void AfterAction(uint64_t letter_id);

  ApiClient* api_;
  const NameLookup* names_;
  InboxModel* model_;
  QTableView* table_;
  QTextBrowser* thread_;
  QLabel* header_;
  QCheckBox* overdue_only_;
  QPlainTextEdit* reply_;
  QComboBox* assignee_;
  QComboBox* state_;
  uint64_t org_id_ = 0;
  uint64_t letter_id_ = 0;
  branchline::v1::Letter letter_;
  std::vector<branchline::v1::LetterEvent> events_;
};

}  // namespace branchline::desk
