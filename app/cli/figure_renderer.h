// `dpn figure` draws through libdpn_figures.so (views/figure_module.cpp), loaded only when a figure is asked for:
// the other commands of `dpn` never load Qt.
#pragma once
#include "views/figure_request.h"

namespace dpn::cli {

// Loads the renderer (once) and draws `request`. Throws dpn::Error when the renderer is missing (a build without
// the GUI) or drawing fails, naming the file or option at fault.
views::FigureOutcome render_figures(const views::FigureRequest& request);

}  // namespace dpn::cli
