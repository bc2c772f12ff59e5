#include "common/html_template.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace concord {
namespace {

using nlohmann::json;

struct Case {
  const char* name;
  const char* text;
  json values;
  const char* want;
};

// What each tag renders, one row per rule of the header's table.
TEST(HtmlTemplateTest, Renders) {
  const Case cases[] = {
      {"text as written", "<p>案情</p>", json::object(), "<p>案情</p>"},
      {"a value, escaped",
       "<td>{{name}}</td>",
       {{"name", "<王某> & \"李某\""}},
       "<td>&lt;王某&gt; &amp; &quot;李某&quot;</td>"},
      {"numbers and booleans", "{{n}} {{b}}", {{"n", 3}, {"b", true}}, "3 true"},
      {"absent or null is empty", "[{{x}}][{{y}}]", {{"y", nullptr}}, "[][]"},
      {"a field of a field",
       "{{case.key}}",
       {{"case", {{"key", "（2026）上0102刑初88号"}}}},
       "（2026）上0102刑初88号"},
      {"a list repeats",
       "{{#tasks}}<li>{{id}}</li>{{/tasks}}",
       {{"tasks", {{{"id", "T1"}}, {{"id", "T2"}}}}},
       "<li>T1</li><li>T2</li>"},
      {"the element itself", "{{#names}}{{.}};{{/names}}", {{"names", {"甲", "乙"}}}, "甲;乙;"},
      {"inside a list, outer names too",
       "{{#tasks}}{{id}}@{{title}} {{/tasks}}",
       {{"title", "会"}, {"tasks", {{{"id", "T1"}}}}},
       "T1@会 "},
      {"a true flag shows once", "{{#final}}定稿{{/final}}", {{"final", true}}, "定稿"},
      {"false, empty and absent hide",
       "{{#a}}x{{/a}}{{#b}}x{{/b}}{{#c}}x{{/c}}{{#d}}x{{/d}}",
       {{"a", false}, {"b", ""}, {"c", json::array()}},
       ""},
      {"inverted", "{{^done}}办理中{{/done}}{{^open}}?{{/open}}", {{"open", 1}}, "办理中"},
      {"a non-empty string opens a section",
       "{{#note}}：{{note}}{{/note}}",
       {{"note", "已核实"}},
       "：已核实"},
      {"comments vanish", "a{{! not shown }}b", json::object(), "ab"},
  };
  for (const Case& c : cases) {
    auto t = HtmlTemplate::Parse(c.text);
    ASSERT_TRUE(t.ok()) << c.name << ": " << t.status();
    EXPECT_EQ(t->Render(c.values), c.want) << c.name;
  }
}

// A template whose sections do not balance is refused, naming the line.
TEST(HtmlTemplateTest, UnbalancedIsRefused) {
  for (const char* text :
       {"a\n{{#x}}b", "a\nb{{/x}}", "{{#x}}{{/y}}", "a {{b", "{{{raw}}}", "{{&raw}}"}) {
    auto t = HtmlTemplate::Parse(text);
    EXPECT_TRUE(absl::IsInvalidArgument(t.status())) << text;
    EXPECT_NE(t.status().message().find("line"), std::string::npos) << t.status();
  }
  EXPECT_NE(HtmlTemplate::Parse("a\n{{#x}}b").status().message().find("line 2"),
            absl::string_view::npos);
}

// A partial is the shared fields of two forms: its text stands in its
// place, filled from the section around it; an unknown one, one nested in
// itself for ever, or any partial where none are given, is refused.
TEST(HtmlTemplateTest, PartialsStandInTheirPlace) {
  const std::map<std::string, std::string, std::less<>> files = {
      {"_fields",
       "<input name=\"name\" value=\"{{name}}\"{{#bad.name}} class=\"invalid\"{{/bad.name}}>"},
      {"_outer", "[{{> _fields}}]"},
      {"_loop", "{{> _loop}}"}};
  const HtmlTemplate::Partials partials = [&](std::string_view name) {
    auto it = files.find(name);
    return it == files.end() ? std::nullopt : std::optional<std::string_view>(it->second);
  };
  auto t = HtmlTemplate::Parse("{{#v}}{{> _fields}}{{/v}}|{{#c}}{{>_outer}}{{/c}}", partials);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(
      t->Render(
          {{"v", {{"name", "张三"}}}, {"c", {{"name", "<李四>"}}}, {"bad", {{"name", true}}}}),
      "<input name=\"name\" value=\"张三\" class=\"invalid\">|"
      "[<input name=\"name\" value=\"&lt;李四&gt;\" class=\"invalid\">]");
  for (const char* text : {"a\n{{> _none}}", "{{> _loop}}"}) {
    auto bad = HtmlTemplate::Parse(text, partials);
    EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << text;
  }
  EXPECT_NE(HtmlTemplate::Parse("a\n{{> _none}}", partials).status().message().find("line 2"),
            absl::string_view::npos);
  EXPECT_TRUE(absl::IsInvalidArgument(HtmlTemplate::Parse("{{> _fields}}").status()));
}

}  // namespace
}  // namespace concord
