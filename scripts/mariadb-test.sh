#!/usr/bin/env bash
# Throwaway MariaDB server for tests (no Docker, no systemd).
#
# Usage:
#   scripts/mariadb-test.sh start [DIR]   install (if needed), init, start, create db/user;
#                                         prints MARIADB_TEST_DIR=... then, as the last line,
#                                         DATABASE_URL=mysql://auth:auth@127.0.0.1:$PORT/auth_test
#   scripts/mariadb-test.sh stop [DIR]    shut down; remove DIR if `start` created it
#   scripts/mariadb-test.sh status        exit 0 if the server answers, else 1
#   scripts/mariadb-test.sh stop-server   stop mariadbd only, keep the data directory
#   scripts/mariadb-test.sh start-server  (re)start mariadbd on the existing data directory
#   scripts/mariadb-test.sh url           print the DATABASE_URL line
#
# Environment:
#   MARIADB_TEST_PORT   TCP port (default 33306), bound to 127.0.0.1 only
#   MARIADB_TEST_STATE  file recording the test dir (default /tmp/mariadb-test.dir); a second
#                       server needs its own port and state file
#
# The server runs from DIR with --no-defaults, so the Debian package's own
# config (/etc/mysql) and service (port 3306, /run/mysqld) are never used.
# The current test dir is recorded in /tmp/mariadb-test.dir.
set -euo pipefail

PORT="${MARIADB_TEST_PORT:-33306}"
STATE_FILE="${MARIADB_TEST_STATE:-/tmp/mariadb-test.dir}"
DB_NAME=auth_test
DB_USER=auth
DB_PASS=auth
# Same password, no CREATE ROUTINE / EXECUTE (for the stored procedure's fallback test).
LIMITED_USER=auth_limited
START_TIMEOUT=60
STOP_TIMEOUT=60
CREATED_MARKER=.created-by-mariadb-test

# mariadbd lives in /usr/sbin, which is not always on PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "mariadb-test: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

url() { echo "DATABASE_URL=mysql://${DB_USER}:${DB_PASS}@127.0.0.1:${PORT}/${DB_NAME}"; }

find_bin() { # first existing command among the arguments
  local b
  for b in "$@"; do
    if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
  done
  return 1
}

ensure_installed() {
  if find_bin mariadbd mysqld >/dev/null && find_bin mariadb-install-db mysql_install_db >/dev/null \
     && find_bin mariadb-admin mysqladmin >/dev/null && find_bin mariadb mysql >/dev/null; then
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "MariaDB is not installed and we are not root: run 'apt-get install mariadb-server' first"
  log "MariaDB not installed: installing mariadb-server with apt-get (takes ~20-60 s)..."
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server >&2
  find_bin mariadbd mysqld >/dev/null || die "mariadbd still not found after apt-get install"
}

bins() {
  MARIADBD="$(find_bin mariadbd mysqld)"
  INSTALL_DB="$(find_bin mariadb-install-db mysql_install_db)"
  ADMIN="$(find_bin mariadb-admin mysqladmin)"
  CLIENT="$(find_bin mariadb mysql)"
}

# Resolve the test dir: explicit argument, else the one recorded by `start`.
resolve_dir() {
  local d="${1:-}"
  if [[ -z "$d" && -f "$STATE_FILE" ]]; then d="$(cat "$STATE_FILE")"; fi
  [[ -n "$d" ]] || return 1
  # absolute path (the dir may not exist any more)
  if [[ -d "$d" ]]; then d="$(cd "$d" && pwd -P)"; fi
  echo "$d"
}

sock() { echo "$1/mysqld.sock"; }

ping_dir() { # server of DIR answers over its socket
  local dir="$1"
  [[ -S "$(sock "$dir")" ]] || return 1
  "$ADMIN" --no-defaults --socket="$(sock "$dir")" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

ping_tcp() {
  "$ADMIN" --no-defaults --protocol=TCP -h127.0.0.1 -P"$PORT" -u"$DB_USER" -p"$DB_PASS" \
    --connect-timeout=2 ping >/dev/null 2>&1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

server_pid() { # pid from pid file if that process is alive
  local dir="$1" pid
  [[ -f "$dir/mysqld.pid" ]] || return 1
  pid="$(cat "$dir/mysqld.pid" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  echo "$pid"
}

pid_alive() { # a live (non-zombie) process with this pid; with 2nd arg "any", any command name
  local pid="$1" any="${2:-}" state comm
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/stat" ]]; then
    state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ "$state" != "Z" && "$state" != "X" ]] || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [[ -n "$any" || -z "$comm" || "$comm" == mariadbd || "$comm" == mysqld ]] || return 1
  fi
  return 0
}

