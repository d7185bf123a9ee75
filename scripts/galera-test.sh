#!/usr/bin/env bash
# Throwaway three-node MariaDB Galera cluster on 127.0.0.1 for tests (no Docker, no systemd).
#
# Usage:
#   scripts/galera-test.sh start          install (if needed), bootstrap node 1, join 2 and 3,
#                                         wait until wsrep_cluster_size=3 and all are Synced;
#                                         prints GALERA_TEST_DIR=…, then one
#                                         NODE<n>_URL=mysql://auth:auth@127.0.0.1:<port>/auth_test
#                                         line per node, then (last) DATABASE_URL with all three
#   scripts/galera-test.sh stop           shut all nodes down, remove the directory
#   scripts/galera-test.sh kill N         SIGKILL node N (1-3): a crash, no clean shutdown
#   scripts/galera-test.sh restart N      start node N again (after kill or stop-node): it
#                                         rejoins the running cluster (IST from a peer's
#                                         gcache, or SST with rsync when that is too old);
#                                         prints STATE_TRANSFER=IST|SST|none
#   scripts/galera-test.sh stop-node N    clean shutdown of node N
#   scripts/galera-test.sh status         one line per node: state, cluster size; exit 0 if all
#                                         three are Synced in one cluster of 3
#   scripts/galera-test.sh urls           print the URL lines again
#
# Environment:
#   GALERA_TEST_BASE_PORT  base of the ports (default 24400): node N uses SQL base+N,
#                          replication base+10+N, IST base+20+N, SST base+30+N. Keep them
#                          below the ephemeral range (net.ipv4.ip_local_port_range, usually
#                          from 32768): a port there that nothing listens on for a while (a
#                          killed node's, or the IST and SST ports between transfers) can be
#                          taken by any outgoing connection as its source port, and the node
#                          then fails to bind it on restart ("IST will be unavailable").
#   GALERA_TEST_STATE      file recording the cluster's directory (default /tmp/galera-test.dir)
#
# How (checked on Debian 12, MariaDB 10.11, galera-4 26.4): every mariadbd runs with
# --no-defaults as the `mysql` user (the rsync SST daemon cannot write as root), with its
# socket, pid and log files outside its data directory (SST replaces the data directory);
# only node 1 gets mariadb-install-db, the others receive everything by SST.
# After a SIGKILL grastate.dat says seqno -1: like mysqld_safe, `restart` first runs
# `mariadbd --wsrep-recover` to read the last committed position from InnoDB and starts the
# node with --wsrep-start-position, so that it asks for IST instead of a full SST.
# `start` over a recorded cluster reuses it when all three nodes are Synced, and otherwise
# (a crashed run left it half dead) stops what is left of it and starts a new one.
set -euo pipefail

BASE="${GALERA_TEST_BASE_PORT:-24400}"
STATE_FILE="${GALERA_TEST_STATE:-/tmp/galera-test.dir}"
DB_NAME=auth_test
DB_USER=auth
DB_PASS=auth
CLUSTER_NAME=auth-galera-test
START_TIMEOUT=120
STOP_TIMEOUT=60
NODES=(1 2 3)

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "galera-test: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sql_port() { echo $((BASE + $1)); }
repl_port() { echo $((BASE + 10 + $1)); }
ist_port() { echo $((BASE + 20 + $1)); }
sst_port() { echo $((BASE + 30 + $1)); }

find_bin() {
  local b
  for b in "$@"; do
    if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
  done
  return 1
}

provider() {
  local p
  for p in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so; do
    [[ -f "$p" ]] && { echo "$p"; return 0; }
  done
  return 1
}

ensure_installed() {
  # wsrep_sst_rsync needs rsync, and ss (iproute2) to see its daemon listen.
  if find_bin mariadbd >/dev/null && find_bin mariadb-install-db >/dev/null && provider >/dev/null \
     && find_bin rsync >/dev/null && find_bin ss >/dev/null; then
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "MariaDB/galera-4/rsync missing and we are not root: apt-get install mariadb-server galera-4 rsync iproute2"
  log "installing mariadb-server galera-4 rsync iproute2 with apt-get…"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server galera-4 rsync iproute2 >&2
  provider >/dev/null || die "libgalera_smm.so still not found after apt-get install"
}

bins() {
  MARIADBD="$(find_bin mariadbd)"
  INSTALL_DB="$(find_bin mariadb-install-db)"
  ADMIN="$(find_bin mariadb-admin)"
  CLIENT="$(find_bin mariadb)"
  PROVIDER="$(provider)"
}

