#include "clients/desktop/models/photo_models.h"

#include <QIcon>

namespace branchline::desk {

QString FileSizeText(uint64_t bytes) {
  // In units of 1024, as Windows shows file sizes.
  if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes);
  if (bytes < 1024 * 1024) return QStringLiteral("%1 KB").arg((bytes + 512) / 1024);
  return QStringLiteral("%1 MB").arg(static_cast<double>(bytes) / (1024 * 1024), 0, 'f', 1);
}

QString AttachmentToolTip(const v1::File& file) {
  QString text = QString::fromStdString(file.file_name()) + QStringLiteral(" · ") +
                 FileSizeText(file.size_bytes());
  if (file.width() > 0 && file.height() > 0) {
    text += QStringLiteral(" · %1 × %2").arg(file.width()).arg(file.height());
  }
  return text;
}

MeetingPhotosModel::MeetingPhotosModel(QObject* parent)
    : ProtoTableModel({{QStringLiteral("照片 Photos"),
                        [this](const v1::File& f, int role) -> QVariant {
                          const QPixmap thumbnail = thumbnails_.value(f.id());
                          switch (role) {
                            case Qt::DisplayRole:
                              // Under a thumbnail the picture says enough; the tooltip names it.
                              return thumbnail.isNull() ? QString::fromStdString(f.file_name())
                                                        : QString();
                            case Qt::DecorationRole:
                              // An icon, so the view scales it to its icon size.
                              return thumbnail.isNull() ? QVariant() : QIcon(thumbnail);
                            case Qt::ToolTipRole:
                              return AttachmentToolTip(f);
                            default:
                              return {};
                          }
                        }}},
                      parent) {}

bool MeetingPhotosModel::SetThumbnail(uint64_t file_id, const QByteArray& bytes) {
  QPixmap thumbnail;
  if (!thumbnail.loadFromData(bytes)) return false;
  thumbnails_.insert(file_id, thumbnail);
  for (int r = 0; r < rowCount(); ++r) {
    if (row(r).id() == file_id) emit dataChanged(index(r, 0), index(r, 0));
  }
  return true;
}

QPixmap MeetingPhotosModel::thumbnail(int r) const { return thumbnails_.value(row(r).id()); }

}  // namespace branchline::desk
