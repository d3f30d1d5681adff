#pragma once

#include <QAbstractItemModel>
#include <QString>
#include <QTableView>
#include <QWidget>

namespace branchline::desk {

// A table over `model` the way every tab shows one: no row numbers, the last column stretched.
QTableView* MakeTable(QAbstractItemModel* model);

// The same, for lists where one row is picked for an action (approve, edit, reply).
QTableView* MakeRowPickerTable(QAbstractItemModel* model);

// `body` under a bold title, filling the space below it: the panes of the study and
// evaluation tabs.
QWidget* Titled(const QString& title, QWidget* body);

}  // namespace branchline::desk
