#!/usr/bin/env bash
# Runs every test of tern from a fresh machine: installs packages, fetches
# guest assets, builds, then runs unit tests (native, ASan/UBSan), short fuzz
# runs, and the integration scenarios inside the emulated arm64 test host
# (or directly on an arm64 host with /dev/kvm).
# Ends with: N passed, N failed, N skipped
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fuzz_seconds=${TERN_FUZZ_SECONDS:-15}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

record() { # pass|fail|skip NAME [detail]
	echo "$1 $2" >>"$results"
	printf '%-5s %s %s\n' "$1" "$2" "${3:-}"
}

step() { echo "== $*"; }

step "setup"
if ! tools/setup-host.sh; then
	record fail setup "package installation failed"
fi
if ! tools/fetch-assets.sh; then
	record fail fetch-assets "guest assets could not be fetched"
fi

step "native build (ASan/UBSan) and unit tests"
if cmake --preset native >/dev/null && cmake --build --preset native -j2; then
	ctest --preset native -j2 >build/native/ctest.log 2>&1
	cat build/native/ctest.log
	while read -r name verdict; do
		case "$verdict" in
		Passed) record pass "unit/$name" ;;
		Skipped | "Not Run") record skip "unit/$name" ;;
		*) record fail "unit/$name" "$verdict" ;;
		esac
	done < <(sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) \.+ *(\*\*\*)?([A-Za-z ]+[a-z]).*/\1 \3/p' build/native/ctest.log)
else
	record fail unit/build "native build failed"
fi

step "lint (clang-format, clang-tidy)"
if tools/lint.sh; then
	record pass lint "clang-format and clang-tidy clean"
else
	record fail lint "see the messages above"
fi

step "fuzz targets (${fuzz_seconds}s each)"
if cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j2; then
	for f in build/fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=${f##*/}
		corpus=build/fuzz/corpus-$name
		mkdir -p "$corpus"
		if "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 "$corpus" \
			>"build/fuzz/$name.log" 2>&1; then
			record pass "fuzz/$name" "$(grep -Eo '#[0-9]+ *DONE.*' "build/fuzz/$name.log" | head -n 1)"
		else
			tail -n 30 "build/fuzz/$name.log"
			record fail "fuzz/$name" "crash or leak: build/fuzz/$name.log"
		fi
	done
else
	record fail fuzz/build "fuzz build failed"
fi

step "arm64 build (static)"
if cmake --preset aarch64 >/dev/null && cmake --build --preset aarch64 -j2; then
	record pass build/aarch64 "$(stat -c %s build/aarch64/tern) bytes"
	step "integration scenarios"
	if [ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ]; then
		it_log=$(tools/testhost/run-native.sh 2>&1 | tee /dev/stderr)
	else
		tools/testhost/run.sh test >/dev/null 2>&1
		it_log=$(cat build/testhost/last.log 2>/dev/null)
		grep -E '^TERN-(RESULT|LOG|HOST|SCENARIO)' build/testhost/last.log 2>/dev/null
	fi
	# Each scenario that began must end; a hang or crash of the host fails it.
	for s in tests/integration/[0-9]*.sh; do
		name=${s##*/}
		name=${name%.sh}
		if ! grep -q "TERN-SCENARIO-END $name" <<<"$it_log"; then
			record fail "it/$name" "scenario did not finish (see build/testhost/last.log)"
		fi
	done
	while read -r _ verdict name detail; do
		record "$verdict" "it/$name" "$detail"
	done < <(grep -E '^TERN-RESULT (pass|fail|skip) ' <<<"$it_log")
else
	record fail build/aarch64 "arm64 build failed"
fi

pass=$(grep -c '^pass ' "$results")
fail=$(grep -c '^fail ' "$results")
skip=$(grep -c '^skip ' "$results")
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	grep '^fail ' "$results" | sed 's/^fail /  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
