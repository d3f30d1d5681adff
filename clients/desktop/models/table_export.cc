#include "clients/desktop/models/table_export.h"

#include <locale.h>
#include <stdlib.h>

#include <QFile>
#include <QStringList>
#include <string_view>

namespace branchline::desk {
namespace {

// A cell a spreadsheet would run as a formula when opened: a person's name or a letter's text
// that begins "=HYPERLINK(…" or "@SUM(…" (CSV injection). Signed numbers ("-3.5") and a lone
// dash stay what they are. The server's rule (services/attendance/attendance_csv.cc) on the
// same UTF-8 bytes, so its CSV and the desktop's show a cell alike. The number is read in the
// "C" locale as the server reads it: QCoreApplication sets the user's locale for the C
// library, where strtod of a German desktop would stop at the "." of "-3.5".
bool LooksLikeFormula(const QString& field) {
  const QByteArray f = field.toUtf8();
  if (f.size() < 2 || std::string_view("=+-@\t\r").find(f[0]) == std::string_view::npos) {
    return false;
  }
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t(nullptr));
  char* end = nullptr;
  strtod_l(f.constData(), &end, c_locale);
  return *end != '\0';
}

QString CsvField(QString field) {
  // The apostrophe spreadsheets read as "text follows", so the cell shows as typed.
  if (LooksLikeFormula(field)) field.prepend(QLatin1Char('\''));
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
