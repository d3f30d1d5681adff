#include "clients/desktop/models/org_tree.h"

#include <QHash>
#include <algorithm>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {

std::unique_ptr<QStandardItemModel> BuildOrgTree(const std::vector<v1::Organization>& orgs) {
  auto model = std::make_unique<QStandardItemModel>();
  model->setHorizontalHeaderLabels({QStringLiteral("组织 Organisations")});
  std::vector<v1::Organization> sorted = orgs;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return QString::fromStdString(a.name()).localeAwareCompare(QString::fromStdString(b.name())) <
           0;
  });
  QHash<uint64_t, QStandardItem*> items;
  for (const auto& org : sorted) {
    QString label = QString::fromStdString(org.name());
    const QString kind = OrganizationKindLabel(org.kind());
    if (!kind.isEmpty()) label += QStringLiteral("  ·%1").arg(kind);
    auto* item = new QStandardItem(label);
    item->setEditable(false);
    item->setData(QVariant::fromValue<qulonglong>(org.id()), kOrgIdRole);
    items.insert(org.id(), item);
  }
  for (const auto& org : sorted) {
    QStandardItem* item = items.value(org.id());
    QStandardItem* parent = org.parent_id() != org.id() ? items.value(org.parent_id()) : nullptr;
    (parent ? parent : model->invisibleRootItem())->appendRow(item);
  }
  return model;
}

}  // namespace branchline::desk
