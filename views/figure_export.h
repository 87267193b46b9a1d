// Writes a Figure to PNG (at a chosen DPI), SVG (title/description = the run's parameters) or PDF, picked by the
// file's suffix. The on-screen widget and the headless `--export` path call the same paint function.
#pragma once
#include <QString>

#include "views/figures/figure.h"

namespace dpn::views {

// Throws dpn::Error naming the path when the suffix is not png/svg/pdf or the file cannot be written.
void export_figure(const Figure& figure, const QString& path, double dpi = 144);

}  // namespace dpn::views
