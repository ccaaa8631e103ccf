/**
 * The control socket end to end: ControlServer + `dsmip6 ctl` (runCtl) over a Unix socket in a
 * temporary directory: permissions, stale sockets, limits, and the client's error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answer } from '../../src/api/handlers.js';
import { formatStatus } from '../../src/api/format.js';
import { ControlServer, type ControlServerOptions } from '../../src/api/server.js';
import type { StatusResult } from '../../src/api/views.js';
import { runCtl } from '../../src/cli/ctl.js';
import { haSource, snapshots } from './fixtures.js';

const SNAPS = snapshots(haSource());

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `dst-${process.pid}-ctl-`));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withServer(
  over: Partial<ControlServerOptions>, fn: (path: string, server: ControlServer) => Promise<void>,
): Promise<void> {
  await withDir(async (dir) => {
    const path = join(dir, 'dsmip6.sock');
    const server = new ControlServer({ path, answer: (r) => answer(r, SNAPS), ...over });
    await server.start();
    try {
      await fn(path, server);
    } finally {
      await server.stop();
    }
  });
}

async function ctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCtl(args, (s) => { out += `${s}\n`; }, (s) => { err += `${s}\n`; });
  return { code, out, err };
}

/** Sends raw bytes, collects response lines until `count` arrived or the server closed. */
function raw(path: string, send: string | Buffer, count: number): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path });
    let buf = '';
    const lines: string[] = [];
    const finish = (closed: boolean): void => { s.destroy(); resolve({ lines, closed }); };
    s.on('data', (d) => {
      buf += d.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
      if (lines.length >= count) finish(false);
    });
    s.on('end', () => finish(true));
    s.on('error', reject);
    s.write(send);
  });
}

test('socket file: a socket, mode 0600 by default or as configured, removed on stop', async () => {
  let kept = '';
  await withServer({}, async (path) => {
    kept = path;
    const st = lstatSync(path);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, process.getuid!());
  });
  assert.equal(existsSync(kept), false, 'stop removes the socket');
  await withServer({ mode: 0o660 }, async (path) => {
    assert.equal(statSync(path).mode & 0o777, 0o660);
  });
});

test('ctl status / bc --json / stats over the socket; exit 0', async () => {
  await withServer({}, async (path) => {
    const s = await ctl(['--socket', path, 'status']);
    assert.deepStrictEqual([s.code, s.err], [0, '']);
    const r = answer({ id: 1, command: 'status' }, SNAPS);
    assert.equal(s.out, `${formatStatus((r.ok ? r.result : null) as StatusResult)}\n`);
    const j = await ctl([`--socket=${path}`, 'bc', '--json', '--limit', '1', '--offset', '1']);
    assert.equal(j.code, 0, j.err);
    const bc = JSON.parse(j.out) as { total: number; bindings: { homeAddress: string }[] };
    assert.deepStrictEqual([bc.total, bc.bindings.map((b) => b.homeAddress)], [2, ['2001:db8:1::200']]);
    const one = await ctl(['--socket', path, 'bc', '2001:db8:1::100']);
    assert.match(one.out, /^2001:db8:1::100 .*\n1 binding\n$/m);
    const st = await ctl(['--socket', path, 'stats']);
    assert.match(st.out, /binding acks sent +11/);
  });
});

test('ctl: daemon errors exit 1, usage errors exit 2', async () => {
  await withServer({}, async (path) => {
    const b = await ctl(['--socket', path, 'bul']);
    assert.deepStrictEqual([b.code, b.out, b.err], [1, '',
      'dsmip6 ctl: bul: wrong-role: bul is a view of a mobile node; this daemon is a home agent\n']);
  });
  for (const args of [[], ['frob'], ['status', 'extra'], ['bc', '--limit', '0'], ['bc', '--limit'],
    ['--socket'], ['status', '--verbose'], ['bul', '--offset', '2'], ['bc', 'a', 'b']]) {
    const r = await ctl(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^dsmip6 ctl: .*\nusage: dsmip6 ctl/);
  }
  const h = await ctl(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /^usage: dsmip6 ctl \[--socket PATH\]/);
});

test('ctl: no daemon (no socket file) and a stale socket are exit 1 with a clear message', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'none.sock');
    const r = await ctl(['--socket', path, 'status']);
    assert.deepStrictEqual([r.code, r.err], [1, `dsmip6 ctl: no control socket at ${path}: is dsmip6d running?\n`]);
    await makeStaleSocket(path);
    const s = await ctl(['--socket', path, 'status']);
    assert.deepStrictEqual([s.code, s.err],
      [1, `dsmip6 ctl: nothing answers on ${path}: dsmip6d is not running (stale socket)\n`]);
  });
});

