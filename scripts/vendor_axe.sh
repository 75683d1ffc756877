#!/usr/bin/env bash
# Vendor axe-core (the accessibility engine the browser tests inject) from the npm registry.
#
#   scripts/vendor_axe.sh 4.14.1
#
# Fetches the exact version with `npm pack` (npm checks the tarball against the registry's integrity
# hash) and writes tests/browser/vendor/axe.min.js, its LICENSE (MPL-2.0) and VERSION. Vendored, the
# browser tests need neither Node nor the network, on a laptop or in CI (.ci/run installs nothing
# for them but Chromium), and every run uses the same rules.
set -euo pipefail

if [[ $# -ne 1 || ! $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "usage: $0 VERSION   (an exact version such as 4.14.1)" >&2
    exit 2
fi
version=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=$root/tests/browser/vendor

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$work/axe-core-$version.tgz" -C "$work"
pkg=$work/package
got=$(node -p "require('$pkg/package.json').version")
if [[ $got != "$version" ]]; then
    echo "npm gave axe-core $got, expected $version" >&2
    exit 1
fi

mkdir -p "$target"
cp "$pkg/axe.min.js" "$target/axe.min.js"
cp "$pkg/LICENSE" "$target/LICENSE"
printf '%s\n' "$version" >"$target/VERSION"

integrity=$(cd "$work" && npm view "axe-core@$version" dist.integrity 2>/dev/null || true)
echo "vendored axe-core $version ${integrity:+($integrity)}: $(wc -c <"$target/axe.min.js") bytes"
