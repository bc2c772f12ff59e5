# Run as `cmake -DOUTPUT=x.cc -DNAMESPACE=ns -DBASE=dir -DFILES="a|b" -P EmbedAssets.cmake`:
# writes a C++ file whose function Assets() maps each file's name (relative
# to BASE) to its bytes, so the console's pages and styles are inside the
# binary and an installed daemon needs no web folder beside it.
# FILES is separated by "|" (a ";" would split the command line).
string(REPLACE "|" ";" FILES "${FILES}")
set(body "")
foreach(f IN LISTS FILES)
  file(READ "${BASE}/${f}" content)
  string(FIND "${content}" ")CONCORD_ASSET\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter )CONCORD_ASSET\"")
  endif()
  string(APPEND body "      {\"${f}\", R\"CONCORD_ASSET(${content})CONCORD_ASSET\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from web/ by cmake/EmbedAssets.cmake: do not edit.
#include <map>
#include <string_view>

namespace ${NAMESPACE} {

const std::map<std::string_view, std::string_view>& Assets() {
  static const std::map<std::string_view, std::string_view> assets = {
${body}  };
  return assets;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
