#pragma once

#include <QImage>
#include <QString>

namespace branchline::desk {

// The check-in QR code drawn locally with libqrencode from the current code's payload (no SVG
// rendering needed, sharp at any size): black modules on white with a 4-module quiet zone,
// `scale` pixels per module. A null image when the payload cannot be encoded.
QImage RenderQrCode(const QString& payload, int scale);

}  // namespace branchline::desk
