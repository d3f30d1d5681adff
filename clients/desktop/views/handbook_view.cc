#include "clients/desktop/views/handbook_view.h"

#include <QColor>
#include <QDateEdit>
#include <QFileDialog>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QStringList>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "clients/desktop/models/calendar_models.h"
#include "clients/desktop/models/handbook_models.h"
#include "clients/desktop/models/records_models.h"

namespace branchline::desk {
namespace {

// The dialog's filters, in the order of the formats: PDF first, the file an inspection keeps.
const QString kPdfFilter = QStringLiteral("PDF (*.pdf)");
const QString kCsvFilter = QStringLiteral("CSV (*.csv)");
const QString kJsonFilter = QStringLiteral("JSON (*.json)");

// Sections with more lines (a large branch's members, a year of missed schedule periods) start
// folded, so that every section's headline fits on one screen; its summary says the count.
constexpr int kUnfoldedLines = 12;

QDateEdit* MakeDateEdit(const QDate& date, const QString& tip) {
  auto* edit = new QDateEdit(date);
  edit->setCalendarPopup(true);
  edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
  edit->setToolTip(tip);
  return edit;
}

v1::HandbookFormat FormatOfFilter(const QString& filter) {
  if (filter == kCsvFilter) return v1::HANDBOOK_FORMAT_CSV;
  if (filter == kJsonFilter) return v1::HANDBOOK_FORMAT_JSON;
  return v1::HANDBOOK_FORMAT_PDF;
}

}  // namespace

HandbookView::HandbookView(ApiClient* api, const NameLookup* org_names, QWidget* parent)
    : QWidget(parent), api_(api), org_names_(org_names) {
  // This year so far by default: what an inspection during the year asks about.
  const QDate today = QDate::currentDate();
  from_ = MakeDateEdit(QDate(today.year(), 1, 1), QStringLiteral("开始 From"));
  to_ = MakeDateEdit(today, QStringLiteral("结束 To"));
  preview_button_ = new QPushButton(QStringLiteral("预览 Preview"));
  save_button_ = new QPushButton(QStringLiteral("保存 Save…"));
  withheld_ = new QLabel;
  withheld_->setWordWrap(true);
  withheld_->setStyleSheet(QStringLiteral("color: #b02a37; font-weight: bold;"));
  withheld_->hide();
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  tree_ = new QTreeWidget;
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({QStringLiteral("项目 Item"), QStringLiteral("内容 Details")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  tree_->header()->setStretchLastSection(true);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(QStringLiteral("期间 Period")));
  top->addWidget(from_);
  top->addWidget(new QLabel(QStringLiteral("至 to")));
  top->addWidget(to_);
  top->addStretch();
  top->addWidget(preview_button_);
  top->addWidget(save_button_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(withheld_);
  layout->addWidget(status_);
  layout->addWidget(tree_, 1);
  Clear();

  connect(preview_button_, &QPushButton::clicked, this, &HandbookView::Preview);
  connect(save_button_, &QPushButton::clicked, this, &HandbookView::AskAndSave);
}

void HandbookView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  ++generation_;
  Clear();
}

void HandbookView::SetPeriod(const QDate& from, const QDate& to) {
  const QSignalBlocker block_from(from_), block_to(to_);
  from_->setDate(from);
  to_->setDate(to);
}

void HandbookView::Clear() {
  tree_->clear();
  withheld_->clear();
  withheld_->hide();
  status_->setText(QStringLiteral("选择期间后按「预览」 Choose the period, then press Preview"));
}

QString HandbookView::Title() const {
  return QStringLiteral("支部手册 Branch handbook %1 %2 %3")
      .arg(org_names_->Name(org_id_), from_->date().toString(Qt::ISODate),
           to_->date().toString(Qt::ISODate));
}

void HandbookView::Preview() {
  if (org_id_ == 0) return;
  const uint64_t generation = ++generation_;
  const QString problem = ReportPeriodProblem(from_->date(), to_->date());
  if (!problem.isEmpty()) {
    // Said here rather than as the server's INVALID_ARGUMENT.
    ShowError(problem);
    return;
  }
  v1::GetBranchHandbookRequest request;
  request.set_organization_id(org_id_);
  *request.mutable_from_date() = ToLocalDate(from_->date());
  *request.mutable_to_date() = ToLocalDate(to_->date());
  status_->setText(QStringLiteral("正在生成… Making the handbook…"));
  api_->Call(
      this, &v1::HandbookService::Stub::GetBranchHandbook, request,
      [this, generation](const v1::BranchHandbook& handbook) {
        if (generation == generation_) ShowHandbook(handbook);
      },
      [this, generation](const QString& error) {
        // A refusal or an unreachable server: its words, not the previous period's handbook.
        if (generation == generation_) ShowError(error);
      });
}

void HandbookView::ShowHandbook(const v1::BranchHandbook& handbook) {
  tree_->clear();
  QFont bold = tree_->font();
  bold.setBold(true);
  for (const HandbookSection& section : BranchHandbookSections(handbook)) {
    auto* top = new QTreeWidgetItem(tree_, {section.title, section.summary});
    top->setFont(0, bold);
    if (section.withheld) top->setForeground(1, QColor(0xb0, 0x2a, 0x37));
    for (const HandbookLine& line : section.lines) {
      new QTreeWidgetItem(top, {line.label, line.detail});
    }
    top->setExpanded(static_cast<int>(section.lines.size()) <= kUnfoldedLines);
  }
  const QString withheld = WithheldSectionsText(handbook);
  withheld_->setText(withheld);
  withheld_->setVisible(!withheld.isEmpty());
  status_->setText(QStringLiteral("%1 · %2 至 %3")
                       .arg(QString::fromStdString(handbook.organization_name()),
                            FormatLocalDate(handbook.from_date()),
                            FormatLocalDate(handbook.to_date())));
}

void HandbookView::ShowError(const QString& message) {
  tree_->clear();
  withheld_->clear();
  withheld_->hide();
  status_->setText(message);
}

void HandbookView::AskAndSave() {
  if (org_id_ == 0) return;
  QString filter = kPdfFilter;
  QString path = QFileDialog::getSaveFileName(
      this, QStringLiteral("保存手册 Save handbook"), Title() + QStringLiteral(".pdf"),
      QStringList{kPdfFilter, kCsvFilter, kJsonFilter}.join(QStringLiteral(";;")), &filter);
  if (path.isEmpty()) return;
  // Qt's own dialog does not add the suffix of the chosen filter; the filter then decides.
  if (HandbookFormatOfPath(path) == v1::HANDBOOK_FORMAT_UNSPECIFIED) {
    path += QLatin1Char('.') + HandbookSuffix(FormatOfFilter(filter));
  }
  Save(path);
}

void HandbookView::Save(const QString& path) {
  if (org_id_ == 0) return;
  const v1::HandbookFormat format = HandbookFormatOfPath(path);
  if (format == v1::HANDBOOK_FORMAT_UNSPECIFIED) {
    FailSave(
        QStringLiteral("请以 .pdf、.csv 或 .json 结尾 The file name must end in .pdf, .csv "
                       "or .json"));
    return;
  }
  const QString problem = ReportPeriodProblem(from_->date(), to_->date());
  if (!problem.isEmpty()) {
    FailSave(problem);
    return;
  }
  v1::ExportBranchHandbookRequest request;
  request.set_organization_id(org_id_);
  *request.mutable_from_date() = ToLocalDate(from_->date());
  *request.mutable_to_date() = ToLocalDate(to_->date());
  request.set_format(format);
  status_->setText(QStringLiteral("正在保存… Saving %1…").arg(path));
  // Not tied to generation_: a file asked for is written even if the preview moves on, and
  // says its own organisation and period inside.
  api_->Download(
      this, &v1::HandbookService::Stub::ExportBranchHandbook, request,
      [this, path](const QByteArray& bytes) {
        QString error;
        if (!SaveFile(path, bytes, &error)) {
          FailSave(error);
          return;
        }
        status_->setText(QStringLiteral("已保存 Saved: %1").arg(path));
        emit Saved(path);
      },
      [this](const QString& error) { FailSave(error); });
}

void HandbookView::FailSave(const QString& message) {
  status_->setText(QStringLiteral("保存失败 Save failed: %1").arg(message));
  emit SaveFailed(message);
}

bool HandbookView::SaveFile(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
    *error = QStringLiteral("无法写入 Cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

QString HandbookView::summary_text() const {
  QStringList lines;
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    const QTreeWidgetItem* section = tree_->topLevelItem(i);
    lines << section->text(0) + QStringLiteral(": ") + section->text(1);
    for (int j = 0; j < section->childCount(); ++j) {
      lines << QStringLiteral("  ") + section->child(j)->text(0) + QStringLiteral(": ") +
                   section->child(j)->text(1);
    }
  }
  return lines.join(QLatin1Char('\n'));
}

QString HandbookView::withheld_text() const { return withheld_->text(); }

QString HandbookView::status_text() const { return status_->text(); }

}  // namespace branchline::desk