/** A socket file left by a process killed with SIGKILL (nobody listens on it any more). */
async function makeStaleSocket(path: string): Promise<void> {
  const code = `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  assert.ok(lstatSync(path).isSocket(), 'the killed listener left its socket file');
}

test('start: removes a stale socket, refuses a live one and a non-socket file', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'd.sock');
    await makeStaleSocket(path);
    const a = new ControlServer({ path, answer: (r) => answer(r, SNAPS) });
    await a.start();
    try {
      assert.equal((await ctl(['--socket', path, 'status'])).code, 0, 'the stale socket was replaced');
      const b = new ControlServer({ path, answer: (r) => answer(r, SNAPS) });
      await assert.rejects(b.start(), { message: `a daemon is already answering on ${path}` });
      assert.equal((await ctl(['--socket', path, 'status'])).code, 0, 'the live daemon is untouched');
    } finally {
      await a.stop();
    }
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'keep me');
    const c = new ControlServer({ path: file, answer: (r) => answer(r, SNAPS) });
    await assert.rejects(c.start(), { message: `${file} exists and is not a socket; not touching it` });
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  });
});

test('raw protocol: pipelined requests answered in order; malformed and oversized lines get errors', async () => {
  await withServer({}, async (path) => {
    const r = await raw(path, '{"id":1,"command":"status"}\nnot json\n\n{"id":2,"command":"x"}\n', 3);
    assert.deepStrictEqual(r.lines.map((l) => JSON.parse(l) as { id: unknown; ok: boolean; error?: { code: string } })
      .map((x) => [x.id, x.ok, x.error?.code]), [[1, true, undefined], [null, false, 'bad-json'], [2, false, 'unknown-command']]);
    const big = Buffer.alloc(70 * 1024, 0x61);
    const o = await raw(path, Buffer.concat([big, Buffer.from('\n{"id":3,"command":"status"}\n')]), 2);
    assert.deepStrictEqual(JSON.parse(o.lines[0]), {
      id: null, ok: false, error: { code: 'too-large', message: 'request line longer than 65536 octets' },
    });
    assert.equal((JSON.parse(o.lines[1]) as { id: number }).id, 3, 'the next line is read normally');
  });
});

test('raw protocol: a request without newline is answered when the client half-closes', async () => {
  await withServer({}, async (path) => {
    const lines = await new Promise<string[]>((resolve, reject) => {
      const s = net.createConnection({ path }, () => s.end('{"id":5,"command":"status"}'));
      let buf = '';
      s.on('data', (d) => { buf += d.toString('utf8'); });
      s.on('end', () => resolve(buf.split('\n').filter((l) => l !== '')));
      s.on('error', reject);
    });
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]) as { id: number; ok: boolean }).ok, true);
  });
});

test('connections are bounded: one too many is told busy and closed', async () => {
  await withServer({ connectionsMax: 2 }, async (path, server) => {
    const held = [net.createConnection({ path }), net.createConnection({ path })];
    try {
      await Promise.all(held.map((s) => new Promise((resolve) => s.once('connect', resolve))));
      while (server.connections < 2) await new Promise((resolve) => setImmediate(resolve));
      const r = await raw(path, '{"command":"status"}\n', 1);
      assert.deepStrictEqual(JSON.parse(r.lines[0]),
        { id: null, ok: false, error: { code: 'busy', message: 'too many control connections' } });
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

test('a provider that throws gives an internal error; the daemon logs it', async () => {
  const logged: string[] = [];
  await withServer({ answer: () => { throw new Error('boom'); }, log: (m) => logged.push(m) }, async (path) => {
    const r = await ctl(['--socket', path, 'status']);
    assert.deepStrictEqual([r.code, r.err], [1, 'dsmip6 ctl: status: internal: status failed\n']);
  });
  assert.match(logged[0], /^control status: Error: boom/);
});

test('permission denied for another user on the 0600 socket', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root: runs the client as user nobody'); return; }
  await withServer({}, async (path) => {
    chmodSync(join(path, '..'), 0o755);
    const client = fileURLToPath(new URL('../../src/api/client.js', import.meta.url));
    const script = `import(${JSON.stringify(client)}).then(async (m) => {
      const r = await m.sendRequest(${JSON.stringify(path)}, { id: 1, command: 'status' });
      console.log(JSON.stringify(r)); })`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    if (r.status !== 0 && /EACCES|permission denied, open|Cannot find module/i.test(r.stderr)) {
      t.skip(`user nobody cannot run the built client here: ${r.stderr.split('\n')[0]}`);
      return;
    }
    assert.deepStrictEqual(JSON.parse(r.stdout), {
      ok: false, kind: 'permission-denied',
      message: `permission denied on ${path}: run as root (the socket is root-only)`,
    });
  });
});
