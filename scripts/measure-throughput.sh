#!/usr/bin/env bash
# TCP throughput, measured in one run on the same three namespaces:
#   bare veth path | dsmip6 over UDP 4191 (F flag: IPv6 in UDP in IPv4) | dsmip6 IPv6-in-IPv4
#   | dsmip6 IPv6-in-IPv6 | OpenVPN 2.6 cleartext p2p over the same veth (platform.md's command).
# With ROUNDS > 1 every path is measured once per round, rounds one after the other (so each
# ratio compares paths measured close in time), and the median of each path and of each
# round's dsmip6/OpenVPN ratio is reported.
# Needs root, iperf3, openvpn; builds nothing (run `npm run build` first). Namespaces are named
# <prefix><pid>-* (prefix dsm- unless DSMIP6_TPUT_PREFIX is set) and removed on exit, whatever
# happens; only processes this script started (by pid) are stopped.
# TPUT_RETRANSMITS=1 also prints each transfer's TCP retransmissions (stderr).
# Usage: scripts/measure-throughput.sh [SECONDS] [ROUNDS]
set -euo pipefail
SECS=${1:-5}
ROUNDS=${2:-1}
P=${DSMIP6_TPUT_PREFIX:-dsm-}$$-
HA=${P}ha MN=${P}mn HOME=${P}home
DIR=$(mktemp -d /tmp/dsmip6-tput-XXXXXX)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Every background process started here is recorded in $DIR/pids (`ip netns exec` execs, so the
# pid is the program's; openvpn writes its own pid files). A pid is only signalled while it still
# lives in one of this run's namespaces, so a recycled pid is never hit.
started() { echo "$1" >> "$DIR/pids"; }
stop() { # signal pid...
  local sig=$1; shift
  for p in "$@"; do
    ip netns identify "$p" 2>/dev/null | grep -q "^$P" && kill "-$sig" "$p" 2>/dev/null || true
  done
}
ours() { cat "$DIR/pids" "$DIR"/*.pid 2>/dev/null || true; }
cleanup() {
  # shellcheck disable=SC2046
  stop TERM $(ours)
  sleep 1
  # shellcheck disable=SC2046
  stop KILL $(ours)
  for n in $HA $MN $HOME; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
for n in $HA $MN $HOME; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add home0 netns "$HA" type veth peer name hl0 netns "$HOME"
ip link add inet0 netns "$HA" type veth peer name eth0 netns "$MN"
ip -n "$HA" addr add 2001:db8:1::1/64 dev home0 nodad; ip -n "$HA" addr add 192.0.2.1/24 dev home0
ip -n "$HA" addr add 2001:db8:20::1/64 dev inet0 nodad; ip -n "$HA" addr add 198.51.100.1/24 dev inet0
ip -n "$MN" addr add 198.51.100.5/24 dev eth0; ip -n "$MN" addr add 2001:db8:20::5/64 dev eth0 nodad
for l in "$HA home0" "$HA inet0" "$MN eth0" "$HOME hl0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$MN" route add default via 198.51.100.1

iperf() { # namespace-of-server server-address namespace-of-client
  ip netns exec "$1" iperf3 -s -1 -p 5201 -B "$2" >/dev/null 2>&1 &
  started $!
  sleep 0.5
  ip netns exec "$3" iperf3 -c "$2" -p 5201 -t "$SECS" -J | node -e '
    let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      let j; try { j = JSON.parse(s); } catch { j = {}; }
      const bps = j.end?.sum_received?.bits_per_second;
      if (bps === undefined) console.error("iperf3 failed: " + (j.error ?? s.slice(0, 200)));
      if (process.env.TPUT_RETRANSMITS) console.error("  TCP retransmits: " + j.end?.sum_sent?.retransmits);
      console.log(((bps ?? 0) / 1e6).toFixed(0)); });'
  wait
}

write_conf() { # forceUdp(yes/no)
  cat > "$DIR/ha.conf" <<C
NodeConfig HA;
Interface "home0";
HaAcceptDsmip6 enabled;
DefaultBindingAclPolicy allow;
ControlSocket "$DIR/ha.sock";
StateDirectory "$DIR/ha-state";
TunnelMtu 1400;
C
  cat > "$DIR/mn.conf" <<C
NodeConfig MN;
MnUseDsmip6 enabled;
$( [ "$1" = yes ] && echo 'MnForceUdp enabled;' )
Interface "eth0";
MnHomeLink "eth0" { HomeAgentAddress 2001:db8:1::1; HomeAgentV4Address 192.0.2.1; HomeAddress 2001:db8:1::100/64; }
ControlSocket "$DIR/mn.sock";
StateDirectory "$DIR/mn-state";
TunnelMtu 1400;
C
}

# CPU time (user + system, clock ticks) a process has used so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Measures `iperf ARGS` and appends "NAME MBPS SENDER_TICKS RECEIVER_TICKS" (the tunnel ends'
# CPU during the transfer) to $DIR/cpu. Usage: measured NAME SENDER_PID RECEIVER_PID ARGS...
measured() {
  local name=$1 s=$2 r=$3; shift 3
  local s0 r0 mbps; s0=$(ticks "$s"); r0=$(ticks "$r")
  mbps=$(iperf "$@")
  echo "$name $mbps $(( $(ticks "$s") - s0 )) $(( $(ticks "$r") - r0 ))" >> "$DIR/cpu"
  echo "$mbps"
}

# DSMIP6D_NODE_ARGS: extra node options for both daemons (e.g. --cpu-prof --cpu-prof-dir=DIR).
dsmip6() { # name, forceUdp, ipv6-coa
  local name=$1; shift
  write_conf "$1"
  if [ "$2" = yes ]; then ip -n "$MN" -6 route add default via 2001:db8:20::1 dev eth0; fi
  # shellcheck disable=SC2086
  ip netns exec "$HA" node ${DSMIP6D_NODE_ARGS:-} "$ROOT/dist/src/cli/dsmip6d.js" -c "$DIR/ha.conf" \
    >"$DIR/ha.log" 2>&1 &
  local ha=$!
  sleep 1
  # shellcheck disable=SC2086
  ip netns exec "$MN" node ${DSMIP6D_NODE_ARGS:-} "$ROOT/dist/src/cli/dsmip6d.js" -c "$DIR/mn.conf" \
    >"$DIR/mn.log" 2>&1 &
  local mn=$!
  started "$ha"; started "$mn"
  # Registration can take seconds on a loaded machine; measuring before it is a "No route to host".
  local ok=no
  for _ in $(seq 150); do grep -q registered "$DIR/mn.log" && ok=yes && break; sleep 0.2; done
  [ "$ok" = yes ] || echo "$name: the mobile node did not register within 30 s" >&2
  local r; r=$(measured "$name" "$ha" "$mn" "$MN" 2001:db8:1::100 "$HA")
  stop TERM "$mn" "$ha"
  for _ in $(seq 30); do kill -0 "$mn" 2>/dev/null || kill -0 "$ha" 2>/dev/null || break; sleep 0.2; done
  if [ "$2" = yes ]; then ip -n "$MN" -6 route del default via 2001:db8:20::1 dev eth0; fi
  echo "$r"
}

# OPENVPN_BUFFER=BYTES gives OpenVPN the socket buffers the daemons use (--rcvbuf/--sndbuf).
OVPN_BUFFERS=${OPENVPN_BUFFER:+--rcvbuf $OPENVPN_BUFFER --sndbuf $OPENVPN_BUFFER}
# shellcheck disable=SC2086
ip netns exec "$HA" openvpn --dev ${P}ova --dev-type tun --proto udp4 --local 198.51.100.1 --lport 1194 \
  --remote 198.51.100.5 1194 --ifconfig 10.252.0.1 10.252.0.2 --tun-mtu 1400 --verb 0 --daemon \
  --writepid "$DIR/ova.pid" $OVPN_BUFFERS
# shellcheck disable=SC2086
ip netns exec "$MN" openvpn --dev ${P}ovb --dev-type tun --proto udp4 --local 198.51.100.5 --lport 1194 \
  --remote 198.51.100.1 1194 --ifconfig 10.252.0.2 10.252.0.1 --tun-mtu 1400 --verb 0 --daemon \
  --writepid "$DIR/ovb.pid" $OVPN_BUFFERS
sleep 2

# One line per round: bare udp ip4 ip6 ovpn (Mbit/s).
for round in $(seq "$ROUNDS"); do
  bare=$(iperf "$MN" 198.51.100.5 "$HA")
  udp=$(dsmip6 udp yes no)
  ip4=$(dsmip6 ip4 no no)
  ip6=$(dsmip6 ip6 no yes)
  ovpn=$(measured ovpn "$(cat "$DIR/ova.pid")" "$(cat "$DIR/ovb.pid")" "$MN" 10.252.0.2 "$HA")
  echo "$bare $udp $ip4 $ip6 $ovpn" >> "$DIR/rounds"
  echo "round $round/$ROUNDS: bare $bare, UDP $udp, IPv6-in-IPv4 $ip4, IPv6-in-IPv6 $ip6, OpenVPN $ovpn" >&2
done

echo "TCP throughput over ${SECS}s each, HA namespace -> MN namespace, $ROUNDS round(s) (Mbit/s):"
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")
    .map((l) => l.split(" ").map(Number));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const names = ["bare veth", "dsmip6 IPv6-in-UDP-in-IPv4 (F)", "dsmip6 IPv6-in-IPv4",
    "dsmip6 IPv6-in-IPv6", "OpenVPN 2.6 cleartext (UDP)"];
  names.forEach((n, i) => console.log("  " + n.padEnd(34) + String(median(rows.map((r) => r[i]))).padStart(6)
    + (rows.length > 1 ? "   (" + rows.map((r) => r[i]).join(", ") + ")" : "")));
  const ratio = (i) => rows.map((r) => r[i] / r[4]);
  for (const [i, n] of [[1, "UDP"], [2, "IPv6-in-IPv4"], [3, "IPv6-in-IPv6"]]) {
    console.log("  median " + n + " / OpenVPN = " + median(ratio(i)).toFixed(2)
      + "   (" + ratio(i).map((x) => x.toFixed(2)).join(", ") + ")");
  }' "$DIR/rounds"
echo "CPU of the tunnel ends per 100 MB carried (ms, median; sender HA side / receiver MN side):"
node -e '
  const [file, secs, hz] = process.argv.slice(1);
  const rows = require("fs").readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(" "));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  for (const name of ["udp", "ip4", "ip6", "ovpn"]) {
    const mine = rows.filter((r) => r[0] === name && Number(r[1]) > 0);
    const per = (k) => median(mine.map((r) => Number(r[k]) * 1000 / hz / (Number(r[1]) * secs / 8 / 100)));
    if (mine.length) console.log("  " + name.padEnd(5) + per(2).toFixed(0).padStart(6) + " /" + per(3).toFixed(0).padStart(6));
  }' "$DIR/cpu" "$SECS" "$(getconf CLK_TCK)"
