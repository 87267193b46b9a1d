// From request pages to files, with the layout checked at the size the files were drawn at.
#include "views/figure_render.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include "util/error.h"
#include "views/figure_builder.h"
#include "views/figure_export.h"

namespace dpn::views {

namespace {
constexpr int kMaxProblemsPerFile = 4;  // the first few tell the user what to change

QString page_stem(const FigureRequest& r, const FigurePage& page, size_t index) {
  QString name = QString::fromStdString(page.name.empty() ? std::to_string(index + 1) : page.name);
  name.replace(QRegularExpression("[^A-Za-z0-9._-]"), "_");
  return QString::fromStdString(r.kind) + "-" + name;
}

void note_problems(const QString& file, const FigureLayout& layout, FigureOutcome& out) {
  const QStringList problems = layout_problems(layout);
  for (int i = 0; i < std::min<int>(problems.size(), kMaxProblemsPerFile); ++i)
    out.warnings.push_back((file + ": " + problems[i]).toStdString());
  if (!problems.isEmpty())
    out.warnings.push_back((file + ": " + QString::number(problems.size()) +
                            " layout problem(s) at this size; try a larger --width or --height").toStdString());
}
}  // namespace

FigureOutcome render_figures(const FigureRequest& r) {
  if (r.pages.empty()) throw Error(r.out, "nothing to draw: no samples");
  if (r.out.empty()) throw Error("--out", "missing output file (FILE.pdf|svg|png, or a folder for a batch)");
  if (r.width_pt < 0 || r.height_pt < 0) throw Error("--width", "sizes must be positive");
  FigureOutcome out;
  QStringList warnings;
  FigureImages images;
  std::vector<Figure> figures;
  for (const FigurePage& page : r.pages) figures.push_back(build_figure(r, page, images, &warnings));
  for (const QString& w : warnings) out.warnings.push_back(w.toStdString());
  ExportOptions options;
  options.size_pt = QSizeF(r.width_pt > 0 ? r.width_pt : figures.front().size_pt().width(), r.height_pt);
  options.dpi = r.dpi;
  options.font_family = QString::fromStdString(r.font);

  const QString target = QString::fromStdString(r.out);
  const bool folder = target.endsWith('/') || QFileInfo(target).isDir();
  if (!folder) {
    if (figures.size() > 1 && QFileInfo(target).suffix().toLower() != "pdf")
      throw Error(r.out, std::to_string(figures.size()) + " figures need a PDF (one page each) or a folder");
    std::vector<FigureLayout> layouts;
    if (figures.size() > 1) {
      // Each page at its own size: the width is shared, the height is each page's own unless given.
      layouts = export_pdf_pages(figures, target, options);
    } else {
      layouts.push_back(export_figure(figures.front(), target, options));
    }
    for (size_t i = 0; i < layouts.size(); ++i)
      note_problems(figures.size() > 1 ? target + QString(" page %1").arg(i + 1) : target, layouts[i], out);
    out.files.push_back(r.out);
    return out;
  }
  const QString format = QString::fromStdString(r.format.empty() ? "pdf" : r.format).toLower();
  if (format != "png" && format != "svg" && format != "pdf")
    throw Error("--format", "expected png, svg or pdf, got '" + r.format + "'");
  if (!QDir().mkpath(target)) throw Error(r.out, "cannot create the folder");
  for (size_t i = 0; i < figures.size(); ++i) {
    const QString file = QDir(target).filePath(page_stem(r, r.pages[i], i) + "." + format);
    note_problems(file, export_figure(figures[i], file, options), out);
    out.files.push_back(file.toStdString());
  }
  return out;
}

}  // namespace dpn::views
