// Test support: browser scripts against real daemons.
//
// A browser test (cmake: concord_browser_test, ctest label `browser`) starts
// the real daemons, then runs a Node.js script from tests/browser/ that drives
// Debian's chromium through playwright-core (tests/browser/lib/browser.mjs),
// and asserts on its exit code and output:
//
//   const std::string out = BrowserOutputDir();  // <build>/test-output/<Suite>.<Test>
//   BrowserRun run = RunBrowserScript("console_login.mjs",
//                                     {{"CONSOLE_URL", "https://127.0.0.1:" + port}}, out);
//   EXPECT_EQ(run.exit_code, 0) << run.output;
//
// Screenshots land in the output folder, under the build tree so that CI
// keeps them with the build: <build>/test-output/<test name>/<name>.png, and
// <step>-failed.png for a failed step.
#pragma once

#include <map>
#include <string>

namespace concord::testing {

struct BrowserRun {
  // node's exit code; -1 when it could not start, was killed by a signal or
  // ran past its timeout (the output says which).
  int exit_code = -1;
  // What the script printed, stdout and stderr together.
  std::string output;
};

// Runs `node tests/browser/<script>` (node from CONCORD_NODE, else the PATH)
// in tests/browser/ with `env` added to the environment, plus
// CONCORD_TEST_OUTPUT_DIR = output_dir (created if missing). Its output is
// streamed to the test log (stdout) as it comes and also returned. After
// `timeout_s` seconds the script is killed with SIGKILL (its chromium exits
// when node does) and exit_code is -1. Call it from the test's own thread:
// node is killed when that thread ends. With `netns` (netns.h), node and its
// chromium run in that network namespace: a clerk's PC on another machine.
BrowserRun RunBrowserScript(const std::string& script,
                            const std::map<std::string, std::string>& env,
                            const std::string& output_dir, int timeout_s = 240,
                            const std::string& netns = "");

// <build>/test-output/<test_name> (the build tree of this test binary; '/'
// in the name becomes '_'), created and emptied: every file in it after the
// test is from this run. Call it once per test; the test's scripts share it.
std::string BrowserOutputDir(const std::string& test_name);
// The same for the running GoogleTest test, named <Suite>.<Test>.
std::string BrowserOutputDir();

}  // namespace concord::testing
