#!/usr/bin/env bash
# Copy the GA4GH Beacon v2 framework JSON schemas (CC0) that the Beacon tests validate against
# from the shared data archive into tests/research/beacon_schemas (examples left out).
# Usage: scripts/copy_beacon_schemas.sh [path/to/beacon-v2-schemas.tar.gz]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
archive="${1:-$here/../shared/data/beacon-v2-schemas.tar.gz}"
target="$here/tests/research/beacon_schemas"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar xzf "$archive" -C "$work" ./LICENSE ./framework/json
rm -rf "$target"
mkdir -p "$target"
cp "$work/LICENSE" "$target/LICENSE"
(cd "$work/framework/json" && find common configuration requests responses -name '*.json' \
    -not -path '*example*' -print0 | xargs -0 -I{} cp --parents {} "$target/")
printf '%s\n' "GA4GH Beacon v2 framework schemas (CC0, see LICENSE), copied from" \
    "$(basename "$archive") by scripts/copy_beacon_schemas.sh: the Beacon tests validate" \
    "every response against them." > "$target/README.md"
echo "copied $(find "$target" -name '*.json' | wc -l) schemas into $target"
