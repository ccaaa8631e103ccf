import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolRoutes } from '../../src/runtime/ha-pool-routes.js';

test('pool routes: an off-link address pool and prefix pool are routed whole and cover what they hold', () => {
  const p = new PoolRoutes({
    ipv4HomeSubnet: '192.0.2.0/24', ipv4HomeAddressPool: '172.16.0.0/14', ipv4PrefixPool: { range: '10.2.0.0/16' },
  });
  assert.deepEqual(p.routes, ['172.16.0.0/14', '10.2.0.0/16']);
  assert.equal(p.covers('172.17.3.4/32'), true);
  assert.equal(p.covers('172.19.255.254'), true);
  assert.equal(p.covers('172.20.0.1/32'), false, 'outside the pool');
  assert.equal(p.covers('10.2.7.0/24'), true, 'a mobile network prefix carved from the prefix pool');
  assert.equal(p.covers('10.0.0.0/8'), false, 'wider than the pool');
  assert.equal(p.covers('192.0.2.5/32'), false, 'a static home address on the home link');
  assert.equal(p.covers('2001:db8:1::5/128'), false, 'IPv6 routes are never covered');
});

test('pool routes: a pool inside, around or equal to the home subnet keeps per-binding routes', () => {
  for (const pool of ['192.0.2.128/25', '192.0.2.0/24', '192.0.0.0/16']) {
    const p = new PoolRoutes({ ipv4HomeSubnet: '192.0.2.0/24', ipv4HomeAddressPool: pool });
    assert.deepEqual(p.routes, [], pool);
    assert.equal(p.covers('192.0.2.130/32'), false, pool);
  }
});

test('pool routes: none configured, or a prefix pool inside the address pool, gives one route at most', () => {
  assert.deepEqual(new PoolRoutes({ ipv4HomeSubnet: '192.0.2.0/24' }).routes, []);
  const p = new PoolRoutes({ ipv4HomeAddressPool: '10.0.0.0/8', ipv4PrefixPool: { range: '10.2.0.0/16' } });
  assert.deepEqual(p.routes, ['10.0.0.0/8']);
  assert.equal(p.covers('10.2.1.0/28'), true);
});

test('pool routes: a pool overlapping another route or an address of the home agent keeps per-binding routes', () => {
  const f = { ipv4HomeSubnet: '192.0.2.0/24', ipv4HomeAddressPool: '10.99.0.0/16' };
  const upstream = new PoolRoutes(f, { routes: ['10.0.0.0/8', '0.0.0.0/0'], addresses: [] });
  assert.deepEqual(upstream.routes, []);
  assert.deepEqual(upstream.kept, [{ pool: '10.99.0.0/16', why: 'overlaps 10.0.0.0/8' }]);
  assert.equal(upstream.covers('10.99.0.1/32'), false);
  const operator = new PoolRoutes(f, { routes: ['10.99.0.0/16'], addresses: [] });
  assert.deepEqual(operator.kept, [{ pool: '10.99.0.0/16', why: 'overlaps 10.99.0.0/16' }], 'an equal route is not replaced');
  const inside = new PoolRoutes(f, { routes: ['10.99.7.0/24'], addresses: [] });
  assert.deepEqual(inside.routes, [], 'a narrower route inside the pool');
  const own = new PoolRoutes(f, { routes: [], addresses: ['10.99.3.3'] });
  assert.deepEqual(own.kept, [{ pool: '10.99.0.0/16', why: 'overlaps 10.99.3.3/32' }]);
  const clear = new PoolRoutes(f, { routes: ['198.51.100.0/24', '0.0.0.0/0'], addresses: ['198.51.100.1', '192.0.2.1'] });
  assert.deepEqual(clear.routes, ['10.99.0.0/16'], 'the default route and unrelated routes do not count');
  assert.deepEqual(clear.kept, []);
});

test('pool routes: coversAddress(a) is covers of the host prefix of a, without building it', () => {
  const pooled = new PoolRoutes({ ipv4HomeSubnet: '192.0.2.0/24', ipv4HomeAddressPool: '172.16.0.0/14' });
  const none = new PoolRoutes({ ipv4HomeSubnet: '192.0.2.0/24' });
  for (const p of [pooled, none]) {
    for (const a of ['172.16.0.1', '172.19.255.255', '172.20.0.1', '192.0.2.9', '2001:db8:1::5', '::ffff:172.16.0.1',
      'not an address', '']) {
      const host = `${a}/${a.includes(':') ? 128 : 32}`;
      assert.equal(p.coversAddress(a), p.covers(host), `${a} (${p.routes.join() || 'no pool'})`);
    }
  }
  assert.equal(pooled.coversAddress('172.17.0.9'), true);
  assert.equal(none.coversAddress('172.17.0.9'), false);
});
