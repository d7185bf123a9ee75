#!/usr/bin/env bash
# Throwaway Redis server for tests (no Docker, no systemd), modelled on scripts/mariadb-test.sh.
#
# Usage:
#   scripts/redis-test.sh start    install (if needed, with apt-get as root) and start
#                                  redis-server on 127.0.0.1 in a new temp dir; prints
#                                  REDIS_TEST_DIR=... then, as the last line,
#                                  REDIS_URL=redis://127.0.0.1:$PORT
#   scripts/redis-test.sh stop     shut the server down and remove its temp dir
#   scripts/redis-test.sh status   exit 0 if the server answers PING, else 1
#   scripts/redis-test.sh url      print the REDIS_URL line
#
# Environment:
#   REDIS_TEST_PORT   TCP port (default 36379), bound to 127.0.0.1 only
#   REDIS_TEST_STATE  file recording the test dir (default /tmp/redis-test.dir)
#
# The server keeps nothing on disk (--save '' --appendonly no) and reads no config file, so the
# Debian package's own service (port 6379, /etc/redis) is never used.
set -euo pipefail

PORT="${REDIS_TEST_PORT:-36379}"
STATE_FILE="${REDIS_TEST_STATE:-/tmp/redis-test.dir}"
START_TIMEOUT=20
STOP_TIMEOUT=20

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "redis-test: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

url() { echo "REDIS_URL=redis://127.0.0.1:${PORT}"; }

ensure_installed() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "Redis is not installed and we are not root: run 'apt-get install redis-server' first"
  log "Redis not installed: installing redis-server with apt-get..."
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server >&2; }
  apt_install || { apt-get update -q >&2 && apt_install; }
  command -v redis-server >/dev/null 2>&1 || die "redis-server still not found after apt-get install"
}

ping() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

recorded_dir() { [[ -f "$STATE_FILE" ]] && cat "$STATE_FILE"; }

server_pid() { # pid from the recorded dir's pid file, if that process is alive
  local dir="$1" pid
  [[ -f "$dir/redis.pid" ]] || return 1
  pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

cmd_start() {
  local dir i
  ensure_installed
  dir="$(recorded_dir || true)"
  if [[ -n "$dir" && -d "$dir" ]] && server_pid "$dir" >/dev/null && ping; then
    log "server already running (dir $dir)"
    echo "REDIS_TEST_DIR=$dir"
    url
    return 0
  fi
  port_in_use && die "port $PORT on 127.0.0.1 is already in use by another process; set REDIS_TEST_PORT"
  # A dir left by a server that is gone (killed, machine restarted): nothing in it to keep.
  if [[ "$dir" == /tmp/redis-test.* && -d "$dir" ]]; then rm -rf -- "$dir"; fi
  dir="$(mktemp -d /tmp/redis-test.XXXXXX)"
  echo "$dir" >"$STATE_FILE"
  log "starting redis-server on 127.0.0.1:$PORT (log: $dir/redis.log)"
  # --daemonize: the server outlives this script and its process group.
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$dir" \
    --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" </dev/null >&2
  for ((i = 0; i < START_TIMEOUT * 4; i++)); do
    if ping; then
      log "ready: dir $dir, port $PORT (pid $(server_pid "$dir" || echo '?'))"
      echo "REDIS_TEST_DIR=$dir"
      url
      return 0
    fi
    sleep 0.25
  done
  tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
  die "redis-server did not answer within ${START_TIMEOUT}s (dir $dir kept; '$0 stop' removes it)"
}

cmd_stop() {
  local dir pid i
  dir="$(recorded_dir || true)"
  [[ -n "$dir" ]] || { log "no test server recorded; nothing to stop"; return 0; }
  if pid="$(server_pid "$dir")"; then
    log "shutting down redis-server (pid $pid)"
    redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "redis-server did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "server not running (dir $dir)"
  fi
  if [[ "$dir" == /tmp/redis-test.* && -d "$dir" ]]; then
    rm -rf -- "$dir"
    log "removed $dir"
  fi
  rm -f "$STATE_FILE"
}

cmd_status() {
  if ping; then log "running on 127.0.0.1:$PORT (dir $(recorded_dir || echo 'not recorded'))"; exit 0; fi
  log "not running"
  exit 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) url ;;
  *)
    echo "usage: $0 {start|stop|status|url}" >&2
    exit 2
    ;;
esac