dir_or_die() {
  [[ -f "$STATE_FILE" ]] || die "no cluster recorded in $STATE_FILE (run start first)"
  DIR="$(cat "$STATE_FILE")"
  [[ -d "$DIR" ]] || die "recorded directory $DIR is gone (run start)"
}

sock() { echo "$DIR/run/node$1.sock"; }
pidfile() { echo "$DIR/run/node$1.pid"; }
errlog() { echo "$DIR/log/node$1.err"; }

sql() { "$CLIENT" --no-defaults --socket="$(sock "$1")" -uroot -N -B -e "$2" 2>/dev/null; }

status_var() { sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | awk '{print $2}'; }

# PID runs (a zombie, killed but not yet reaped, does not).
running() {
  [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  [[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]]
}

# PID is a running mariadbd.
alive() {
  running "$1" && [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == mariadbd ]]
}

# The pid of node N's mariadbd, from its pid file (written once InnoDB is up, so not during
# an SST: `launch` keeps the pid it started in LAUNCHED_PID for that time).
node_pid() {
  local pid
  [[ -f "$(pidfile "$1")" ]] || return 1
  pid="$(cat "$(pidfile "$1")" 2>/dev/null || true)"
  alive "$pid" || return 1
  echo "$pid"
}

cluster_address() {
  local n addrs=()
  for n in "${NODES[@]}"; do addrs+=("127.0.0.1:$(repl_port "$n")"); done
  local IFS=,
  echo "gcomm://${addrs[*]}"
}

# The options of node N's mariadbd (into the array NODE_ARGS).
node_args() {
  local n="$1"
  NODE_ARGS=(
    --no-defaults --user=mysql
    --basedir=/usr --datadir="$DIR/node$n"
    --bind-address=127.0.0.1 --port="$(sql_port "$n")"
    --socket="$(sock "$n")" --pid-file="$(pidfile "$n")" --log-error="$(errlog "$n")"
    --tmpdir="$DIR/tmp" --skip-name-resolve
    --default-time-zone=+00:00
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2
    --binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2
    --wsrep-on=ON --wsrep-provider="$PROVIDER"
    --wsrep-cluster-name="$CLUSTER_NAME" --wsrep-cluster-address="$(cluster_address)"
    --wsrep-node-name="node$n" --wsrep-node-address="127.0.0.1:$(repl_port "$n")"
    --wsrep-node-incoming-address="127.0.0.1:$(sql_port "$n")"
    --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$(repl_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=256M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S"
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$(sst_port "$n")"
    --wsrep-slave-threads=2
  )
}

# After a crash grastate.dat holds seqno -1 and the node would ask for a full SST: read the
# last committed position from InnoDB with --wsrep-recover (what mysqld_safe and Debian's
# galera_recovery do) into START_POSITION. Empty when the node shut down cleanly.
recover_position() {
  local n="$1" grastate="$DIR/node$1/grastate.dat" seqno rlog
  START_POSITION=""
  [[ -f "$grastate" ]] || return 0
  seqno="$(awk '/^seqno:/ {print $2}' "$grastate")"
  [[ "$seqno" == "-1" ]] || return 0
  rlog="$DIR/log/node$n.recover.err"
  rm -f "$rlog"
  node_args "$n"
  log "node $n: grastate.dat says seqno -1 (not shut down cleanly): mariadbd --wsrep-recover"
  "$MARIADBD" "${NODE_ARGS[@]}" --wsrep-recover --skip-networking \
    --log-error="$rlog" --pid-file="$DIR/run/node$n.recover.pid" \
    --socket="$DIR/run/node$n.recover.sock" </dev/null >>"$DIR/log/node$n.out" 2>&1 || true
  rm -f "$DIR/run/node$n.recover.pid" "$DIR/run/node$n.recover.sock"
  START_POSITION="$(sed -n 's/.*WSREP: Recovered position: *//p' "$rlog" 2>/dev/null | tail -n 1)"
  if [[ -n "$START_POSITION" ]]; then
    log "node $n: recovered position $START_POSITION"
  else
    log "node $n: no position recovered (see $rlog): it will need a full SST"
  fi
}

# Starts node N; with "bootstrap" it forms a new cluster (node 1 on `start`).
launch() {
  local n="$1" bootstrap="${2:-}" extra=()
  LAUNCHED_PID=""
  node_pid "$n" >/dev/null && { log "node $n already running"; return 0; }
  if [[ "$bootstrap" == bootstrap ]]; then
    extra=(--wsrep-new-cluster)
  else
    recover_position "$n"
    [[ -n "$START_POSITION" ]] && extra=(--wsrep-start-position="$START_POSITION")
  fi
  rm -f "$(sock "$n")" "$(pidfile "$n")"
  node_args "$n"
  log "starting node $n on 127.0.0.1:$(sql_port "$n")${bootstrap:+ (bootstrap)}"
  setsid nohup "$MARIADBD" "${NODE_ARGS[@]}" "${extra[@]}" \
    </dev/null >>"$DIR/log/node$n.out" 2>&1 &
  LAUNCHED_PID=$!
}

# Waits until node N is Synced and wsrep_ready (it serves queries).
wait_synced() {
  local n="$1" i state ready
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    state="$(status_var "$n" wsrep_local_state_comment || true)"
    ready="$(status_var "$n" wsrep_ready || true)"
    if [[ "$state" == Synced && "$ready" == ON ]]; then
      log "node $n Synced (cluster size $(status_var "$n" wsrep_cluster_size))"
      return 0
    fi
    # The process `launch` started (setsid and nohup exec into mariadbd) or the pid file's.
    if ! running "${LAUNCHED_PID:-}" && ! node_pid "$n" >/dev/null; then break; fi
    sleep 0.5
  done
  tail -n 40 "$(errlog "$n")" >&2 2>/dev/null || true
  die "node $n did not reach Synced within ${START_TIMEOUT}s (log: $(errlog "$n"))"
}

wait_size() {
  local want="$1" i n size
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    local ok=1
    for n in "${NODES[@]}"; do
      size="$(status_var "$n" wsrep_cluster_size || true)"
      [[ "$size" == "$want" && "$(status_var "$n" wsrep_local_state_comment || true)" == Synced ]] || ok=0
    done
    ((ok)) && { log "cluster of $want, every node Synced"; return 0; }
    sleep 0.5
  done
  die "the cluster did not reach $want Synced nodes within ${START_TIMEOUT}s"
}

setup_db() {
  sql 1 "
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASS}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASS}';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\`.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\\_%\`.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
GRANT CREATE, DROP ON *.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';
GRANT PROCESS ON *.* TO '${DB_USER}'@'127.0.0.1', '${DB_USER}'@'localhost';" ||
    die "could not create the database and user on node 1"
}

