#pragma once

#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>
#include <QtCharts/QChartView>
#include <map>

namespace branchline::desk {

// A bar chart of percentages (0..100), one bar per category, replacing the view's chart.
void ShowPercentBars(QChartView* view, const QString& title, const QStringList& categories,
                     const QList<qreal>& percents, const QString& series_name);

// A line over days (e.g. cumulative study minutes), replacing the view's chart.
void ShowDailyLine(QChartView* view, const QString& title, const std::map<QDate, qint64>& points,
                   const QString& series_name);

}  // namespace branchline::desk
