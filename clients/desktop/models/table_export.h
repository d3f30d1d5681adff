#pragma once

#include <QAbstractItemModel>
#include <QString>

namespace branchline::desk {

// A table as CSV (RFC 4180: fields with commas, quotes or line breaks quoted, quotes doubled),
// header row first, exactly what the table shows. Excel opens UTF-8 CSV with a BOM correctly,
// so callers writing files prepend one. A cell a spreadsheet would run as a formula (it begins
// with =, +, -, @, a tab or a carriage return and is not a number: a member named
// "=HYPERLINK(…)"; "-3.5" and "+1" stay numbers) gets a leading apostrophe, which spreadsheets
// read as "text follows", as the server's CSV does.
QString TableToCsv(const QAbstractItemModel& model);

// Writes `csv` to `path` as UTF-8 after a BOM (so spreadsheet programs read the Chinese names);
// false with `error` set when the file cannot be written.
bool WriteCsvFile(const QString& path, const QString& csv, QString* error);

// A table as an HTML <table> under a heading, for the PDF of the inspection handbook.
QString TableToHtml(const QAbstractItemModel& model, const QString& title);

}  // namespace branchline::desk
