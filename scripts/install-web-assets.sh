#!/usr/bin/env bash
# Installs the console's third-party browser libraries from the npm registry into
# src/kuzet/web/static/vendor/ (served at /static/vendor/, never from a CDN), only when
# missing or of another version. Idempotent; each tarball's sha512 is checked against
# the integrity pinned here (the one the registry publishes for that version).
#   chart.js - the analytics page's plots (MIT)
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=src/kuzet/web/static/vendor
# name version integrity file-in-package
ASSETS=(
  "chart.js 4.6.1 sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g== dist/chart.umd.min.js"
)
mkdir -p "$DEST"
for spec in "${ASSETS[@]}"; do
  read -r name version integrity member <<<"$spec"
  target="$DEST/$(basename "$member")"
  stamp="$DEST/.$name.installed"
  if [ -f "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$name@$version $integrity" ]; then
    continue
  fi
  command -v npm >/dev/null 2>&1 || { echo "npm not found: apt-get install npm" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$(ls "$tmp"/*.tgz)"
  got="sha512-$(python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$tarball")"
  if [ "$got" != "$integrity" ]; then
    echo "$name@$version: tarball hash $got differs from the pinned $integrity" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$tmp" "package/$member" package/LICENSE.md
  cp "$tmp/package/$member" "$target"
  cp "$tmp/package/LICENSE.md" "$DEST/$name.LICENSE.md"
  echo "$name@$version $integrity" > "$stamp"
  echo "installed $name@$version -> $target"
  rm -rf "$tmp"
  trap - EXIT
done
