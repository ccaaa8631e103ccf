#!/usr/bin/env bash
# TCP throughput, measured in one run on the same three namespaces:
#   bare veth path | dsmip6 over UDP 4191 (F flag: IPv6 in UDP in IPv4) | dsmip6 IPv6-in-IPv6
#   | OpenVPN 2.6 cleartext p2p over the same veth (platform.md's command).
# Needs root, iperf3, openvpn; builds nothing (run `npm run build` first). Namespaces are named
# dsm-<pid>-* and removed on exit, whatever happens. Usage: scripts/measure-throughput.sh [SECONDS]
set -euo pipefail
SECS=${1:-5}
P=dsm-$$-
HA=${P}ha MN=${P}mn HOME=${P}home
DIR=$(mktemp -d /tmp/dsmip6-tput-XXXXXX)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cleanup() {
  pkill -TERM -f "dsmip6d[.]js -c $DIR" 2>/dev/null || true
  pkill -KILL -f "openvpn --dev ${P}" 2>/dev/null || true
  pkill -KILL -f "iperf3 -s -1 -p 5201 -B" 2>/dev/null || true
  sleep 1
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
  sleep 0.5
  ip netns exec "$3" iperf3 -c "$2" -p 5201 -t "$SECS" -J | node -e '
    let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      const j = JSON.parse(s); console.log((j.end.sum_received.bits_per_second / 1e6).toFixed(0)); });'
  wait
}

bare=$(iperf "$MN" 198.51.100.5 "$HA")

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

dsmip6() { # forceUdp, ipv6-coa
  write_conf "$1"
  if [ "$2" = yes ]; then ip -n "$MN" -6 route add default via 2001:db8:20::1 dev eth0; fi
  ip netns exec "$HA" node "$ROOT/dist/src/cli/dsmip6d.js" -c "$DIR/ha.conf" >"$DIR/ha.log" 2>&1 &
  sleep 1
  ip netns exec "$MN" node "$ROOT/dist/src/cli/dsmip6d.js" -c "$DIR/mn.conf" >"$DIR/mn.log" 2>&1 &
  for _ in $(seq 50); do grep -q registered "$DIR/mn.log" && break; sleep 0.2; done
  local r; r=$(iperf "$MN" 2001:db8:1::100 "$HA")
  pkill -TERM -f "dsmip6d[.]js -c $DIR"; sleep 1.5
  if [ "$2" = yes ]; then ip -n "$MN" -6 route del default via 2001:db8:20::1 dev eth0; fi
  echo "$r"
}

udp=$(dsmip6 yes no)
ip6=$(dsmip6 no yes)

ip netns exec "$HA" openvpn --dev ${P}ova --dev-type tun --proto udp4 --local 198.51.100.1 --lport 1194 \
  --remote 198.51.100.5 1194 --ifconfig 10.252.0.1 10.252.0.2 --tun-mtu 1400 --verb 0 --daemon
ip netns exec "$MN" openvpn --dev ${P}ovb --dev-type tun --proto udp4 --local 198.51.100.5 --lport 1194 \
  --remote 198.51.100.1 1194 --ifconfig 10.252.0.2 10.252.0.1 --tun-mtu 1400 --verb 0 --daemon
sleep 2
ovpn=$(iperf "$MN" 10.252.0.2 "$HA")

echo "TCP throughput over ${SECS}s each, HA namespace -> MN namespace, one run (Mbit/s):"
echo "  bare veth                         $bare"
echo "  dsmip6 IPv6-in-UDP-in-IPv4 (F)    $udp"
echo "  dsmip6 IPv6-in-IPv6               $ip6"
echo "  OpenVPN 2.6 cleartext (UDP)       $ovpn"
node -e "console.log('  dsmip6 UDP / OpenVPN = ' + ($udp / $ovpn).toFixed(2) + ', IPv6-in-IPv6 / OpenVPN = ' + ($ip6 / $ovpn).toFixed(2))"
