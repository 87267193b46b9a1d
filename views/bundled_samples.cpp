// Reads resources/samples/samples.json: [{"image": "shapes.png", "question": "..."}, ...].
#include "views/bundled_samples.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "dpn.h"

namespace dpn::views {

std::vector<BundledSample> bundled_samples() {
  const QString dir = QString::fromStdString(resources_dir()) + "/samples/";
  QFile f(dir + "samples.json");
  if (!f.open(QIODevice::ReadOnly)) return {};
  std::vector<BundledSample> out;
  for (const QJsonValue& v : QJsonDocument::fromJson(f.readAll()).array()) {
    const QJsonObject o = v.toObject();
    if (o["image"].isString()) out.push_back({dir + o["image"].toString(), o["question"].toString()});
  }
  return out;
}

}  // namespace dpn::views
