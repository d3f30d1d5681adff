#include "clients/desktop/views/records_view.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "clients/desktop/models/calendar_models.h"
#include "clients/desktop/models/table_export.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {
namespace {

// The server's largest page: a year of a branch's ledger fits in a page or two.
constexpr int kPageSize = 1000;

QDateEdit* MakeDateEdit(const QDate& date, const QString& prefix) {
  auto* edit = new QDateEdit(date);
  edit->setCalendarPopup(true);
  edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
  edit->setToolTip(prefix);
  return edit;
}

}  // namespace

RecordsView::RecordsView(ApiClient* api, const NameLookup* names, const NameLookup* org_names,
                         QWidget* parent)
    : QWidget(parent),
      api_(api),
      org_names_(org_names),
      entries_(new LedgerEntriesModel(names, org_names, &item_titles_, this)),
      items_(new LedgerItemCountsModel(this)),
      types_(new LedgerTypeCountsModel(this)) {
  // This year by default: the period an inspection asks about, within the report's 366 days.
  const int year = QDate::currentDate().year();
  from_ = MakeDateEdit(QDate(year, 1, 1), QStringLiteral("开始 From"));
  to_ = MakeDateEdit(QDate(year, 12, 31), QStringLiteral("结束 To"));
  type_ = new QComboBox;
  type_->addItem(QStringLiteral("全部类型 All types"), 0);
  for (int t = v1::LEDGER_ENTRY_TYPE_TALK; t <= v1::LEDGER_ENTRY_TYPE_PROJECT; ++t) {
    type_->addItem(LedgerEntryTypeLabel(static_cast<v1::LedgerEntryType>(t)), t);
  }
  auto* refresh = new QPushButton(QStringLiteral("刷新 Refresh"));
  auto* csv = new QPushButton(QStringLiteral("导出 CSV Export CSV…"));
  entries_title_ = new QLabel;
  totals_ = new QLabel;
  totals_->setWordWrap(true);
  entries_table_ = MakeTable(entries_);
  items_table_ = MakeTable(items_);
  types_table_ = MakeTable(types_);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(QStringLiteral("期间 Period")));
  top->addWidget(from_);
  top->addWidget(new QLabel(QStringLiteral("至 to")));
  top->addWidget(to_);
  top->addWidget(type_);
  top->addStretch();
  top->addWidget(refresh);
  top->addWidget(csv);
  auto* entries = new QWidget;
  auto* entries_layout = new QVBoxLayout(entries);
  entries_layout->setContentsMargins(0, 0, 0, 0);
  entries_layout->addWidget(entries_title_);
  entries_layout->addWidget(entries_table_, 1);
  auto* counts = new QSplitter(Qt::Vertical);
  counts->addWidget(Titled(QStringLiteral("按项目 By item"), items_table_));
  counts->addWidget(Titled(QStringLiteral("按类型 By type"), types_table_));
  counts->setStretchFactor(0, 3);
  counts->setStretchFactor(1, 1);
  auto* report = new QWidget;
  auto* report_layout = new QVBoxLayout(report);
  report_layout->setContentsMargins(0, 0, 0, 0);
  report_layout->addWidget(totals_);
  report_layout->addWidget(counts, 1);
  auto* split = new QSplitter;
  split->addWidget(entries);
  split->addWidget(Titled(QStringLiteral("台账统计 Ledger report"), report));
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);
  ShowEntries({});

  connect(refresh, &QPushButton::clicked, this, &RecordsView::Reload);
  connect(from_, &QDateEdit::dateChanged, this, [this] { Reload(); });
  connect(to_, &QDateEdit::dateChanged, this, [this] { Reload(); });
  connect(type_, &QComboBox::currentIndexChanged, this, [this] { Reload(); });
  ConnectExport(
      csv, this, QStringLiteral("csv"), [this] { return Title(); },
      [this](const QString& path, QString* error) { return ExportCsv(path, error); });
}

void RecordsView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  Reload();
}

void RecordsView::SetFilter(const QDate& from, const QDate& to, v1::LedgerEntryType type) {
  // One reload for the three changes, by whoever calls Reload next.
  const QSignalBlocker block_from(from_), block_to(to_), block_type(type_);
  from_->setDate(from);
  to_->setDate(to);
  type_->setCurrentIndex(std::max(0, type_->findData(static_cast<int>(type))));
}