urls() {
  local n hosts=()
  for n in "${NODES[@]}"; do
    echo "NODE${n}_URL=mysql://${DB_USER}:${DB_PASS}@127.0.0.1:$(sql_port "$n")/${DB_NAME}"
    hosts+=("127.0.0.1:$(sql_port "$n")")
  done
  local IFS=,
  echo "DATABASE_URL=mysql://${DB_USER}:${DB_PASS}@${hosts[*]}/${DB_NAME}"
}

cmd_start() {
  ensure_installed
  bins
  id mysql >/dev/null 2>&1 || die "no mysql user (the mariadb-server package creates it)"
  if [[ -f "$STATE_FILE" ]]; then
    DIR="$(cat "$STATE_FILE")"
    if [[ -d "$DIR" ]] && (cmd_status) >/dev/null 2>&1; then
      log "the cluster recorded in $DIR is running, all three Synced: reusing it"
      echo "GALERA_TEST_DIR=$DIR"
      urls
      return 0
    fi
    log "a cluster recorded in ${DIR:-$STATE_FILE} is not healthy (a crashed run?): removing it"
    cmd_stop
  fi
  local n port low high
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=""
  if [[ -n "$low" ]] && ((BASE + 40 >= low && BASE <= high)); then
    log "WARNING: ports $((BASE + 1))-$((BASE + 33)) overlap the ephemeral range $low-$high:" \
      "a restarted node may find its port taken; set GALERA_TEST_BASE_PORT below $((low - 40))"
  fi
  for n in "${NODES[@]}"; do
    for port in "$(sql_port "$n")" "$(repl_port "$n")" "$(ist_port "$n")" "$(sst_port "$n")"; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use; set GALERA_TEST_BASE_PORT"
      fi
    done
  done
  DIR="$(mktemp -d /tmp/galera-test.XXXXXX)"
  echo "$DIR" >"$STATE_FILE"
  mkdir -p "$DIR"/{run,log,tmp} "$DIR"/node{1,2,3}
  chown -R mysql:mysql "$DIR"
  chmod 755 "$DIR"
  log "initialising node 1 in $DIR/node1"
  if ! "$INSTALL_DB" --no-defaults --user=mysql --basedir=/usr --datadir="$DIR/node1" \
      --auth-root-authentication-method=socket --skip-test-db >"$DIR/log/install-db.log" 2>&1; then
    tail -n 30 "$DIR/log/install-db.log" >&2
    die "mariadb-install-db failed"
  fi
  launch 1 bootstrap
  wait_synced 1
  setup_db
  # One at a time: an rsync donor serves one joiner.
  for n in 2 3; do
    launch "$n"
    wait_synced "$n"
  done
  wait_size 3
  log "ready: $DIR"
  echo "GALERA_TEST_DIR=$DIR"
  urls
}

