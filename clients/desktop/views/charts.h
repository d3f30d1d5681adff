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

// A bar chart of scores of 100 (evaluation results), one bar per category: the same chart
// with plain numbers, since a score of 100 is not a share.
void ShowScoreBars(QChartView* view, const QString& title, const QStringList& categories,
                   const QList<qreal>& scores, const QString& series_name);

// A line of percentages (0..100) over days, replacing the view's chart.
void ShowDailyPercentLine(QChartView* view, const QString& title,
                          const std::map<QDate, double>& percents, const QString& series_name);

}  // namespace branchline::desk
