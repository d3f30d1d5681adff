#include "clients/desktop/views/tables.h"

#include <QHeaderView>

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

}  // namespace branchline::desk
