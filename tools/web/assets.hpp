#pragma once
// The dashboard's static files, embedded into the binary at build time
// (tools/web/embed_assets.cmake), so the page works offline and without an install dir.
#include <span>
#include <string_view>

namespace plinth::web {

struct EmbeddedAsset {
  std::string_view path;          // URL path, e.g. "/app.js"; "/" is the page
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

std::span<const EmbeddedAsset> embedded_assets();

}  // namespace plinth::web
