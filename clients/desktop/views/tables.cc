#include "clients/desktop/views/tables.h"

#include <QHeaderView>
#include <QLabel>
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

}  // namespace branchline::desk