sql_root() { "$CLIENT" --no-defaults --socket="$(sock "$1")" -uroot; }

init_datadir() {
  local dir="$1"
  if [[ -d "$dir/data/mysql" ]]; then return 0; fi
  log "initialising data directory $dir/data"
  mkdir -p "$dir/data"
  local user_opt=()
  [[ $EUID -eq 0 ]] && user_opt=(--user=root)
  if ! "$INSTALL_DB" --no-defaults "${user_opt[@]}" --basedir=/usr --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$dir/install-db.log" 2>&1; then
    tail -n 40 "$dir/install-db.log" >&2 || true
    die "mariadb-install-db failed (log: $dir/install-db.log)"
  fi
}

start_mariadbd() {
  local dir="$1" pid i
  if ping_dir "$dir"; then log "server already running (dir $dir)"; return 0; fi
  if pid="$(server_pid "$dir")"; then
    # maybe still starting up or dying: give it a few seconds
    for ((i = 0; i < 20; i++)); do
      sleep 0.5
      if ping_dir "$dir"; then log "server already running (dir $dir)"; return 0; fi
      server_pid "$dir" >/dev/null || break
    done
    if pid="$(server_pid "$dir")"; then
      die "mariadbd (pid $pid) of $dir is running but does not answer; run '$0 stop-server' first"
    fi
  fi
  if port_in_use; then
    die "port $PORT on 127.0.0.1 is already in use by another process; set MARIADB_TEST_PORT"
  fi
  rm -f "$dir/mysqld.pid" "$(sock "$dir")"
  local user_opt=()
  [[ $EUID -eq 0 ]] && user_opt=(--user=root)
  log "starting mariadbd on 127.0.0.1:$PORT (log: $dir/mysqld.log)"
  # setsid + nohup: the server outlives this script and its process group.
  setsid nohup "$MARIADBD" --no-defaults "${user_opt[@]}" \
    --basedir=/usr \
    --datadir="$dir/data" \
    --bind-address=127.0.0.1 --port="$PORT" \
    --socket="$(sock "$dir")" --pid-file="$dir/mysqld.pid" \
    --log-error="$dir/mysqld.log" \
    --tmpdir="$dir/tmp" \
    --skip-name-resolve \
    --default-time-zone=+00:00 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >>"$dir/mysqld.out" 2>&1 &
  local bgpid=$!
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    if ping_dir "$dir"; then log "server is up (pid $(server_pid "$dir" || echo "$bgpid"))"; return 0; fi
    if ! pid_alive "$bgpid" any; then break; fi
    sleep 0.5
  done
  if pid_alive "$bgpid" any; then
    log "mariadbd did not answer within ${START_TIMEOUT}s; last lines of $dir/mysqld.log:"
  else
    log "mariadbd exited during startup; last lines of $dir/mysqld.log:"
  fi
  tail -n 40 "$dir/mysqld.log" >&2 2>/dev/null || true
  tail -n 20 "$dir/mysqld.out" >&2 2>/dev/null || true
  kill "$bgpid" 2>/dev/null || true
  die "mariadbd failed to start (dir $dir kept for inspection; '$0 stop' removes it)"
}

stop_mariadbd() { # returns 0 when no server of DIR is running any more
  local dir="$1" pid i
  pid="$(server_pid "$dir" || true)"
  if [[ -z "$pid" ]] && ! ping_dir "$dir"; then log "server not running (dir $dir)"; return 0; fi
  log "shutting down mariadbd${pid:+ (pid $pid)}"
  if ! "$ADMIN" --no-defaults --socket="$(sock "$dir")" -uroot --connect-timeout=5 shutdown >/dev/null 2>&1; then
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  fi
  [[ -n "$pid" ]] || pid="$(server_pid "$dir" || true)"
  if [[ -n "$pid" ]]; then
    for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
      pid_alive "$pid" || break
      sleep 0.5
    done
    if pid_alive "$pid"; then
      log "mariadbd did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  rm -f "$dir/mysqld.pid"
  log "server stopped"
}

