#!/usr/bin/env bash
# Debian packages the app and its tests need; installs only what is missing.
#
#   system-deps.sh          for the tests (make test): chromium (end-to-end tests and chart
#                           images through kaleido), fonts with Vietnamese glyphs, poppler-utils,
#                           LibreOffice Writer (the annex PDF corpus), nginx (the province
#                           stack's test), and a PostgreSQL server on 127.0.0.1:5432 that user
#                           postgres can reach with trust auth (the storage tests); fails when
#                           it cannot.
#   system-deps.sh --run    for the app (make run): chromium and the fonts the meeting exports
#                           need; never fatal: without them the app runs and the export buttons
#                           say what is missing.
#   system-deps.sh --stack  for scripts/province-stack.sh: what --run installs, plus nginx and
#                           the PostgreSQL server on 127.0.0.1:5432 (started, user postgres);
#                           fails when it cannot.
set -euo pipefail

mode=test
case "${1:-}" in
  --run) mode=run ;;
  --stack) mode=stack ;;
esac

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "$mode" = test ]; then
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  # renders the annex test corpus's Word tables to PDF (tests/annex_corpus.py)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fi
if [ "$mode" != run ]; then
  # the reverse proxy of the province stack (scripts/province-stack.sh and its test)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
fi
if [ "$mode" = stack ]; then
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
fi

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi

missing() {
  echo "system-deps: please install: ${need[*]} (Debian: apt-get install ${need[*]})" >&2
  if [ "$mode" = run ]; then
    echo "system-deps: the app runs without them; chart images and slide exports will not" >&2
    exit 0
  fi
  exit 1
}

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then missing; fi
  echo "system-deps: installing ${need[*]}"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${need[@]}" >/dev/null; }; then
    missing
  fi
fi
[ "$mode" = run ] && exit 0

# PostgreSQL: the tests connect as user postgres over TCP without a password.
pg_ok() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; }
if ! pg_ok; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    conf=/etc/postgresql/$version/main
    # Local trust auth for the test user, as on the CI machine (a throwaway test server).
    if ! $sudo grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf"; then
      $sudo sed -i '1i host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"
      $sudo sed -i '1i local all all trust' "$conf/pg_hba.conf"
    fi
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    else
      $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    fi
  fi
  for _ in $(seq 1 30); do pg_ok && break; sleep 1; done
fi
pg_ok || {
  echo "system-deps: PostgreSQL on 127.0.0.1:5432 does not accept user postgres without a password" >&2
  exit 1
}
echo "system-deps: PostgreSQL on 127.0.0.1:5432 is ready"