QString RecordsView::Title() const {
  return QStringLiteral("台账 Ledger %1 %2 %3")
      .arg(org_names_->Name(org_id_), from_->date().toString(Qt::ISODate),
           to_->date().toString(Qt::ISODate));
}

QString RecordsView::totals_text() const { return totals_->text(); }

void RecordsView::Reload() {
  if (org_id_ == 0) return;
  const uint64_t org = org_id_;
  const uint64_t generation = ++generation_;
  const QString problem = ReportPeriodProblem(from_->date(), to_->date());
  if (!problem.isEmpty()) {
    // Said here rather than as the server's INVALID_ARGUMENT, and no stale figures beside it.
    ShowEntries({});
    ShowReport(v1::LedgerReport());
    totals_->setText(problem);
    return;
  }
  // Items first: calls are answered in order, so the entries find their items' titles.
  v1::ListLedgerItemsRequest items;
  items.set_organization_id(org);
  api_->Call(this, &v1::RecordsService::Stub::ListLedgerItems, items,
             [this, generation](const v1::LedgerItems& answer) {
               if (generation == generation_) ShowItems(answer);
             });
  LoadEntriesPage(org, std::string(), std::make_shared<std::vector<v1::LedgerEntry>>());
  v1::GetLedgerReportRequest report;
  report.set_organization_id(org);
  *report.mutable_from_date() = ToLocalDate(from_->date());
  *report.mutable_to_date() = ToLocalDate(to_->date());
  api_->Call(
      this, &v1::RecordsService::Stub::GetLedgerReport, report,
      [this, generation](const v1::LedgerReport& answer) {
        if (generation == generation_) ShowReport(answer);
      },
      [this, generation](const QString& error) {
        // A refusal or an unreachable server: its words, not the previous period's figures.
        if (generation != generation_) return;
        ShowReport(v1::LedgerReport());
        totals_->setText(error);
      });
}

void RecordsView::LoadEntriesPage(uint64_t org, const std::string& page_token,
                                  std::shared_ptr<std::vector<v1::LedgerEntry>> entries) {
  const uint64_t generation = generation_;
  v1::ListLedgerEntriesRequest request;
  request.set_organization_id(org);
  request.set_type(static_cast<v1::LedgerEntryType>(type_->currentData().toInt()));
  *request.mutable_from_date() = ToLocalDate(from_->date());
  *request.mutable_to_date() = ToLocalDate(to_->date());
  request.set_page_size(kPageSize);
  request.set_page_token(page_token);
  api_->Call(this, &v1::RecordsService::Stub::ListLedgerEntries, request,
             [this, org, generation, entries](const v1::ListLedgerEntriesResponse& page) {
               if (generation != generation_) return;  // the filter changed meanwhile
               entries->insert(entries->end(), page.entries().begin(), page.entries().end());
               if (!page.next_page_token().empty()) {
                 LoadEntriesPage(org, page.next_page_token(), entries);
                 return;
               }
               ShowEntries(*entries);
             });
}

void RecordsView::ShowItems(const v1::LedgerItems& items) {
  item_titles_ = LedgerItemTitles(items);
  // Entries shown before the titles arrived name their items by code only.
  entries_->SetRows(std::vector<v1::LedgerEntry>(entries_->rows()));
}

void RecordsView::ShowEntries(const std::vector<v1::LedgerEntry>& entries) {
  entries_->SetRows(entries);
  entries_table_->resizeColumnsToContents();
  entries_title_->setText(entries.empty()
                              ? QStringLiteral("<b>台账 Ledger</b>: 本期无记录 no entries")
                              : QStringLiteral("<b>台账 Ledger</b>: %1 条 entries")
                                    .arg(static_cast<int>(entries.size())));
}

void RecordsView::ShowReport(const v1::LedgerReport& report) {
  items_->SetRows(report.items());
  types_->SetRows(report.types());
  items_table_->resizeColumnsToContents();
  types_table_->resizeColumnsToContents();
  totals_->setText(LedgerTotalsText(report));
}

bool RecordsView::ExportCsv(const QString& path, QString* error) const {
  const QString blank = QStringLiteral("\r\n");  // between the three tables
  return WriteCsvFile(
      path, TableToCsv(*entries_) + blank + TableToCsv(*items_) + blank + TableToCsv(*types_),
      error);
}

}  // namespace branchline::desk
