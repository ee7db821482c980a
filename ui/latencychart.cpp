#include "latencychart.h"

#include "statestyle.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace gw {

LatencyChart::LatencyChart(QWidget *parent)
    : QWidget(parent)
    , m_emptyText(tr("No heartbeats in this range"))
{
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setAccessibleName(tr("Latency chart"));
}

LatencyChart::~LatencyChart() = default;

void LatencyChart::setData(const QList<LatencyPoint> &points, const QDateTime &from, const QDateTime &to)
{
    m_points = points;
    m_from = from;
    m_to = to;
    update();
}

void LatencyChart::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

QSize LatencyChart::sizeHint() const
{
    return {420, 160};
}

QSize LatencyChart::minimumSizeHint() const
{
    return {200, 90};
}

namespace {

double niceStep(double range, int ticks)
{
    const double raw = range / std::max(1, ticks);
    const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
    const double n = raw / mag;
    const double nice = n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10;
    return nice * mag;
}

// Less data than the range (a monitor that started recently): fit the axis to the data and
// say since when, rather than squeezing every point against the right edge. Invalid when the
// range is used as is.
QDateTime fittedAxisStart(const QList<LatencyPoint> &points, const QDateTime &from, const QDateTime &to)
{
    if (points.isEmpty() || points.constFirst().at <= from)
        return {};
    const qint64 dataSpan = points.constFirst().at.msecsTo(to);
    if (dataSpan > 0 && dataSpan < from.msecsTo(to) / 2)
        return points.constFirst().at.addMSecs(-std::max<qint64>(1000, dataSpan / 20));
    return {};
}

// A break in the line where points are further apart than 3× the median spacing (at least
// 1 % of the span): "no data" is not a flat line.
qint64 gapThreshold(const QList<LatencyPoint> &points, qint64 span)
{
    qint64 gap = span / 100;
    if (points.size() > 2) {
        QList<qint64> deltas;
        deltas.reserve(points.size());
        for (int i = 1; i < points.size(); ++i)
            deltas.append(points.at(i - 1).at.msecsTo(points.at(i).at));
        std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2, deltas.end());
        gap = std::max(gap, deltas.at(deltas.size() / 2) * 3);
    }
    return gap;
}

} // namespace

// The plot area and its scales: time on x from `axisFrom` over `span` ms, latency on y up to `top`.
struct LatencyChart::Frame
{
    QRect plot;
    QDateTime axisFrom;
    qint64 span = 1;
    double top = 10;
    double step = 10;

    [[nodiscard]] double xOf(const QDateTime &t) const
    {
        return plot.left() + plot.width() * double(t.toMSecsSinceEpoch() - axisFrom.toMSecsSinceEpoch()) / double(span);
    }
    [[nodiscard]] double yOf(double ms) const { return plot.bottom() - plot.height() * ms / top; }
};

void LatencyChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));

    const QFontMetrics fm(font());
    const int left = fm.horizontalAdvance(QStringLiteral("00000 ms")) + 6;
    const int bottom = fm.height() + 6;
    Frame frame;
    frame.plot = rect().adjusted(left, 8, -10, -bottom);
    if (frame.plot.width() < 20 || frame.plot.height() < 20)
        return;

    QColor gridColor = pal.color(QPalette::Text);
    gridColor.setAlpha(40);
    QColor textColor = pal.color(QPalette::Text);
    textColor.setAlpha(170);

    if (m_points.isEmpty() || !m_from.isValid() || !m_to.isValid() || m_from >= m_to) {
        p.setPen(textColor);
        p.drawRect(frame.plot);
        p.drawText(frame.plot, Qt::AlignCenter, m_emptyText);
        return;
    }

    const QDateTime fittedFrom = fittedAxisStart(m_points, m_from, m_to);
    const bool fitted = fittedFrom.isValid();
    frame.axisFrom = fitted ? fittedFrom : m_from;
    double maxMs = 0;
    for (const auto &pt : m_points)
        maxMs = std::max(maxMs, pt.maxMs.value_or(pt.ms));
    frame.step = niceStep(std::max(maxMs, 10.0), 4);
    frame.top = std::ceil(std::max(maxMs, 10.0) / frame.step) * frame.step;
    frame.span = std::max<qint64>(1, m_to.toMSecsSinceEpoch() - frame.axisFrom.toMSecsSinceEpoch());

    drawAxes(p, frame, left, gridColor, textColor);
    drawSeries(p, frame, gapThreshold(m_points, frame.span));
    p.setPen(gridColor);
    p.setBrush(Qt::NoBrush);
    p.drawRect(frame.plot);
    if (fitted) {
        p.setPen(textColor);
        p.drawText(frame.plot.adjusted(6, 4, -6, -4), Qt::AlignTop | Qt::AlignLeft,
                   tr("no data before %1").arg(QLocale().toString(m_points.constFirst().at.toLocalTime(), QStringLiteral("HH:mm:ss"))));
    }
}

void LatencyChart::drawAxes(QPainter &p, const Frame &frame, int left, const QColor &gridColor,
                            const QColor &textColor) const
{
    const QFontMetrics fm(font());
    const QRect &plot = frame.plot;
    // grid + y labels
    p.setFont(font());
    for (double v = 0; v <= frame.top + 1e-9; v += frame.step) {
        const double y = frame.yOf(v);
        p.setPen(gridColor);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(textColor);
        p.drawText(QRectF(0, y - fm.height() / 2.0, left - 4, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   tr("%1 ms").arg(v, 0, 'f', 0));
    }
    // x labels: start, middle, end
    const bool longRange = frame.span > 36LL * 3600 * 1000;
    const bool shortRange = frame.span < 30LL * 60 * 1000;
    const QString fmt = longRange ? QStringLiteral("MM-dd HH:mm") : shortRange ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    p.setPen(textColor);
    const QLocale loc;
    for (int i = 0; i <= 2; ++i) {
        const QDateTime t = frame.axisFrom.addMSecs(frame.span * i / 2);
        const double x = plot.left() + plot.width() * i / 2.0;
        const Qt::Alignment align = i == 0 ? Qt::AlignLeft : i == 2 ? Qt::AlignRight : Qt::AlignHCenter;
        const double w = 120;
        const double bx = i == 0 ? x : i == 2 ? x - w : x - w / 2;
        p.drawText(QRectF(bx, plot.bottom() + 3, w, fm.height()), align | Qt::AlignTop, loc.toString(t.toLocalTime(), fmt));
    }
}

void LatencyChart::drawSeries(QPainter &p, const Frame &frame, qint64 gap) const
{
    const QColor line = StateStyle::color(StateStyle::Group::Ok, palette());
    QColor envelope = line;
    envelope.setAlpha(60);

    QPainterPath path;
    bool penDown = false;
    QDateTime prev;
    for (const auto &pt : m_points) {
        if (pt.at < frame.axisFrom || pt.at > m_to)
            continue;
        const QPointF xy(frame.xOf(pt.at), frame.yOf(pt.ms));
        if (pt.maxMs) {
            p.setPen(QPen(envelope, 2));
            p.drawLine(QPointF(xy.x(), frame.yOf(*pt.maxMs)), xy);
        }
        if (!penDown || (prev.isValid() && prev.msecsTo(pt.at) > gap))
            path.moveTo(xy);
        else
            path.lineTo(xy);
        penDown = true;
        prev = pt.at;
    }
    p.setPen(QPen(line, 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    if (m_points.size() < 60) {
        p.setBrush(line);
        for (const auto &pt : m_points)
            p.drawEllipse(QPointF(frame.xOf(pt.at), frame.yOf(pt.ms)), 2.2, 2.2);
    }
}

} // namespace gw
