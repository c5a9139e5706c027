#!/usr/bin/env bash
# clang-format (no changes allowed) and clang-tidy (warnings are errors) over
# every C file of the project. Needs the native build's compile_commands.json.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'tools/*.c')
rc=0
if ! clang-format --dry-run -Werror $files; then
	echo "lint: clang-format wants changes (run clang-format -i on the files above)"
	rc=1
fi
[ -f build/native/compile_commands.json ] || { echo "lint: build the native preset first"; exit 1; }
# Only files the native build compiles: the KVM parts need the arm64 headers.
tidy=$(git ls-files 'src/*.c' | grep -Ev '^src/vmm/[^/]*\.c$|^src/arch/aarch64/[^/]*\.c$')
if ! clang-tidy -p build/native --quiet $tidy >build/native/clang-tidy.log 2>&1; then
	grep -E "error|warning:" build/native/clang-tidy.log | grep -v "warnings generated" | head -40
	echo "lint: clang-tidy found problems (build/native/clang-tidy.log)"
	rc=1
fi
exit $rc