stop_node() {
  local n="$1" pid i
  pid="$(node_pid "$n" || true)"
  [[ -n "$pid" ]] || { log "node $n not running"; return 0; }
  "$ADMIN" --no-defaults --socket="$(sock "$n")" -uroot --connect-timeout=5 shutdown >/dev/null 2>&1 ||
    kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "node $n stopped"; return 0; }
    sleep 0.5
  done
  log "node $n did not exit within ${STOP_TIMEOUT}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  [[ -f "$STATE_FILE" ]] || { log "no cluster recorded; nothing to stop"; return 0; }
  DIR="$(cat "$STATE_FILE")"
  if [[ -d "$DIR" ]]; then
    bins
    local n
    # The last node to stop holds the newest state; order does not matter for a throwaway.
    for n in 3 2 1; do stop_node "$n"; done
    rm -rf -- "$DIR"
    log "removed $DIR"
  fi
  rm -f "$STATE_FILE"
}

node_arg() {
  [[ "${1:-}" =~ ^[123]$ ]] || die "node is 1, 2 or 3"
}

cmd_kill() {
  node_arg "${1:-}"
  dir_or_die
  local pid
  pid="$(node_pid "$1")" || die "node $1 is not running"
  kill -KILL "$pid"
  # Returns once the process is gone (unmapping the gcache takes a moment), so that a
  # `restart` right after it starts a new mariadbd instead of finding the dying one.
  local i
  for ((i = 0; i < 40; i++)); do
    node_pid "$1" >/dev/null || break
    sleep 0.25
  done
  log "node $1 (pid $pid) SIGKILLed"
}

cmd_restart() {
  node_arg "${1:-}"
  dir_or_die
  bins
  local before=0 log_file transfer=none
  log_file="$(errlog "$1")"
  [[ -f "$log_file" ]] && before="$(wc -c <"$log_file")"
  launch "$1"
  wait_synced "$1"
  # Only what this start logged. The joiner always runs the SST script (wsrep_sst_rsync
  # --role joiner); it copies the data directory only for an SST ("rsync SST completed",
  # IST receiver prepared from seqno 0), and with a known position it just hands over to
  # IST ("rsync IST completed", "Receiving IST: N writesets").
  local lines
  lines="$(tail -c +"$((before + 1))" "$log_file" 2>/dev/null || true)"
  if grep -q "rsync SST completed on joiner\|Prepared IST receiver for 0-" <<<"$lines"; then
    transfer=SST
  elif grep -q "rsync IST completed on joiner\|Receiving IST: [0-9]* writesets" <<<"$lines"; then
    transfer=IST
  fi
  grep -E "Local state|Prepared IST receiver|rsync (SST|IST) completed|Receiving IST: |IST received" \
    <<<"$lines" | sed 's/^/  /' | tail -n 6 >&2 || true
  log "node $1 rejoined by ${transfer}"
  echo "STATE_TRANSFER=$transfer"
}

cmd_stop_node() {
  node_arg "${1:-}"
  dir_or_die
  bins
  stop_node "$1"
}

cmd_status() {
  dir_or_die
  bins
  local n all=0 state size
  for n in "${NODES[@]}"; do
    if node_pid "$n" >/dev/null; then
      state="$(status_var "$n" wsrep_local_state_comment || echo '?')"
      size="$(status_var "$n" wsrep_cluster_size || echo '?')"
      echo "node $n: 127.0.0.1:$(sql_port "$n") ${state:-?}, cluster size ${size:-?}"
      [[ "$state" == Synced && "$size" == 3 ]] && all=$((all + 1))
    else
      echo "node $n: 127.0.0.1:$(sql_port "$n") down"
    fi
  done
  ((all == 3))
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  kill) shift; cmd_kill "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  stop-node) shift; cmd_stop_node "$@" ;;
  status) cmd_status ;;
  urls) dir_or_die; urls ;;
  *)
    echo "usage: $0 {start|stop|kill N|restart N|stop-node N|status|urls}" >&2
    exit 2
    ;;
esac
