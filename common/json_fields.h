// Reading one field of a JSON object that came from outside (a request body,
// a CSV row turned into JSON): the value when it has the expected type, else
// the fallback. Never throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace concord {

inline std::string JsonString(const nlohmann::json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

inline int64_t JsonInt(const nlohmann::json& j, std::string_view key, int64_t fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

inline bool JsonBool(const nlohmann::json& j, std::string_view key, bool fallback = false) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace concord
