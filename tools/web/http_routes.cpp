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

HttpAnswer route_request(std::string_view method, std::string_view target, const std::function<std::string()>& health,
                         const std::function<std::string()>& clinic) {
  if (method != "GET" && method != "HEAD") {
    HttpAnswer answer = text_answer(405, "Method not allowed\n");
    answer.allow = "GET, HEAD";
    return answer;
  }
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  const auto json_page = [&](const std::function<std::string()>& make) -> std::optional<HttpAnswer> {
    if (!make) return std::nullopt;
    HttpAnswer answer;
    answer.content_type = "application/json";
    answer.dynamic_body = make();
    return answer;
  };
  if (path == "/healthz")
    if (auto answer = json_page(health)) return *answer;
  if (path == "/clinic.json")
    if (auto answer = json_page(clinic)) return *answer;
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

std::optional<std::string> station_parameter(std::string_view target) {
  const auto query_start = target.find('?');
  if (query_start == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(query_start + 1);
  query = query.substr(0, query.find('#'));
  constexpr std::string_view kKey = "station=";
  while (!query.empty()) {
    const auto end = query.find('&');
    const std::string_view pair = query.substr(0, end);
    if (pair.substr(0, kKey.size()) == kKey && pair.size() > kKey.size()) return std::string(pair.substr(kKey.size()));
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace plinth::web
