#!/usr/bin/env bash
# A province deployment on this machine, 127.0.0.1 only (README "Triển khai cấp tỉnh"):
#
#   scripts/province-stack.sh start    PostgreSQL up (scripts/system-deps.sh --stack), the
#                                      database created if missing, migrated and, while it has
#                                      no upload, seeded with the bundled demo; two app instances
#                                      (streamlit run app.py) on it; Debian's nginx in front
#                                      (deploy/nginx-province.conf: sticky sessions, websocket)
#   scripts/province-stack.sh stop     stops what start started (the recorded pids)
#   scripts/province-stack.sh status   what runs, where; exit 0 all, 3 nothing, 1 part of it
#
# Settings (environment):
#   PROVINCE_DB         database name on the PostgreSQL server     (ntm_province)
#   PROVINCE_PORT       nginx's port on 127.0.0.1                  (a free port)
#   PROVINCE_APP_PORTS  the instances' ports, e.g. "8611 8612"     (free ports)
#   PROVINCE_INSTANCES  how many app instances                     (2)
#   PROVINCE_STATE      the state folder: pids, logs, nginx.conf   (.province-stack/)
#   PROVINCE_SEED       1: load the bundled demo into an empty database; 0: leave it empty (1)
# The PostgreSQL server is the one system-deps.sh looks after: 127.0.0.1:5432, user postgres.
# start and stop are idempotent; two runs on one state folder wait for each other (flock).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${PROVINCE_STATE:-$ROOT/.province-stack}
DB=${PROVINCE_DB:-ntm_province}
INSTANCES=${PROVINCE_INSTANCES:-2}
SEED=${PROVINCE_SEED:-1}
START_TIMEOUT=${PROVINCE_START_TIMEOUT:-180}
PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
DB_URL="postgresql+psycopg://$PG_USER@$PG_HOST:$PG_PORT/$DB"
BIN=$ROOT/.venv/bin
TEMPLATE=$ROOT/deploy/nginx-province.conf

say() { echo "province-stack: $*"; }
die() {
  echo "province-stack: $*" >&2
  exit 1
}

