#!/usr/bin/env bash
# Installs the console's third-party browser libraries from the npm registry into
# src/kuzet/web/static/vendor/ (served at /static/vendor/, never from a CDN), only when
# missing or of another version. Idempotent; each tarball's sha512 is checked against
# the integrity pinned here (the one the registry publishes for that version).
#   chart.js - the analytics page's plots (MIT)
#   leaflet  - the map page: site plans and the offline geographic map (BSD-2-Clause);
#              no tiles are fetched, only the deployment's own data is drawn
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=src/kuzet/web/static/vendor
# name version tarball-integrity file-in-package sha256-of-that-file
ASSETS=(
  "chart.js 4.6.1 sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g== dist/chart.umd.min.js 87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2"
  "leaflet 1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA== dist/leaflet.js db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a"
  "leaflet 1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA== dist/leaflet.css a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6"
)
mkdir -p "$DEST"
for spec in "${ASSETS[@]}"; do
  read -r name version integrity member sha256 <<<"$spec"
  target="$DEST/$(basename "$member")"
  if [ -f "$target" ] && echo "$sha256  $target" | sha256sum --check --status; then
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
  # the licence file is LICENSE.md in some packages, LICENSE in others
  tar -xzf "$tarball" -C "$tmp" --wildcards "package/$member" 'package/LICENSE*'
  cp "$tmp/package/$member" "$target"
  cp "$(ls "$tmp"/package/LICENSE* | head -n 1)" "$DEST/$name.LICENSE.md"
  echo "$sha256  $target" | sha256sum --check --status || {
    echo "$name@$version: $member differs from the pinned sha256" >&2; exit 1; }
  echo "installed $name@$version -> $target"
  rm -rf "$tmp"
  trap - EXIT
done
