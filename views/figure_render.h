// Draws every page of a FigureRequest into files: one file, one multi-page PDF, or one file per page in a folder;
// reports layout problems at the requested size (clipped or overlapping text) as warnings. Needs a QGuiApplication.
#pragma once
#include "views/figure_request.h"

namespace dpn::views {

// Throws dpn::Error naming the output path or the option at fault.
FigureOutcome render_figures(const FigureRequest& request);

}  // namespace dpn::views
