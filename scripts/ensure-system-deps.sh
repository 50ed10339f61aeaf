#!/usr/bin/env bash
# Installs the system packages the integration tests talk to (real broker, PTYs, database, browser).
# Runs `apt-get update` once, and only when something is missing. A prerequisite that is still missing
# afterwards fails the run: integration tests never skip silently.
set -euo pipefail

# command -> Debian package
declare -A needed=(
  [socat]=socat
  [mosquitto]=mosquitto
  [influxd]=influxdb
  [victoria-metrics]=victoria-metrics
  [chromium]=chromium
  [openssl]=openssl
  # The hub package and its unit (test/deploy-gateway.test.ts); python3 stands in for systemd's notify socket.
  [dpkg-deb]=dpkg
  [systemd-analyze]=systemd
  [systemd-notify]=systemd
  [python3]=python3
  # Prometheus and its promtool: the metrics test scrapes with it, the deploy-files test checks rules.
  [prometheus]=prometheus
)

missing_packages=()
for command in "${!needed[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
    missing_packages+=("${needed[$command]}")
  fi
done

if [ ${#missing_packages[@]} -gt 0 ]; then
  echo "[deps] installing: ${missing_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "[deps] not root: install these yourself: apt-get install -y ${missing_packages[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

status=0
for command in "${!needed[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
    echo "[deps] MISSING after install: $command (package ${needed[$command]})" >&2
    status=1
  fi
done
exit $status