[[ $DB =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "PROVINCE_DB=$DB: use lower-case letters, digits and _"
[[ $INSTANCES =~ ^[1-9]$ ]] || die "PROVINCE_INSTANCES=$INSTANCES: 1 to 9"
STATE=$(mkdir -p "$STATE" && cd "$STATE" && pwd)

nginx_bin() {
  if [ -n "${PROVINCE_NGINX:-}" ]; then echo "$PROVINCE_NGINX"; return; fi
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

# --- processes: a pid file per process, checked against /proc (a pid may have been reused) ---

# alive FILE PATTERN: the pid in FILE runs and its command line contains PATTERN
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1 # (nginx removes its pid file as it exits)
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

app_pattern() { echo "--server.port $(cat "$STATE/app-$1.port" 2>/dev/null || echo none)"; }
app_alive() { alive "$STATE/app-$1.pid" "$(app_pattern "$1")"; }
nginx_alive() { alive "$STATE/nginx.pid" "$STATE/nginx.conf"; }

running_count() {
  local n=0 i
  for i in $(seq 1 "$INSTANCES"); do app_alive "$i" && n=$((n + 1)); done
  nginx_alive && n=$((n + 1))
  echo "$n"
}

# stop_pid FILE PATTERN SIGNAL GROUP: signal the process (GROUP=1: its process group), wait
stop_pid() {
  local file=$1 pattern=$2 sig=$3 group=$4 pid target _
  alive "$file" "$pattern" || { rm -f "$file"; return 0; }
  pid=$(cat "$file" 2>/dev/null) || return 0
  target=$pid
  [ "$group" = 1 ] && target=-$pid
  kill "-$sig" -- "$target" 2>/dev/null || true
  for _ in $(seq 1 60); do alive "$file" "$pattern" || break; sleep 0.25; done
  if alive "$file" "$pattern"; then
    say "pid $pid did not stop on $sig within 15 s: KILL"
    kill -KILL -- "$target" 2>/dev/null || true
    for _ in $(seq 1 20); do alive "$file" "$pattern" || break; sleep 0.25; done
  fi
  rm -f "$file"
}

# --- small helpers in the project's Python -------------------------------------------------

py() { "$BIN/python" "$@"; }

free_ports() { # free_ports N: N distinct free ports on 127.0.0.1
  py - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

port_free() {
  py -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" \
    2>/dev/null
}

http_ok() { # http_ok URL: a 200 answer within 3 s
  py -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=3).read()' "$1" \
    >/dev/null 2>&1
}

# wait_http URL PIDFILE PATTERN LOG: until URL answers; fails when the process dies or on time
wait_http() {
  local url=$1 file=$2 pattern=$3 log=$4 deadline=$((SECONDS + START_TIMEOUT))
  until http_ok "$url"; do
    if ! alive "$file" "$pattern"; then
      echo "province-stack: the process behind $url stopped; the end of $log:" >&2
      tail -n 25 "$log" >&2 || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "province-stack: $url did not answer within $START_TIMEOUT s; see $log" >&2
      return 1
    fi
    sleep 0.5
  done
}

# --- the database --------------------------------------------------------------------------

pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -tAq "$@"; }

prepare_database() {
  if [ "$(pg -c "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
    # another process may create it at the same time: check again after a failure
    pg -c "create database \"$DB\"" 2>/dev/null \
      || [ "$(pg -c "select 1 from pg_database where datname = '$DB'")" = 1 ] \
      || die "cannot create database $DB on $PG_HOST:$PG_PORT"
    say "database $DB created"
  fi
  # Migrations, then the demo exactly as the app seeds its default database (communes.yaml's
  # profiles, then data/demo/*.xlsx as user "demo"), only while the database has no upload.
  (cd "$ROOT" && py - "$DB_URL" "$SEED" <<'EOF'
import sys
from ntm import demo
from ntm.storage import Store

store = Store(sys.argv[1]).migrate()
try:
    outcomes = demo.seed(store) if sys.argv[2] == "1" else []
    uploads = len(store.uploads())
finally:
    store.close()
seeded = f", {len(outcomes)} demo returns imported" if outcomes else ""
print(f"province-stack: database migrated{seeded}; {uploads} uploads in it")
EOF
  )
}

# --- start / stop / status -----------------------------------------------------------------

stop_all() {
  local i
  if nginx_alive; then say "stopping nginx (pid $(cat "$STATE/nginx.pid"))"; fi
  stop_pid "$STATE/nginx.pid" "$STATE/nginx.conf" QUIT 0
  for i in $(seq 1 "$INSTANCES"); do
    if app_alive "$i"; then say "stopping app instance $i (pid $(cat "$STATE/app-$i.pid"))"; fi
    stop_pid "$STATE/app-$i.pid" "$(app_pattern "$i")" TERM 1
  done
}

status() {
  local i n=0 total=$((INSTANCES + 1)) port pid
  for i in $(seq 1 "$INSTANCES"); do
    port=$(cat "$STATE/app-$i.port" 2>/dev/null || echo "?")
    if app_alive "$i"; then
      n=$((n + 1))
      pid=$(cat "$STATE/app-$i.pid")
      if http_ok "http://127.0.0.1:$port/_stcore/health"; then
        say "app $i: running, pid $pid, http://127.0.0.1:$port (healthy)"
      else
        say "app $i: running, pid $pid, http://127.0.0.1:$port (not answering /_stcore/health)"
      fi
    else
      say "app $i: not running"
    fi
  done
  port=$(cat "$STATE/nginx.port" 2>/dev/null || echo "?")
  if nginx_alive; then
    n=$((n + 1))
    say "nginx: running, pid $(cat "$STATE/nginx.pid"), http://127.0.0.1:$port"
  else
    say "nginx: not running"
  fi
  say "database: $DB_URL; state folder: $STATE"
  if [ "$n" -eq "$total" ]; then
    local apps=() logs=""
    for i in $(seq 1 "$INSTANCES"); do
      apps+=("http://127.0.0.1:$(cat "$STATE/app-$i.port")")
      logs+=" --server-log $STATE/app-$i.log"
    done
    say "load test: .venv/bin/python bench/load_test.py --url http://127.0.0.1:$port" \
      "--db $DB_URL --instances $(IFS=,; echo "${apps[*]}")$logs"
    return 0
  fi
  [ "$n" -eq 0 ] && return 3
  return 1
}

start_failed() {
  echo "province-stack: start failed; stopping what it started" >&2
  stop_all >&2
}

start() {
  local n i ports port nginx conf servers=""
  n=$(running_count)
  if [ "$n" -eq $((INSTANCES + 1)) ]; then
    say "already running"
    status
    return 0
  fi
  if [ "$n" -gt 0 ]; then
    say "part of the stack runs ($n of $((INSTANCES + 1)) processes): stopping it first"
    stop_all
  fi
  [ -x "$BIN/streamlit" ] || die "no $BIN/streamlit: run 'make venv' in $ROOT first"
  [ -f "$TEMPLATE" ] || die "missing $TEMPLATE"
  bash "$ROOT/scripts/system-deps.sh" --stack \
    || die "PostgreSQL or nginx is missing (scripts/system-deps.sh --stack says what)"
  nginx=$(nginx_bin)
  [ -x "$nginx" ] || die "no nginx at $nginx (Debian: apt-get install nginx)"
  prepare_database

  # ports: given, or free ones
  if [ -n "${PROVINCE_APP_PORTS:-}" ]; then
    read -r -a ports <<<"$PROVINCE_APP_PORTS"
    [ "${#ports[@]}" -eq "$INSTANCES" ] \
      || die "PROVINCE_APP_PORTS has ${#ports[@]} ports for $INSTANCES instances"
  else
    read -r -a ports <<<"$(free_ports "$INSTANCES")"
  fi
  port=${PROVINCE_PORT:-}
  [ -n "$port" ] || port=$(free_ports 1)
  for p in "${ports[@]}" "$port"; do
    [[ $p =~ ^[0-9]+$ ]] || die "port $p is not a number"
    port_free "$p" || die "port $p on 127.0.0.1 is in use"
  done

  trap start_failed EXIT
  for i in $(seq 1 "$INSTANCES"); do
    echo "${ports[$((i - 1))]}" >"$STATE/app-$i.port"
    # its own session (setsid): stop signals the instance's whole process group
    (
      cd "$ROOT"
      NTM_DATABASE_URL=$DB_URL exec setsid "$BIN/streamlit" run app.py \
        --server.port "${ports[$((i - 1))]}" --server.address 127.0.0.1 \
        --server.headless true --server.fileWatcherType none \
        --client.toolbarMode minimal --browser.gatherUsageStats false
    ) </dev/null >"$STATE/app-$i.log" 2>&1 9>&- &
    echo $! >"$STATE/app-$i.pid"
    say "app instance $i: pid $!, port ${ports[$((i - 1))]}, log $STATE/app-$i.log"
  done
  for i in $(seq 1 "$INSTANCES"); do
    wait_http "http://127.0.0.1:${ports[$((i - 1))]}/_stcore/health" "$STATE/app-$i.pid" \
      "$(app_pattern "$i")" "$STATE/app-$i.log"
    say "app instance $i answers"
  done

  for p in "${ports[@]}"; do
    servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'
  done
  conf=$(<"$TEMPLATE")
  conf=${conf//@STATE@/$STATE}
  conf=${conf//@LISTEN@/127.0.0.1:$port}
  conf=${conf//@SERVERS@/${servers%$'\n'}}
  printf '%s\n' "$conf" >"$STATE/nginx.conf"
  mkdir -p "$STATE/tmp"
  echo "$port" >"$STATE/nginx.port"
  "$nginx" -q -t -p "$STATE/" -c "$STATE/nginx.conf" -e "$STATE/error.log" \
    || die "nginx refuses $STATE/nginx.conf (above)"
  # in the foreground of a process of its own (not the system service); it writes nginx.pid
  setsid "$nginx" -p "$STATE/" -c "$STATE/nginx.conf" -e "$STATE/error.log" \
    -g 'daemon off;' </dev/null >>"$STATE/nginx.out" 2>&1 9>&- &
  echo $! >"$STATE/nginx.pid"
  wait_http "http://127.0.0.1:$port/_stcore/health" "$STATE/nginx.pid" "$STATE/nginx.conf" \
    "$STATE/error.log"
  trap - EXIT
  say "nginx: pid $(cat "$STATE/nginx.pid"), http://127.0.0.1:$port -> ${ports[*]}"
  status
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    start | stop | status) ;;
    *)
      echo "usage: scripts/province-stack.sh start|stop|status (see the top of the script)" >&2
      exit 2
      ;;
  esac
  # (the processes started below do not inherit this descriptor: they would hold the lock)
  exec 9>"$STATE/.lock"
  flock 9
  case "$cmd" in
    start) start ;;
    stop)
      if [ "$(running_count)" -eq 0 ]; then
        say "not running (state folder $STATE)"
      else
        stop_all
        say "stopped"
      fi
      ;;
    status) status ;;
  esac
}

main "$@"