setup_db() {
  local dir="$1"
  sql_root "$dir" <<SQL
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASS}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASS}';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\`.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\\_%\`.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
GRANT CREATE, DROP ON *.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
-- A user that may not create routines (test/refresh-procedure.e2e-spec.ts): tables only.
CREATE USER IF NOT EXISTS '${LIMITED_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASS}';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, REFERENCES, LOCK TABLES,
  CREATE TEMPORARY TABLES ON \`${DB_NAME}\\_%\`.* TO '${LIMITED_USER}'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

cmd_start() {
  local dir created=0
  ensure_installed
  bins
  if dir="$(resolve_dir "${1:-}")"; then
    if [[ ! -d "$dir" ]]; then
      [[ -n "${1:-}" ]] || { log "recorded dir $dir is gone, starting fresh"; dir=""; }
    fi
  else
    dir=""
  fi
  # Fail early (before creating anything) if a foreign process holds our port.
  if { [[ -z "$dir" ]] || ! ping_dir "$dir"; } && port_in_use; then
    die "port $PORT on 127.0.0.1 is already in use by another process; set MARIADB_TEST_PORT"
  fi
  if [[ -z "$dir" ]]; then
    dir="$(mktemp -d /tmp/mariadb-test.XXXXXX)"
    created=1
  elif [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd -P)"
    created=1
  fi
  # Refuse to take over another running test server (e.g. a different DIR on our port).
  if [[ -f "$STATE_FILE" ]]; then
    local other; other="$(cat "$STATE_FILE")"
    if [[ "$other" != "$dir" && -d "$other" ]] && ping_dir "$other"; then
      die "another test server is running from $other; run '$0 stop' first"
    fi
  fi
  [[ $created -eq 1 ]] && touch "$dir/$CREATED_MARKER"
  mkdir -p "$dir/tmp"
  echo "$dir" >"$STATE_FILE"
  init_datadir "$dir"
  start_mariadbd "$dir"
  setup_db "$dir"
  ping_tcp || die "server runs but ${DB_USER}@127.0.0.1:$PORT cannot connect"
  log "ready: dir $dir, port $PORT"
  echo "MARIADB_TEST_DIR=$dir"
  url
}

cmd_stop() {
  local dir
  bins_if_present || { log "MariaDB not installed; nothing to stop"; rm -f "$STATE_FILE"; return 0; }
  if ! dir="$(resolve_dir "${1:-}")"; then log "no test server recorded; nothing to stop"; return 0; fi
  if [[ -d "$dir" ]]; then
    stop_mariadbd "$dir"
    if [[ -f "$dir/$CREATED_MARKER" ]]; then
      rm -rf -- "$dir"
      log "removed $dir"
    else
      log "kept $dir (not created by start)"
    fi
  else
    log "dir $dir does not exist"
  fi
  if [[ -f "$STATE_FILE" && "$(cat "$STATE_FILE")" == "$dir" ]]; then rm -f "$STATE_FILE"; fi
}

cmd_stop_server() {
  local dir
  bins
  dir="$(resolve_dir "${1:-}")" || die "no test server recorded (run start first)"
  [[ -d "$dir" ]] || die "dir $dir does not exist"
  stop_mariadbd "$dir"
}

cmd_start_server() {
  local dir
  bins
  dir="$(resolve_dir "${1:-}")" || die "no test server recorded (run start first)"
  [[ -d "$dir/data/mysql" ]] || die "$dir has no initialised data directory (run start first)"
  mkdir -p "$dir/tmp"
  start_mariadbd "$dir"
  url
}

cmd_status() {
  local dir
  bins_if_present || { log "MariaDB not installed"; exit 1; }
  if dir="$(resolve_dir "${1:-}")" && ping_dir "$dir"; then log "running (dir $dir, port $PORT)"; exit 0; fi
  if ping_tcp; then log "a server answers on 127.0.0.1:$PORT"; exit 0; fi
  log "not running"
  exit 1
}

bins_if_present() {
  find_bin mariadb-admin mysqladmin >/dev/null && find_bin mariadb mysql >/dev/null || return 1
  ADMIN="$(find_bin mariadb-admin mysqladmin)"
  CLIENT="$(find_bin mariadb mysql)"
  MARIADBD="$(find_bin mariadbd mysqld || true)"
  INSTALL_DB="$(find_bin mariadb-install-db mysql_install_db || true)"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  stop-server) shift; cmd_stop_server "$@" ;;
  start-server) shift; cmd_start_server "$@" ;;
  url) url ;;
  *)
    echo "usage: $0 {start [DIR]|stop [DIR]|status [DIR]|stop-server [DIR]|start-server [DIR]|url}" >&2
    exit 2
    ;;
esac
