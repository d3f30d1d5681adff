#include "clients/desktop/views/charts.h"

#include <QDateTime>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

namespace branchline::desk {

namespace {
// Every chart: a 0-100 value axis on the left (`label_format` says whether it is percent or
// points), no legend, and the new chart replacing the view's old one (which the view does not
// delete itself).
void ShowWithHundredAxis(QChartView* view, QChart* chart, QAbstractSeries* series,
                         const QString& label_format) {
  auto* y = new QValueAxis;
  y->setRange(0, 100);
  y->setLabelFormat(label_format);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  chart->legend()->setVisible(false);
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;
}

// One bar per category on a 0-100 axis, each bar labelled with `bar_label` ("@value%").
void ShowBars(QChartView* view, const QString& title, const QStringList& categories,
              const QList<qreal>& values, const QString& series_name, const QString& bar_label,
              const QString& axis_format) {
  auto* chart = new QChart;
  chart->setTitle(title);
  auto* set = new QBarSet(series_name);
  for (qreal v : values) *set << v;
  auto* series = new QBarSeries;
  series->append(set);
  series->setLabelsVisible(true);
  series->setLabelsFormat(bar_label);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(categories);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  ShowWithHundredAxis(view, chart, series, axis_format);
}
}  // namespace

void ShowPercentBars(QChartView* view, const QString& title, const QStringList& categories,
                     const QList<qreal>& percents, const QString& series_name) {
  ShowBars(view, title, categories, percents, series_name, QStringLiteral("@value%"),
           QStringLiteral("%d%%"));
}

void ShowScoreBars(QChartView* view, const QString& title, const QStringList& categories,
                   const QList<qreal>& scores, const QString& series_name) {
  ShowBars(view, title, categories, scores, series_name, QStringLiteral("@value"),
           QStringLiteral("%d"));
}

void ShowDailyPercentLine(QChartView* view, const QString& title,
                          const std::map<QDate, double>& points, const QString& series_name) {
  auto* chart = new QChart;
  chart->setTitle(title);
  auto* series = new QLineSeries;
  series->setName(series_name);
  series->setPointsVisible(true);
  for (const auto& [day, value] : points) {
    series->append(QDateTime(day, QTime(12, 0)).toMSecsSinceEpoch(), value);
  }
  chart->addSeries(series);
  auto* x = new QDateTimeAxis;
  x->setFormat(QStringLiteral("MM-dd"));
  if (!points.empty()) {
    x->setRange(QDateTime(points.begin()->first.addDays(-1), QTime(0, 0)),
                QDateTime(points.rbegin()->first.addDays(1), QTime(0, 0)));
  }
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  ShowWithHundredAxis(view, chart, series, QStringLiteral("%d%%"));
}

}  // namespace branchline::desk
