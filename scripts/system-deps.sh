#!/usr/bin/env bash
# Debian packages the tests need: chromium (end-to-end tests, chart images through kaleido),
# fonts with Vietnamese glyphs, and a PostgreSQL server on 127.0.0.1:5432 for the storage
# tests. Installs only what is missing; starts PostgreSQL if it is installed but stopped.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    echo "system-deps: please install: ${need[*]} (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    conf=/etc/postgresql/$version/main
    # Local trust auth for the test user, as on the CI machine.
    if ! $sudo grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf"; then
      $sudo sed -i '1i host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"
      $sudo sed -i '1i local all all trust' "$conf/pg_hba.conf"
    fi
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "system-deps: PostgreSQL is not reachable" >&2; exit 1; }
