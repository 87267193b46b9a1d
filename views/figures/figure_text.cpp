// Fonts in figure units, measured and drawn on the painter's device, every item reported to the layout.
#include "views/figures/figure_text.h"

#include <QPaintDevice>
#include <algorithm>
#include <cmath>

namespace dpn::views {

QString default_figure_family() { return "DejaVu Sans"; }

void begin_figure(QPainter& p, const QString& family) {
  QFont f(family.isEmpty() ? default_figure_family() : family);
  f.setStyleHint(QFont::SansSerif);
  p.setFont(f);
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setRenderHint(QPainter::TextAntialiasing, true);
}

MeasuringPainter::MeasuringPainter(const QString& family) : image_(1, 1, QImage::Format_ARGB32_Premultiplied) {
  image_.setDotsPerMeterX(2835);  // 72 DPI: one device pixel per point
  image_.setDotsPerMeterY(2835);
  painter_.begin(&image_);
  begin_figure(painter_, family);
}

QFont figure_font(const QPainter& p, double points, bool bold) {
  QFont f = p.font();
  // pointSize is converted to device units at the device's DPI; the painter's transform then scales by DPI / 72.
  // Dividing by DPI / 72 here makes `points` figure units, independent of the device.
  const int dpi = p.device() ? p.device()->logicalDpiY() : 72;
  f.setPointSizeF(points * 72.0 / std::max(1, dpi));
  f.setBold(bold);
  f.setHintingPreference(QFont::PreferNoHinting);
  f.setKerning(true);
  return f;
}

QFontMetricsF figure_metrics(const QPainter& p, const QFont& font) {
  return p.device() ? QFontMetricsF(font, p.device()) : QFontMetricsF(font);
}

QRectF draw_text(QPainter& p, const QRectF& rect, int flags, const QString& text, FigureLayout* layout) {
  if (text.isEmpty()) return QRectF(rect.center(), QSizeF(0, 0));
  QRectF box;
  // Never clip silently: text that does not fit is drawn whole and reported by its box (layout_problems finds it).
  p.drawText(rect, flags | Qt::TextDontClip, text, &box);
  if (layout) layout->texts.push_back({box, text});
  return box;
}

QRectF draw_vertical_text(QPainter& p, const QPointF& centre, const QString& text, FigureLayout* layout) {
  const QFontMetricsF fm = figure_metrics(p, p.font());
  const double w = fm.horizontalAdvance(text), h = fm.height();
  p.save();
  p.translate(centre);
  p.rotate(-90);
  p.drawText(QRectF(-w / 2 - 1, -h / 2, w + 2, h), Qt::AlignCenter | Qt::TextDontClip, text);
  p.restore();
  const QRectF box(centre.x() - h / 2, centre.y() - w / 2, h, w);
  if (layout) layout->texts.push_back({box, text});
  return box;
}

QStringList wrap_lines(const QFontMetricsF& fm, const QString& text, double width, int max_lines) {
  const QStringList words = text.split(' ', Qt::SkipEmptyParts);
  QStringList lines;
  QString line;
  int i = 0;
  for (; i < words.size(); ++i) {
    const QString candidate = line.isEmpty() ? words[i] : line + ' ' + words[i];
    if (line.isEmpty() || fm.horizontalAdvance(candidate) <= width) {
      line = candidate;
      continue;
    }
    lines << line;
    line = words[i];
    if (lines.size() == max_lines - 1) {
      // The last allowed line takes the rest.
      for (++i; i < words.size(); ++i) line += ' ' + words[i];
      break;
    }
  }
  if (!line.isEmpty()) lines << line;
  for (QString& l : lines)
    if (fm.horizontalAdvance(l) > width) l = fm.elidedText(l, Qt::ElideRight, width);
  return lines;
}

void draw_message(QPainter& p, const QRectF& area, const QString& text, FigureLayout* layout) {
  p.save();
  p.setFont(figure_font(p, kLabelPt));
  const QFontMetricsF fm = figure_metrics(p, p.font());
  const QStringList lines = wrap_lines(fm, text, area.width(), 3);
  double y = area.center().y() - lines.size() * fm.height() / 2;
  for (const QString& l : lines) {
    draw_text(p, QRectF(area.left(), y, area.width(), fm.height()), Qt::AlignCenter, l, layout);
    y += fm.height();
  }
  p.restore();
}

double fitting_size(const QPainter& p, const QStringList& texts, double width, double largest, double smallest,
                    bool bold) {
  for (double pt = largest; pt >= smallest - 1e-9; pt -= 0.5) {
    const QFontMetricsF fm = figure_metrics(p, figure_font(p, pt, bold));
    bool fits = true;
    for (const QString& t : texts) fits = fits && fm.horizontalAdvance(t) <= width;
    if (fits) return pt;
  }
  return 0;
}

namespace {
constexpr int kTitleLines = 3;
constexpr double kTitleGap = 3;  // points between the title and what follows
}  // namespace

double title_height(const QPainter& p, double width, const QString& title) {
  if (title.isEmpty()) return 0;
  const QFontMetricsF fm = figure_metrics(p, figure_font(p, kTitlePt, true));
  return wrap_lines(fm, title, width, kTitleLines).size() * fm.height() + kTitleGap;
}

double draw_title(QPainter& p, const QRectF& area, const QString& title, FigureLayout* layout) {
  if (title.isEmpty()) return 0;
  p.save();
  p.setFont(figure_font(p, kTitlePt, true));
  p.setPen(QColor(20, 20, 20));
  const QFontMetricsF fm = figure_metrics(p, p.font());
  const QStringList lines = wrap_lines(fm, title, area.width(), kTitleLines);
  double y = area.top();
  for (const QString& l : lines) {
    draw_text(p, QRectF(area.left(), y, area.width(), fm.height()), Qt::AlignHCenter | Qt::AlignTop, l, layout);
    y += fm.height();
  }
  p.restore();
  return lines.size() * fm.height() + kTitleGap;
}

}  // namespace dpn::views
