#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVariant>
#include <functional>
#include <utility>
#include <vector>

namespace branchline::desk {

// A read-only table over a list of protobuf messages: each column is a header and a function
// from (message, role) to what Qt shows. The concrete models (roster, inbox, …) only declare
// their columns, so every table in the client behaves the same and is tested the same way.
template <class Message>
class ProtoTableModel : public QAbstractTableModel {
 public:
  struct Column {
    QString header;
    std::function<QVariant(const Message&, int role)> value;
  };

  explicit ProtoTableModel(std::vector<Column> columns, QObject* parent = nullptr)
      : QAbstractTableModel(parent), columns_(std::move(columns)) {}

  // Replaces the rows (a fresh answer from the server).
  template <class Range>
  void SetRows(const Range& rows) {
    beginResetModel();
    rows_.assign(rows.begin(), rows.end());
    endResetModel();
  }
  const std::vector<Message>& rows() const { return rows_; }
  const Message& row(int index) const { return rows_.at(static_cast<size_t>(index)); }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
  }
  int columnCount(const QModelIndex& parent = QModelIndex()) const override {
    return parent.isValid() ? 0 : static_cast<int>(columns_.size());
  }
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) {
      return {};
    }
    return columns_[static_cast<size_t>(index.column())].value(
        rows_[static_cast<size_t>(index.row())], role);
  }
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= columnCount()) {
      return {};
    }
    return columns_[static_cast<size_t>(section)].header;
  }

 private:
  std::vector<Column> columns_;
  std::vector<Message> rows_;
};

// A column that shows `text(message)` and nothing for other roles.
template <class Message, class F>
typename ProtoTableModel<Message>::Column TextColumn(QString header, F text) {
  return {std::move(header), [text](const Message& m, int role) -> QVariant {
            if (role != Qt::DisplayRole) return {};
            return text(m);
          }};
}

}  // namespace branchline::desk
