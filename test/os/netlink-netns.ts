/**
 * Live-test helpers for the rtnetlink codec: a throwaway network namespace (`dst-<pid>-nl<n>`,
 * always deleted by `destroy`) and a NetlinkTransport backed by one python3 process per request
 * inside it (Python's socket.AF_NETLINK; NETLINK_EXT_ACK on, as the native transport may do).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import type { NetlinkTransport } from '../../src/os/netlink/rtnl.js';

/** Sends argv[1] (hex), prints every reply datagram (hex, one a line) up to its ACK or DONE. */
export const PY_REQUEST = `
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
s.setsockopt(270, 11, 1)
req = bytes.fromhex(sys.argv[1])
s.send(req)
seq = struct.unpack_from('<I', req, 8)[0]
done = False
while not done:
    d = s.recv(1 << 20)
    print(d.hex(), flush=True)
    o = 0
    while o + 16 <= len(d):
        l, t, f, q, p = struct.unpack_from('<IHHII', d, o)
        if l < 16:
            done = True
            break
        if q == seq and t in (2, 3):
            done = True
        o += (l + 3) & ~3
`;

/** Binds to the nl_groups bit mask argv[1]; prints each datagram (hex) until 1.5 s of silence. */
export const PY_LISTEN = `
import socket, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, int(sys.argv[1])))
print('ready', flush=True)
s.settimeout(1.5)
try:
    while True:
        print(s.recv(1 << 20).hex(), flush=True)
except socket.timeout:
    pass
`;

/** The python3 binary itself (not a version-manager shim), run with -S: it starts in ~10 ms. */
let python = 'python3';

/** Why live tests cannot run here, or undefined when they can. */
export function liveSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces and rtnetlink changes';
  try {
    python = execFileSync('python3', ['-c', 'import socket, sys; socket.AF_NETLINK; print(sys.executable)'],
      { encoding: 'utf8' }).trim();
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs python3 with AF_NETLINK and iproute2';
  }
  return undefined;
}

let counter = 0;

export class TestNetns {
  readonly name: string;

  constructor() {
    this.name = `dst-${process.pid}-nl${counter++}`;
    execFileSync('ip', ['netns', 'add', this.name]);
  }

  /** `ip -n NAME args...`, returning stdout. */
  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.name, ...args], { encoding: 'utf8' });
  }

  /** `ip -n NAME -json args...`, parsed. */
  ipJson<T = unknown>(...args: string[]): T {
    return JSON.parse(this.ip('-json', ...args) || '[]') as T;
  }

  transport(): NetlinkTransport {
    return {
      request: (message: Uint8Array): Uint8Array[] => {
        const out = execFileSync('ip', ['netns', 'exec', this.name, python, '-S', '-c', PY_REQUEST, toHex(message)],
          { encoding: 'utf8' });
        return out.split('\n').filter((l) => l !== '').map((h) => fromHex(h) as Uint8Array);
      },
    };
  }

  /** Starts a listener bound to `groups`; resolves once it is bound. */
  async listen(groups: number): Promise<{ child: ChildProcess; datagrams: Promise<Uint8Array[]> }> {
    const child = spawn('ip', ['netns', 'exec', this.name, python, '-S', '-c', PY_LISTEN, String(groups)]);
    let text = '';
    let readyResolve: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => { readyResolve = resolve; });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      if (text.startsWith('ready\n')) readyResolve();
    });
    const datagrams = new Promise<Uint8Array[]>((resolve) => {
      child.on('close', () => {
        readyResolve();
        resolve(text.split('\n').slice(1).filter((l) => l !== '').map((h) => fromHex(h) as Uint8Array));
      });
    });
    await ready;
    return { child, datagrams };
  }

  destroy(): void {
    execFileSync('ip', ['netns', 'del', this.name]);
  }
}
