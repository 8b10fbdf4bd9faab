#include "tools/web/http_routes.hpp"

#include "tools/web/assets.hpp"

namespace plinth::web {
namespace {

constexpr std::string_view kText = "text/plain; charset=utf-8";

HttpAnswer text_answer(unsigned status, std::string text) {
  HttpAnswer answer;
  answer.status = status;
  answer.content_type = kText;
  answer.dynamic_body = std::move(text);
  return answer;
}

}  // namespace

HttpAnswer route_request(std::string_view method, std::string_view target,
                         const std::function<std::string()>& health) {
  if (method != "GET" && method != "HEAD") {
    HttpAnswer answer = text_answer(405, "Method not allowed\n");
    answer.allow = "GET, HEAD";
    return answer;
  }
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path == "/healthz") {
    HttpAnswer answer;
    answer.content_type = "application/json";
    answer.dynamic_body = health();
    return answer;
  }
  const std::string_view lookup = path == "/index.html" ? std::string_view("/") : path;
  for (const EmbeddedAsset& asset : embedded_assets()) {
    if (asset.path == lookup) {
      HttpAnswer answer;
      answer.content_type = asset.content_type;
      answer.static_body = asset.body;
      return answer;
    }
  }
  return text_answer(404, "Not found\n");
}

}  // namespace plinth::web
