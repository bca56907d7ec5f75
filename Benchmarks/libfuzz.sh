#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers with libFuzzer (docs/fuzzing.md, "Coverage-guided").
# Builds kaohe-libfuzz in release with -sanitize=fuzzer in its own build directory (.build-fuzz),
# writes each target's seed corpus once, and fuzzes each target for SECONDS.
#
#   Benchmarks/libfuzz.sh [TARGET|all] [SECONDS] [more libFuzzer flags …]
#
# Limits: an execution over 5 s is a hang (-timeout), 512 MB of RSS or one allocation over 512 MB
# a failure (-rss_limit_mb, -malloc_limit_mb). Crashing inputs go to .build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=${1:-all}; [ "$targets" = all ] && targets="xlsx csv expression scheme log"
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
out=.build-fuzz
mkdir -p "$out/crashes"
# gold cannot link libFuzzer's runtime with Swift's objects; the toolchain's lld can
swiftbin=$(dirname "$(readlink -f "$(command -v swift)")")
printf '{"schemaVersion": "1.0", "linker": {"path": "%s/ld.lld"}}\n' "$swiftbin" > "$out/toolset.json"
swift build -c release --product kaohe-libfuzz --build-path "$out" --toolset "$PWD/$out/toolset.json" \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DKAOHE_LIBFUZZER -Xcc -fsanitize=fuzzer-no-link
bin="$out/release/kaohe-libfuzz"
failed=0
for t in $targets; do
  corpus="$out/corpus/$t"
  [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || "$bin" "$t" --seeds "$corpus"
  echo "== libFuzzer: $t for $seconds s"
  "$bin" "$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 -malloc_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t-" "$@" "$corpus" 2>&1 | tee "$out/$t.log" | grep -E "^#[0-9]+ +(INITED|DONE|pulse)|stat::|ERROR|SUMMARY|Fatal" || true
  grep -qE "ERROR: libFuzzer|SUMMARY|Fatal error|deadly signal" "$out/$t.log" && failed=1
done
exit $failed
