#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to run and test Vigil:
#   - Mosquitto + clients (upstream broker and third-party client in tests)
#   - Chromium (web app tests, driven by playwright-core; never downloaded by npm)
#   - openssl (the TLS tests make a throwaway CA and certificates)
#   - the TimescaleDB extension (Apache edition) built from Debian trixie's source package
#     for the preinstalled PostgreSQL 15 (see docs/DATABASE.md)
# Idempotent and fast (a few dpkg queries) when everything is present; installing needs root.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
EXT_CONTROL="$($PG_CONFIG --sharedir)/extension/timescaledb.control"
APT_PACKAGES=(mosquitto mosquitto-clients chromium openssl)

log() { printf '[install-deps] %s\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

need_ts=0
[ -f "$EXT_CONTROL" ] || need_ts=1

if [ "${#missing[@]}" -eq 0 ] && [ "$need_ts" -eq 0 ]; then
  log "everything present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing: ${missing[*]:-} $( [ "$need_ts" -eq 1 ] && echo timescaledb-extension )" >&2
  echo "install-deps: run as root once: sudo bash scripts/install-deps.sh" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_ts" -eq 1 ]; then
  # TimescaleDB is only packaged from trixie on: add a deb-src entry reusing this machine's mirror.
  src_list=/etc/apt/sources.list.d/vigil-trixie-src.sources
  if [ ! -f "$src_list" ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    [ -n "$uri" ] || { echo "install-deps: cannot read the Debian mirror URI" >&2; exit 1; }
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" >"$src_list"
  fi
  missing+=(postgresql-server-dev-15 cmake dpkg-dev)
fi

log "apt-get install ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if [ "$need_ts" -eq 1 ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  log "building the TimescaleDB extension (Apache edition) in $work"
  (
    cd "$work"
    apt-get source --download-only timescaledb >/dev/null
    dpkg-source -x timescaledb_*.dsc src >/dev/null 2>&1
    cd src
    ./bootstrap -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DUSE_TELEMETRY=OFF -DPG_CONFIG="$PG_CONFIG" >/dev/null
    make -C build -j"$(nproc)" install >/dev/null
  )
  [ -f "$EXT_CONTROL" ] || { echo "install-deps: TimescaleDB build finished without $EXT_CONTROL" >&2; exit 1; }
  log "TimescaleDB installed"
fi
log "done"
