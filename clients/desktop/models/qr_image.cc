#include "clients/desktop/models/qr_image.h"

#include <qrencode.h>

#include <QPainter>

namespace branchline::desk {

QImage RenderQrCode(const QString& payload, int scale) {
  if (payload.isEmpty() || scale < 1) return {};
  const QByteArray utf8 = payload.toUtf8();
  QRcode* code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == nullptr) return {};
  constexpr int kQuiet = 4;
  const int modules = code->width + 2 * kQuiet;
  QImage image(modules * scale, modules * scale, QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if (code->data[y * code->width + x] & 1) {
        painter.fillRect((x + kQuiet) * scale, (y + kQuiet) * scale, scale, scale, Qt::black);
      }
    }
  }
  painter.end();
  QRcode_free(code);
  return image;
}

}  // namespace branchline::desk
