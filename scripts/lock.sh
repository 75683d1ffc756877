#!/usr/bin/env bash
# Regenerate the hashed lock files from pyproject.toml's extras, for Python 3.11 on Linux x86_64
# (the CI platform). Needs pip-tools: pip install pip-tools. The README, .ci/run and the workflows
# install from these files only.
set -euo pipefail
cd "$(dirname "$0")/.."
for extra in docs test; do
  pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
    --unsafe-package cnn-arithmetic --extra "$extra" --output-file "requirements/$extra.txt" pyproject.toml
done
