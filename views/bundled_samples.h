// The sample images and questions bundled under resources/samples (samples.json), offered in Explore.
#pragma once
#include <QString>
#include <vector>

namespace dpn::views {

struct BundledSample {
  QString image;     // absolute path
  QString question;
};

// In file order; empty when the file is missing or unreadable.
std::vector<BundledSample> bundled_samples();

}  // namespace dpn::views
