#include "common/http_router.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace concord {

absl::Status RouteTaken(const std::string& method, const std::string& path) {
  return absl::AlreadyExistsError(
      absl::StrCat("路由重复 / route registered twice: ", method, " ", path));
}

HttpResponse HttpRouter::Dispatch(const HttpRequest& request) const {
  const std::string path = request.Path();
  const auto found = routes_.Find(request.method, path);
  if (!found.handler) {
    if (found.path_known)
      return ErrorResponse(405, absl::StrCat("不支持的请求方法 / method ", request.method,
                                             " not allowed on ", path));
    return ErrorResponse(404, absl::StrCat("没有这个地址 / no such path: ", path));
  }
  try {
    return (*found.handler)(request);
  } catch (const nlohmann::json::exception& e) {
    return ErrorResponse(400, absl::StrCat("请求格式错误 / malformed request: ", e.what()));
  } catch (const std::exception& e) {
    LOG_ERROR("{} {}: {}", request.method, path, e.what());
    return ErrorResponse(500, absl::StrCat("内部错误 / internal error: ", e.what()));
  }
}

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  // Invalid UTF-8 from a peer must not make the answer itself fail.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return JsonResponse(status, {{"error", std::string(message)}});
}

HttpResponse ApiTokenRequired() {
  return ErrorResponse(
      401, "需要 API 令牌 / API token required: send Authorization: Bearer <token_file>");
}

HttpResponse StatusResponse(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return ErrorResponse(400, std::string(status.message()));
    case absl::StatusCode::kNotFound:
      return ErrorResponse(404, std::string(status.message()));
    default:
      return ErrorResponse(503, std::string(status.message()));
  }
}

namespace {

constexpr int kMaxJsonDepth = 32;

// A first pass over the text that builds nothing: it stops at the first
// syntax error or at the first object or array opened deeper than
// kMaxJsonDepth, so a hostile body cannot make the DOM (and its recursive
// destructor) as deep as it likes.
class DepthCheck : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool too_deep() const { return too_deep_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return Open(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Open() {
    too_deep_ = ++depth_ > kMaxJsonDepth;
    return !too_deep_;
  }
  bool Close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view body) {
  DepthCheck depth;
  if (!nlohmann::json::sax_parse(body, &depth) && depth.too_deep())
    return absl::InvalidArgumentError("JSON 嵌套过深 / JSON nested deeper than 32 levels");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return absl::InvalidArgumentError("请求体不是合法的 JSON / request body is not valid JSON");
  if (!j.is_object())
    return absl::InvalidArgumentError(
        "请求体必须是 JSON 对象 / request body must be a JSON object");
  return j;
}

}  // namespace concord
