#include "clients/desktop/models/table_export.h"

#include <QFile>
#include <QStringList>

namespace branchline::desk {
namespace {

QString CsvField(QString field) {
  if (field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"')) ||
      field.contains(QLatin1Char('\n')) || field.contains(QLatin1Char('\r'))) {
    field.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + field + QLatin1Char('"');
  }
  return field;
}

}  // namespace

QString TableToCsv(const QAbstractItemModel& model) {
  QString out;
  QStringList fields;
  for (int c = 0; c < model.columnCount(); ++c) {
    fields << CsvField(model.headerData(c, Qt::Horizontal).toString());
  }
  out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
  for (int r = 0; r < model.rowCount(); ++r) {
    fields.clear();
    for (int c = 0; c < model.columnCount(); ++c) {
      fields << CsvField(model.data(model.index(r, c)).toString());
    }
    out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
  }
  return out;
}

bool WriteCsvFile(const QString& path, const QString& csv, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    *error = file.errorString();
    return false;
  }
  const QByteArray bytes = QByteArray("\xEF\xBB\xBF") + csv.toUtf8();
  if (file.write(bytes) != bytes.size() || !file.flush()) {
    *error = file.errorString();
    return false;
  }
  return true;
}

QString TableToHtml(const QAbstractItemModel& model, const QString& title) {
  QString html = QStringLiteral("<h2>%1</h2><table border='1' cellspacing='0' cellpadding='3'><tr>")
                     .arg(title.toHtmlEscaped());
  for (int c = 0; c < model.columnCount(); ++c) {
    html += QStringLiteral("<th>%1</th>")
                .arg(model.headerData(c, Qt::Horizontal).toString().toHtmlEscaped());
  }
  html += QStringLiteral("</tr>");
  for (int r = 0; r < model.rowCount(); ++r) {
    html += QStringLiteral("<tr>");
    for (int c = 0; c < model.columnCount(); ++c) {
      html += QStringLiteral("<td>%1</td>")
                  .arg(model.data(model.index(r, c)).toString().toHtmlEscaped());
    }
    html += QStringLiteral("</tr>");
  }
  return html + QStringLiteral("</table>");
}

}  // namespace branchline::desk
