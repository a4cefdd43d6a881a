#!/usr/bin/env bash
# Refreshes the vendored uPlot (the chart library) from the npm registry.
# The files are committed, so building and testing the app needs neither npm
# nor the network; run this only to change the version:
#   ui/vendor/update-uplot.sh 1.6.32
set -euo pipefail
version="${1:-1.6.32}"
cd "$(dirname "$0")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null && tar xzf uplot-*.tgz)
mkdir -p uplot
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" uplot/
echo "$version" > uplot/VERSION
echo "uPlot $version vendored into ui/vendor/uplot/"
