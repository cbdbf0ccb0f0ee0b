# Shared by the benchmark scripts: sourced, not run (from the repository's root).
# Sets KAIROS, the binary to run: KAIROS=PATH when given (e.g. an earlier build, for a comparison
# in the same session; absolute, or relative to the repository), else this tree's release build,
# built first.
if [ -z "${KAIROS:-}" ]; then
  swift build -c release --product kairos >/dev/null 2>&1 || { echo "swift build -c release failed" >&2; exit 1; }
  KAIROS=.build/release/kairos
fi
[ -x "$KAIROS" ] || { echo "KAIROS=$KAIROS is not an executable (absolute, or relative to the repository)" >&2; exit 1; }
