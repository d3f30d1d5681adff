#pragma once

#include <QStandardItemModel>
#include <memory>
#include <vector>

#include "branchline/v1/organizations.pb.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// Item data role holding an organisation's id (as qulonglong).
inline constexpr int kOrgIdRole = Qt::UserRole + 1;

// The organisation tree for the left pane, from a flat list (the root and its descendants in
// any order). Children sort by name; an organisation whose parent is not in the list becomes a
// top-level row, so a partial answer still shows everything that came.
std::unique_ptr<QStandardItemModel> BuildOrgTree(const std::vector<v1::Organization>& orgs);

}  // namespace branchline::desk
