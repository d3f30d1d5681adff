#pragma once

#include <QHash>
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/records_models.h"

class QComboBox;
class QDateEdit;
class QLabel;
class QTableView;

namespace branchline::desk {

// The activity ledger of the selected organisation's subtree (台账, issue #22): its entries
// for a period, optionally of one type, and the ledger report of the same period counted per
// item and per type, exported as CSV. Read-only: entries are written on the phones and with
// branchctl.
class RecordsView : public QWidget {
  Q_OBJECT

 public:
  // `names` (people) and `org_names` are the window's; they outlive the view.
  RecordsView(ApiClient* api, const NameLookup* names, const NameLookup* org_names,
              QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id);
  void Reload();
  // The period and type filter, as the controls would set them (does not reload).
  void SetFilter(const QDate& from, const QDate& to, v1::LedgerEntryType type);

  // What the answers do on screen; public so the tests can give answers without a server.
  void ShowItems(const branchline::v1::LedgerItems& items);
  // `entries` holds every entry of the period (all pages).
  void ShowEntries(const std::vector<branchline::v1::LedgerEntry>& entries);
  void ShowReport(const branchline::v1::LedgerReport& report);

  // The entries, then the counts per item and per type, into one file; false with `error`
  // set when the file cannot be written.
  bool ExportCsv(const QString& path, QString* error) const;

  LedgerEntriesModel* entries_model() const { return entries_; }
  LedgerItemCountsModel* items_model() const { return items_; }
  LedgerTypeCountsModel* types_model() const { return types_; }
  QString totals_text() const;

 private:
  void LoadEntriesPage(uint64_t org, const std::string& page_token,
                       std::shared_ptr<std::vector<branchline::v1::LedgerEntry>> entries);
  QString Title() const;

  ApiClient* api_;
  const NameLookup* org_names_;
  QHash<QString, QString> item_titles_;  // codes in force to titles, for the entries' item
  LedgerEntriesModel* entries_;
  LedgerItemCountsModel* items_;
  LedgerTypeCountsModel* types_;
  QDateEdit* from_;
  QDateEdit* to_;
  QComboBox* type_;
  QLabel* entries_title_;
  QLabel* totals_;
  QTableView* entries_table_;
  QTableView* items_table_;
  QTableView* types_table_;
  uint64_t org_id_ = 0;
  // Bumped on every reload so that pages of an earlier filter are dropped.
  uint64_t generation_ = 0;
};

}  // namespace branchline::desk
