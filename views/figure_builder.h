// Turns one page of a FigureRequest into a Figure of its kind: the paint function over the page's data, the size the
// kind wants for a width (single column by default), the title (optional) and the parameters embedded in the file.
#pragma once
#include <QImage>
#include <QString>
#include <QStringList>
#include <map>

#include "views/figure_request.h"
#include "views/figures/figure.h"

namespace dpn::views {

// A single-column figure in a two-column paper.
constexpr double kDefaultWidthPt = 3.3 * 72;

// Images decoded once per path; notes images that cannot be read or differ from what a trace says the model saw.
class FigureImages {
 public:
  QImage get(const std::string& path, const RunTrace& trace, QStringList* warnings);

 private:
  std::map<std::string, QImage> images_;
};

// Throws dpn::Error naming the option (--layer, --layers) or the kind when the page cannot be drawn.
Figure build_figure(const FigureRequest& request, const FigurePage& page, FigureImages& images, QStringList* warnings);

// The index into trace.layers of decoder layer `layer` (-1 = the last); throws dpn::Error("--layer", ...).
int layer_index(const RunTrace& trace, int layer);

}  // namespace dpn::views
