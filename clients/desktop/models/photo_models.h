#pragma once

#include <QHash>
#include <QPixmap>
#include <QString>

#include "branchline/v1/files.pb.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// "830 B", "245 KB", "3.2 MB" (units of 1024): a file's size as people read it.
QString FileSizeText(uint64_t bytes);

// A file's name, size and, for an image, its pixels: "IMG_0012.jpg · 3.2 MB · 4000 × 3000".
QString AttachmentToolTip(const v1::File& file);

// The files attached to a meeting (its photos), in the server's order, for the strip beside
// the minutes: each shows its thumbnail once loaded (the server makes one for JPEG and PNG),
// the others (HEIC photos, documents) their name; the tooltip names every file.
class MeetingPhotosModel : public ProtoTableModel<v1::File> {
 public:
  explicit MeetingPhotosModel(QObject* parent = nullptr);

  // The thumbnail of file `file_id` as GetFileContent(thumbnail) sent it; false when the bytes
  // are no image (the file then keeps showing its name).
  bool SetThumbnail(uint64_t file_id, const QByteArray& bytes);
  // Null until the thumbnail of the row's file arrived.
  QPixmap thumbnail(int row) const;

 private:
  QHash<uint64_t, QPixmap> thumbnails_;  // by file id; a file's content never changes
};

}  // namespace branchline::desk
