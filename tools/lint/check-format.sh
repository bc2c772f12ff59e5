#!/usr/bin/env bash
# The tree keeps its .clang-format: every C++ file, as clang-format would
# write it. Prints each file that drifts, with the fix; exit 1 if any does.
# 代码格式检查：与 .clang-format 不符的文件逐一列出。
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
CF="$(command -v clang-format || command -v clang-format-14 || true)"
if [ -z "$CF" ]; then
  echo "未安装 clang-format / clang-format is not installed (deploy/install-deps.sh installs it)" >&2
  exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.h')
else
  mapfile -t files < <(find common domain hub agents adapters tools tests bench -name '*.cc' -o -name '*.h')
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "格式不符 / not formatted: $f   (clang-format -i $f)"
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "格式一致 / ${#files[@]} files formatted ($("$CF" --version | grep -o 'version [0-9.]*'))"
exit $bad
