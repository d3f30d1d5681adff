#pragma once

#include <QByteArray>
#include <QDate>
#include <QString>
#include <QWidget>
#include <cstdint>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/name_lookup.h"

class QDateEdit;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace branchline::desk {

// The branch handbook of the selected organisation (两本台账, docs/handbook.md): a preview of
// each section for a period, and the file the inspection asks for saved as the server makes it
// (PDF, CSV or JSON). Nothing is fetched until Preview is pressed: the server reads every
// section through the service that keeps it, too much work to redo on each click in the tree.
class HandbookView : public QWidget {
  Q_OBJECT

 public:
  // `org_names` is the window's; it outlives the view.
  HandbookView(ApiClient* api, const NameLookup* org_names, QWidget* parent = nullptr);

  // Clears the preview of the previous organisation; a late answer for it is dropped.
  void SetOrganization(uint64_t org_id);
  // The period, as the controls would set it (does not fetch).
  void SetPeriod(const QDate& from, const QDate& to);

  // GetBranchHandbook for the organisation and period; the answer shows in the preview, a
  // refusal or an unreachable server in status_text().
  void Preview();
  // ExportBranchHandbook in the format `path` names by its suffix (.pdf, .csv, .json), written
  // to `path` when the whole file has arrived; Saved or SaveFailed tells the outcome, and
  // status_text() says it. The Save button asks for `path` and calls this.
  void Save(const QString& path);

  // What the answers do on screen; public so the tests can give answers without a server.
  void ShowHandbook(const branchline::v1::BranchHandbook& handbook);
  void ShowError(const QString& message);

  // Writes `bytes` to `path` whole or not at all (a half-written PDF must not be filed); false
  // with `error` set in words when it cannot.
  static bool SaveFile(const QString& path, const QByteArray& bytes, QString* error);

  // The preview as text, one line per row, "section: summary" then indented "label: detail".
  QString summary_text() const;
  // The line naming withheld sections; empty when nothing was withheld.
  QString withheld_text() const;
  // Errors, hints and the outcome of a save.
  QString status_text() const;
  QTreeWidget* preview_tree() const { return tree_; }
  QPushButton* preview_button() const { return preview_button_; }

 signals:
  void Saved(const QString& path);
  void SaveFailed(const QString& message);

 private:
  void AskAndSave();
  void FailSave(const QString& message);
  void Clear();
  QString Title() const;

  ApiClient* api_;
  const NameLookup* org_names_;
  QDateEdit* from_;
  QDateEdit* to_;
  QPushButton* preview_button_;
  QPushButton* save_button_;
  QLabel* withheld_;
  QLabel* status_;
  QTreeWidget* tree_;
  uint64_t org_id_ = 0;
  // Bumped on every preview and organisation change so that earlier answers are dropped.
  uint64_t generation_ = 0;
};

}  // namespace branchline::desk
