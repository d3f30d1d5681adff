#include "clients/desktop/views/tables.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QVBoxLayout>

namespace branchline::desk {

QTableView* MakeTable(QAbstractItemModel* model) {
  auto* table = new QTableView;
  table->setModel(model);
  table->verticalHeader()->hide();
  table->horizontalHeader()->setStretchLastSection(true);
  return table;
}

QTableView* MakeRowPickerTable(QAbstractItemModel* model) {
  auto* table = MakeTable(model);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  return table;
}

QWidget* Titled(const QString& title, QWidget* body) {
  auto* box = new QWidget;
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(title)));
  layout->addWidget(body, 1);
  return box;
}

void ConnectExport(QPushButton* button, QWidget* parent, const QString& extension,
                   std::function<QString()> name,
                   std::function<bool(const QString& path, QString* error)> write) {
  QObject::connect(button, &QPushButton::clicked, parent, [=] {
    const QString upper = extension.toUpper();
    const QString path = QFileDialog::getSaveFileName(
        parent, QStringLiteral("导出 ") + upper, name() + QLatin1Char('.') + extension,
        upper + QStringLiteral(" (*.") + extension + QLatin1Char(')'));
    QString error;
    if (!path.isEmpty() && !write(path, &error)) {
      QMessageBox::warning(parent, QStringLiteral("导出失败 Export failed"), error);
    }
  });
}

}  // namespace branchline::desk
