// PNG via QImage, SVG via QSvgGenerator, PDF via QPdfWriter, all painting the same figure function.
#include "views/figure_export.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>

#include "util/error.h"

namespace dpn::views {

void export_figure(const Figure& figure, const QString& path, double dpi) {
  if (!figure.valid()) throw Error(path.toStdString(), "nothing to export: the figure is empty (run a question first)");
  const QString suffix = QFileInfo(path).suffix().toLower();
  const QSizeF size = figure.size;
  const QRectF area(QPointF(0, 0), size);
  if (suffix == "png") {
    if (dpi < 24 || dpi > 1200) throw Error(path.toStdString(), "DPI must be in [24, 1200]");
    const double scale = dpi / 96.0;
    QImage image((size * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDotsPerMeterX(int(dpi / 0.0254));
    image.setDotsPerMeterY(int(dpi / 0.0254));
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.scale(scale, scale);
    figure.paint(p, area);
    p.end();
    image.setText("Title", figure.meta.title);
    image.setText("Description", figure.meta.description);
    if (!image.save(path, "PNG")) throw Error(path.toStdString(), "could not write the PNG file");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size.toSize());
    svg.setViewBox(area);
    svg.setResolution(96);
    svg.setTitle(figure.meta.title);
    svg.setDescription(figure.meta.description);
    QPainter p;
    if (!p.begin(&svg)) throw Error(path.toStdString(), "could not write the SVG file");
    p.fillRect(area, Qt::white);
    figure.paint(p, area);
    p.end();
  } else if (suffix == "pdf") {
    QPdfWriter pdf(path);
    pdf.setTitle(figure.meta.title);
    pdf.setCreator("DPN Studio - " + figure.meta.description);
    pdf.setResolution(96);
    pdf.setPageSize(QPageSize(size, QPageSize::Point));  // 1 px at 96 dpi drawn as 1 pt keeps proportions
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter p;
    if (!p.begin(&pdf)) throw Error(path.toStdString(), "could not write the PDF file");
    const QRect page = p.viewport();
    p.scale(page.width() / size.width(), page.height() / size.height());
    figure.paint(p, area);
    p.end();
  } else {
    throw Error(path.toStdString(), "unknown export format '" + suffix.toStdString() + "' (expected png, svg or pdf)");
  }
  if (!QFileInfo::exists(path)) throw Error(path.toStdString(), "the export produced no file");
}

}  // namespace dpn::views
