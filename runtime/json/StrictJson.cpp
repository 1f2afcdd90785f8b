#include "runtime/json/StrictJson.h"

#include "core/Error.h"
#include "core/Printable.h"

#include <algorithm>
#include <vector>

namespace cimlir::json {

namespace {

/// Throws for `source`: "SOURCE: PATH: WHAT".
[[noreturn]] void fail(const std::string &source, const std::string &path,
                       const std::string &what) {
  throw Error(printable(source) + ": " + (path.empty() ? "" : path + ": ") + what);
}

} // namespace

template <typename Json>
Json parseStrict(std::string_view text, const std::string &source, size_t maxBytes) {
  if (text.size() > maxBytes)
    fail(source, "",
         std::to_string(text.size()) + " bytes, more than the " + std::to_string(maxBytes) +
             " such a file may have");
  struct Frame {
    bool object;
    std::string path;
    std::vector<std::string> keys;
    size_t index = 0;
  };
  std::vector<Frame> frames;
  auto childPath = [&]() -> std::string {
    if (frames.empty())
      return "";
    const Frame &top = frames.back();
    if (top.object)
      return (top.path.empty() ? "" : top.path + ".") + printable(top.keys.back(), 120);
    return top.path + "[" + std::to_string(top.index) + "]";
  };
  auto elementDone = [&]() {
    if (!frames.empty() && !frames.back().object)
      ++frames.back().index;
  };
  typename Json::parser_callback_t callback = [&](int, typename Json::parse_event_t event,
                                                  Json &parsed) {
    using Event = typename Json::parse_event_t;
    switch (event) {
    case Event::object_start:
    case Event::array_start:
      if (frames.size() >= kMaxNesting)
        fail(source, childPath(), "nested deeper than " + std::to_string(kMaxNesting) + " levels");
      frames.push_back({event == Event::object_start, childPath(), {}});
      break;
    case Event::key: {
      Frame &top = frames.back();
      const auto &key = parsed.template get_ref<const std::string &>();
      if (std::find(top.keys.begin(), top.keys.end(), key) != top.keys.end())
        fail(source, (top.path.empty() ? "" : top.path + ".") + printable(key, 120),
             "duplicate field (each field may appear once)");
      top.keys.push_back(key);
      break;
    }
    case Event::object_end:
    case Event::array_end:
      frames.pop_back();
      elementDone();
      break;
    case Event::value:
      elementDone();
      break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::parse_error &e) {
    throw Error(syntaxError(text, source, e.byte, e.what()));
  } catch (const nlohmann::json::exception &e) {
    // e.g. out_of_range 406, a number too large for a double.
    std::string what = e.what();
    size_t at = what.find("] ");
    fail(source, "", "JSON error: " + (at == std::string::npos ? what : what.substr(at + 2)));
  }
}

template nlohmann::json parseStrict<nlohmann::json>(std::string_view, const std::string &, size_t);
template nlohmann::ordered_json parseStrict<nlohmann::ordered_json>(std::string_view,
                                                                    const std::string &, size_t);

std::string syntaxError(std::string_view text, const std::string &source, size_t byte,
                        const std::string &what) {
  size_t index = std::min(byte > 0 ? byte - 1 : 0, text.size());
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < index; ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  size_t column = index - lineStart + 1;
  std::string reason = what;
  size_t at = what.find("column ");
  if (at != std::string::npos && (at = what.find(": ", at)) != std::string::npos)
    reason = what.substr(at + 2);
  return printable(source) + ":" + std::to_string(line) + ":" + std::to_string(column) +
         ": JSON syntax error: " + printable(reason);
}

} // namespace cimlir::json
