#!/usr/bin/env bash
# Prove that the build needs no network: build the site twice from this checkout, once as usual and
# once with the network unplugged, and compare the two outputs byte for byte.
#
#   scripts/check_offline_build.sh            (run from a venv with the docs extra installed)
#
# "Unplugged" is a fresh network namespace (`unshare --net`, which needs root or CAP_SYS_ADMIN) whose
# only interface is loopback, brought up because the notebook's kernel talks to mkdocs over
# 127.0.0.1. Without unshare it falls back to proxies that point nowhere (which catches HTTP clients
# but not raw sockets) and says so. Both builds get the same SOURCE_DATE_EPOCH, so even the build
# metadata is equal, and every file, the site's zip included, must be identical.
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_MKDOCS_2_WARNING=1
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
python=${PYTHON:-python3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$python" -m mkdocs build --strict --site-dir "$out/online" >"$out/online.log" 2>&1 \
    || { cat "$out/online.log"; exit 1; }

if unshare --net true 2>/dev/null; then
    how="in a network namespace with loopback only (unshare --net)"
    unshare --net sh -c 'ip link set lo up && exec "$0" -m mkdocs build --strict --site-dir "$1"' \
        "$python" "$out/offline" >"$out/offline.log" 2>&1 || { cat "$out/offline.log"; exit 1; }
else
    how="with HTTP(S) proxies pointing nowhere (unshare --net is not permitted here)"
    env http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
        HTTPS_PROXY=http://127.0.0.1:9 no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost \
        "$python" -m mkdocs build --strict --site-dir "$out/offline" >"$out/offline.log" 2>&1 \
        || { cat "$out/offline.log"; exit 1; }
fi

files=$(find "$out/online" -type f | wc -l)
if diff -r "$out/online" "$out/offline" >"$out/diff.txt"; then
    echo "offline build $how: identical to the online build ($files files)"
else
    echo "offline build $how differs from the online build:" >&2
    head -50 "$out/diff.txt" >&2
    exit 1
fi
