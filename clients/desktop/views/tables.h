#pragma once

#include <QAbstractItemModel>
#include <QTableView>

namespace branchline::desk {

// A table over `model` the way every tab shows one: no row numbers, the last column stretched.
QTableView* MakeTable(QAbstractItemModel* model);

// The same, for lists where one row is picked for an action (approve, edit, reply).
QTableView* MakeRowPickerTable(QAbstractItemModel* model);

}  // namespace branchline::desk
