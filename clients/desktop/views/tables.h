#pragma once

#include <QAbstractItemModel>
#include <QPushButton>
#include <QString>
#include <QTableView>
#include <QWidget>
#include <functional>

namespace branchline::desk {

// A table over `model` the way every tab shows one: no row numbers, the last column stretched.
QTableView* MakeTable(QAbstractItemModel* model);

// The same, for lists where one row is picked for an action (approve, edit, reply).
QTableView* MakeRowPickerTable(QAbstractItemModel* model);

// `body` under a bold title, filling the space below it: the panes of the study and
// evaluation tabs.
QWidget* Titled(const QString& title, QWidget* body);

// Makes `button` save a file: asks where (suggesting `name()` + "." + `extension`, e.g. "csv"),
// writes it with `write`, and shows why when writing fails. `parent` owns the dialogs.
void ConnectExport(QPushButton* button, QWidget* parent, const QString& extension,
                   std::function<QString()> name,
                   std::function<bool(const QString& path, QString* error)> write);

}  // namespace branchline::desk
