// PNG via QImage, SVG via QSvgGenerator, PDF via QPdfWriter, all painting the same figure function in points.
#include "views/figure_export.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <cmath>

#include "dpn_git_commit.h"
#include "util/error.h"
#include "views/figures/figure_text.h"

namespace dpn::views {

namespace {
constexpr int kMinDpi = 24, kMaxDpi = 2400;
constexpr int kVectorResolution = 720;  // SVG/PDF device units per inch: 10 per point, so sizes round to 0.1 pt

[[noreturn]] void fail(const QString& path, const std::string& what) { throw Error(path.toStdString(), what); }

FigureLayout paint_at(QPainter& p, const Figure& figure, const QSizeF& size, double scale, const QString& family) {
  begin_figure(p, family);
  p.scale(scale, scale);
  return figure.paint(p, QRectF(QPointF(0, 0), size));
}

void check_figure(const Figure& figure, const QString& path) {
  if (!figure.valid()) fail(path, "nothing to export: the figure is empty (run a question first)");
}
}  // namespace

QString figure_software() {
  return QString("DPN Studio %1 (commit %2)").arg(DPN_VERSION, DPN_GIT_COMMIT);
}

QSizeF export_size(const Figure& figure, const ExportOptions& options) {
  QSizeF s = options.size_pt;
  const QSizeF natural = figure.size_pt();
  if (s.width() <= 0) return natural;
  if (s.height() <= 0)
    s.setHeight(figure.height_for_width ? figure.height_for_width(s.width())
                                        : s.width() * natural.height() / std::max(1.0, natural.width()));
  return s;
}

QImage render_image(const Figure& figure, const ExportOptions& options, FigureLayout* layout) {
  if (!figure.valid()) throw Error("", "nothing to draw: the figure is empty (run a question first)");
  if (options.dpi < kMinDpi || options.dpi > kMaxDpi)
    throw Error("--dpi", "DPI must be in [" + std::to_string(kMinDpi) + ", " + std::to_string(kMaxDpi) + "]");
  const QSizeF size = export_size(figure, options);
  const double scale = options.dpi / 72.0;
  const QSize pixels(int(std::lround(size.width() * scale)), int(std::lround(size.height() * scale)));
  QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
  if (image.isNull()) throw Error("--dpi", "the image is too large for memory at this size and DPI");
  const int dpm = int(std::lround(options.dpi / 0.0254));
  image.setDotsPerMeterX(dpm);
  image.setDotsPerMeterY(dpm);
  image.fill(Qt::white);
  QPainter p(&image);
  FigureLayout drawn = paint_at(p, figure, size, scale, options.font_family);
  p.end();
  if (layout) *layout = std::move(drawn);
  return image;
}

FigureLayout export_figure(const Figure& figure, const QString& path, const ExportOptions& options) {
  check_figure(figure, path);
  const QString suffix = QFileInfo(path).suffix().toLower();
  const QSizeF size = export_size(figure, options);
  if (!(size.width() >= 1 && size.height() >= 1)) fail(path, "the figure size must be positive");
  const QString description = figure.meta.text();
  FigureLayout layout;
  if (suffix == "png") {
    QImage image;
    try {
      image = render_image(figure, options, &layout);
    } catch (const Error& e) {
      fail(path, e.what());
    }
    image.setText("Title", figure.meta.title);
    image.setText("Description", description);
    image.setText("Software", figure_software());
    for (const auto& [key, value] : figure.meta.params) image.setText(key, value);
    if (!image.save(path, "PNG")) fail(path, "could not write the PNG file");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setResolution(kVectorResolution);
    svg.setSize(QSize(int(std::lround(size.width() * 10)), int(std::lround(size.height() * 10))));
    svg.setViewBox(QRectF(QPointF(0, 0), size * 10));
    svg.setTitle(figure.meta.title);
    svg.setDescription(description + "; software=" + figure_software());
    QPainter p;
    if (!p.begin(&svg)) fail(path, "could not write the SVG file");
    p.fillRect(QRectF(QPointF(0, 0), size * 10), Qt::white);
    layout = paint_at(p, figure, size, 10, options.font_family);
    p.end();
  } else if (suffix == "pdf") {
    return export_pdf_pages({figure}, path, options).front();
  } else {
    fail(path, "unknown export format '" + suffix.toStdString() + "' (expected png, svg or pdf)");
  }
  if (!QFileInfo::exists(path)) fail(path, "the export produced no file");
  return layout;
}

std::vector<FigureLayout> export_pdf_pages(const std::vector<Figure>& figures, const QString& path,
                                           const ExportOptions& options) {
  if (figures.empty()) fail(path, "nothing to export: no figures");
  for (const Figure& f : figures) check_figure(f, path);
  QPdfWriter pdf(path);
  pdf.setTitle(figures.front().meta.title);
  pdf.setCreator(figure_software() + " - " + figures.front().meta.text());
  pdf.setResolution(kVectorResolution);
  std::vector<FigureLayout> layouts;
  QPainter p;
  for (size_t i = 0; i < figures.size(); ++i) {
    const QSizeF size = export_size(figures[i], options);
    pdf.setPageSize(QPageSize(size, QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    if (i == 0) {
      if (!p.begin(&pdf)) fail(path, "could not write the PDF file");
    } else if (!pdf.newPage()) {
      fail(path, "could not add page " + std::to_string(i + 1) + " to the PDF file");
    }
    p.save();
    layouts.push_back(paint_at(p, figures[i], size, kVectorResolution / 72.0, options.font_family));
    p.restore();
  }
  p.end();
  if (!QFileInfo::exists(path)) fail(path, "the export produced no file");
  return layouts;
}

void export_figure(const Figure& figure, const QString& path, double dpi) {
  ExportOptions o;
  o.dpi = int(std::lround(dpi));
  export_figure(figure, path, o);
}

}  // namespace dpn::views
