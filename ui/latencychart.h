#pragma once

#include "historytypes.h"

#include <QDateTime>
#include <QList>
#include <QWidget>

class QPainter;

namespace gw {

//! A small QPainter line chart of heartbeat latency over time (no Qt Charts: GPL-3 in Debian).
//! Gaps longer than `gapThreshold` are drawn as breaks ("no data" is not a flat line).
class LatencyChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LatencyChart)

public:
    explicit LatencyChart(QWidget *parent = nullptr);
    ~LatencyChart() override;

    //! Points in ascending time; the x axis spans [from, to].
    void setData(const QList<LatencyPoint> &points, const QDateTime &from, const QDateTime &to);
    [[nodiscard]] const QList<LatencyPoint> &points() const { return m_points; }
    //! Message shown when there are no points ("No heartbeats in this range").
    void setEmptyText(const QString &text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Frame;
    void drawAxes(QPainter &p, const Frame &frame, int left, const QColor &gridColor, const QColor &textColor) const;
    void drawSeries(QPainter &p, const Frame &frame, qint64 gap) const;

    QList<LatencyPoint> m_points;
    QDateTime m_from;
    QDateTime m_to;
    QString m_emptyText;
};

} // namespace gw
