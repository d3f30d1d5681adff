#pragma once

#include <QHash>
#include <QString>
#include <cstdint>

namespace branchline::desk {

// Person ids to display names, filled from ListPeople of the selected organisation. Tables
// show names, falling back to "#id" for people outside the loaded subtree.
class NameLookup {
 public:
  void Set(uint64_t id, const QString& name) { names_.insert(id, name); }
  void Clear() { names_.clear(); }
  QString Name(uint64_t id) const {
    if (id == 0) return QString();
    auto it = names_.find(id);
    return it != names_.end() ? *it : QStringLiteral("#%1").arg(id);
  }

 private:
  QHash<uint64_t, QString> names_;
};

}  // namespace branchline::desk
