#!/usr/bin/env bash
# Re-vendor KaTeX from the npm registry, reproducibly.
#
#   scripts/vendor_katex.sh 0.19.1
#
# Fetches the exact version with `npm pack` (npm checks the tarball against the registry's integrity
# hash), then writes:
#   solutions/render/vendor/katex/katex.min.js  + LICENSE   (build time only, run through mini-racer)
#   docs/assets/katex/katex.min.css             + LICENSE   (shipped with the site)
#   docs/assets/katex/fonts/*.woff2                         (shipped; woff and ttf are not)
# and sets KATEX_VERSION in solutions/render/katex.py. The CSS's @font-face `src` lists are cut down
# to the woff2 file alone (every browser that runs the site reads woff2), and `font-display: block`
# (KaTeX's own default) is checked, so text never reflows from a fallback face to the KaTeX face.
set -euo pipefail

if [[ $# -ne 1 || ! $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "usage: $0 VERSION   (an exact version such as 0.19.1)" >&2
    exit 2
fi
version=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
js_dir=$root/solutions/render/vendor/katex
css_dir=$root/docs/assets/katex

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "katex@$version" >/dev/null)
tar -xzf "$work/katex-$version.tgz" -C "$work"
pkg=$work/package
got=$(node -p "require('$pkg/package.json').version")
if [[ $got != "$version" ]]; then
    echo "npm gave katex $got, expected $version" >&2
    exit 1
fi

rm -rf "$js_dir" "$css_dir"
mkdir -p "$js_dir" "$css_dir/fonts"
cp "$pkg/dist/katex.min.js" "$pkg/LICENSE" "$js_dir/"
cp "$pkg/LICENSE" "$css_dir/"
cp "$pkg/dist/fonts/"*.woff2 "$css_dir/fonts/"

{
    printf '/* KaTeX %s (npm katex@%s), @font-face src cut to woff2 by scripts/vendor_katex.sh */\n' \
        "$version" "$version"
    sed -E \
        -e 's/,url\(fonts\/[^)]*\.woff\) format\("woff"\)//g' \
        -e 's/,url\(fonts\/[^)]*\.ttf\) format\("truetype"\)//g' \
        "$pkg/dist/katex.min.css"
    printf '\n'
} >"$css_dir/katex.min.css"

# Check the rewrite: only woff2 referenced, every reference exists, every face blocks.
css=$css_dir/katex.min.css
if grep -Eq '\.(woff|ttf|otf|eot)\)|https?:|url\(//' "$css"; then
    echo "katex.min.css still references a non-woff2 or off-site file" >&2
    exit 1
fi
faces=$(grep -o '@font-face{' "$css" | wc -l)
blocking=$(grep -o '@font-face{[^}]*font-display:block[^}]*}' "$css" | wc -l)
if [[ $faces -eq 0 || $faces -ne $blocking ]]; then
    echo "expected font-display:block in all $faces @font-face rules, found $blocking" >&2
    exit 1
fi
for font in $(grep -o 'url([^)]*)' "$css" | sed -E 's/^url\((.*)\)$/\1/'); do
    [[ -f $css_dir/$font ]] || { echo "katex.min.css references missing $font" >&2; exit 1; }
done

sed -i -E "s/^KATEX_VERSION = \"[^\"]*\"/KATEX_VERSION = \"$version\"/" "$root/solutions/render/katex.py"

integrity=$(cd "$work" && npm view "katex@$version" dist.integrity 2>/dev/null || true)
echo "vendored katex $version ${integrity:+($integrity)}: $faces faces, $(du -cb "$css" "$css_dir"/fonts/*.woff2 | tail -1 | cut -f1) bytes shipped"
