/*
 * dsmip6.c: the one native boundary of dsmip6 (docs/native.md, design.md "One native boundary").
 *
 * Node has no TUN, raw, netlink or batched UDP sockets, so this small N-API addon exposes the
 * few syscalls the daemon needs and nothing else. TypeScript wraps it in ports
 * (the files in src/os/linux, behind src/os/ports.ts); nothing else in the project calls it.
 *
 * Rules this file keeps:
 *  - Every call is synchronous and every fd it creates is O_NONBLOCK | O_CLOEXEC. Readiness comes
 *    from libuv (uv_poll) on the main loop, so no thread pool is ever involved.
 *  - Local/OS failures throw a JS Error whose `code` is the errno name ("ENOBUFS") and whose
 *    `syscall` names the call. EAGAIN on a receive is not an error: it returns 0 packets.
 *    Bad arguments (a programming error in the TS side) throw TypeError / RangeError.
 *  - Batched I/O allocates nothing per packet: packets land in (or leave from) caller-owned
 *    typed arrays; lengths, peer addresses and ports go into caller-owned typed arrays.
 *    Addresses are always 16 bytes; IPv4 is written and read as ::ffff:a.b.c.d.
 *  - No state is kept in globals, so worker threads may load the addon too.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

#define BATCH_MAX 64 /* packets per recvmmsg/sendmmsg/read loop: one JS call per batch */
#define ADDR_LEN 16  /* bytes per address slot in the address arrays */
#define CTL_LEN CMSG_SPACE(sizeof(struct in6_pktinfo)) /* room for one IP(V6)_PKTINFO */

/* ---- errors and arguments ------------------------------------------------------------- */

/* Throws Error{code: "EXXX", errno, syscall} and returns NULL for the caller to return. */
static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char msg[160];
  napi_value code, text, error, num, sc;
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "syscall", sc);
  napi_throw(env, error);
  return NULL;
}

/* Throws RangeError (arrays too small for the count asked: a bug on the TS side). */
static napi_value throw_range(napi_env env, const char *what) {
  napi_throw_range_error(env, NULL, what);
  return NULL;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

/* A typed array's data pointer and length in elements; null/undefined give NULL/0 if allowed. */
static int arg_typed(napi_env env, napi_value v, napi_typedarray_type want, int nullable,
                     void **p, size_t *n) {
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  bool is = false;
  *p = NULL, *n = 0;
  if (is_nullish(env, v)) return nullable;
  napi_is_typedarray(env, v, &is);
  return is && napi_get_typedarray_info(env, v, &type, n, p, &ab, &off) == napi_ok && type == want;
}

/* Reads the arguments by `spec`, one letter per argument, into the pointers that follow:
 *   i int32_t*   u uint32_t*   v napi_value* (any)   f napi_value* (a function)
 *   x void** (an external)
 *   b uint8_t**, size_t*  (Uint8Array)    w uint32_t**, size_t*  (Uint32Array)
 *   h uint16_t**, size_t* (Uint16Array)   B, W, H: the same, or null
 * Missing arguments read as undefined. On a mismatch: TypeError "fn: bad argument N", 0. */
static int get_args(napi_env env, napi_callback_info info, const char *fn, const char *spec, ...) {
  napi_value argv[10];
  size_t argc = 10, i = 0;
  napi_valuetype t;
  va_list ap;
  int ok = napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok;
  va_start(ap, spec);
  for (; ok && spec[i] != '\0'; i++) {
    char c = spec[i];
    if (c == 'i') ok = napi_get_value_int32(env, argv[i], va_arg(ap, int32_t *)) == napi_ok;
    else if (c == 'u') ok = napi_get_value_uint32(env, argv[i], va_arg(ap, uint32_t *)) == napi_ok;
    else if (c == 'v') *va_arg(ap, napi_value *) = argv[i];
    else if (c == 'f') {
      napi_typeof(env, argv[i], &t);
      ok = t == napi_function, *va_arg(ap, napi_value *) = argv[i];
    } else if (c == 'x') ok = napi_get_value_external(env, argv[i], va_arg(ap, void **)) == napi_ok;
    else {
      void **p = va_arg(ap, void **);
      size_t *n = va_arg(ap, size_t *);
      char lc = (char)(c | 0x20);
      ok = arg_typed(env, argv[i], lc == 'b' ? napi_uint8_array : lc == 'w' ? napi_uint32_array
                     : napi_uint16_array, c != lc, p, n);
    }
  }
  va_end(ap);
  if (!ok) {
    char msg[80];
    snprintf(msg, sizeof msg, "%s: bad argument %zu", fn, i);
    napi_throw_type_error(env, NULL, msg);
  }
  return ok;
}

/* An interface name (1..15 bytes: IFNAMSIZ counts the NUL) copied into out[IFNAMSIZ]. */
static int arg_name(napi_env env, napi_value v, char *out) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len == 0 || len >= IFNAMSIZ)
    return 0;
  return napi_get_value_string_utf8(env, v, out, IFNAMSIZ, &len) == napi_ok;
}

static napi_value make_int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

/* ---- sockaddr <-> 16-byte address slots ------------------------------------------------- */

union sa {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  struct sockaddr_nl nl;
};

/* Writes a peer address into a 16-byte slot (IPv4 as ::ffff:a.b.c.d) and returns its port. */
static int sa_to_slot(const union sa *s, uint8_t *slot) {
  memset(slot, 0, ADDR_LEN);
  if (s->sa.sa_family == AF_INET6) {
    memcpy(slot, &s->v6.sin6_addr, 16);
    return ntohs(s->v6.sin6_port);
  }
  if (s->sa.sa_family == AF_INET) {
    slot[10] = slot[11] = 0xff;
    memcpy(slot + 12, &s->v4.sin_addr, 4);
    return ntohs(s->v4.sin_port);
  }
  return 0; /* netlink or unknown: no address */
}

/* Builds a destination sockaddr of `family` from a 16-byte slot; returns its length. */
static socklen_t slot_to_sa(int family, const uint8_t *slot, int port, union sa *s) {
  memset(s, 0, sizeof *s);
  if (family == AF_INET6) {
    s->v6.sin6_family = AF_INET6;
    s->v6.sin6_port = htons(port);
    memcpy(&s->v6.sin6_addr, slot, 16);
    return sizeof s->v6;
  }
  s->v4.sin_family = AF_INET;
  s->v4.sin_port = htons(port);
  memcpy(&s->v4.sin_addr, slot + 12, 4);
  return sizeof s->v4;
}

/* ---- TUN, ifindex, sockets, options ------------------------------------------------------- */

/* tunOpen(name|null, multiQueue, offload) -> {fd, name, ifindex, offload}: IFF_TUN | IFF_NO_PI
 * (IPv4 and IPv6 share the device, told apart by the version nibble). The device lives in the
 * caller thread's network namespace and goes away with its last fd. MTU and link state are set
 * over netlink. With `offload` true, IFF_VNET_HDR and then TUNSETOFFLOAD(CSUM | TSO4 | TSO6) are
 * asked for: every read then starts with a 10-octet struct virtio_net_hdr (a TCP packet may be a
 * TSO super-packet up to 64 KB, checksums may be left partial) and every write must too. When the
 * kernel refuses either, the fd is closed and the device opened again without them, and
 * `offload` in the result says which one the caller got. */
static int tun_create(struct ifreq *ifr, int flags, int offload) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  ifr->ifr_flags = (short)(flags | (offload ? IFF_VNET_HDR : 0));
  if (ioctl(fd, TUNSETIFF, ifr) < 0 ||
      (offload && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static napi_value tun_open(napi_env env, napi_callback_info info) {
  napi_value name, mqv, offv, out, flag;
  struct ifreq ifr;
  bool mq = false, off = false;
  memset(&ifr, 0, sizeof ifr);
  if (!get_args(env, info, "tunOpen", "vvv", &name, &mqv, &offv)) return NULL;
  if (!is_nullish(env, name) && !arg_name(env, name, ifr.ifr_name)) {
    napi_throw_type_error(env, NULL, "tunOpen: name must be a string of 1 to 15 bytes");
    return NULL;
  }
  napi_get_value_bool(env, mqv, &mq);
  napi_get_value_bool(env, offv, &off);
  const int flags = IFF_TUN | IFF_NO_PI | (mq ? IFF_MULTI_QUEUE : 0);
  char asked[IFNAMSIZ];
  memcpy(asked, ifr.ifr_name, IFNAMSIZ);
  int fd = off ? tun_create(&ifr, flags, 1) : -1;
  if (fd < 0) {
    off = false;
    memcpy(ifr.ifr_name, asked, IFNAMSIZ);
    fd = tun_create(&ifr, flags, 0);
    if (fd < 0) return throw_errno(env, "ioctl TUNSETIFF", errno);
  }
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "fd", make_int(env, fd));
  napi_get_boolean(env, off, &flag);
  napi_set_named_property(env, out, "offload", flag);
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, out, "name", name);
  napi_set_named_property(env, out, "ifindex", make_int(env, if_nametoindex(ifr.ifr_name)));
  return out;
}


/* ifIndex(name) -> number; throws ENODEV when the caller's namespace has no such interface. */
static napi_value if_index(napi_env env, napi_callback_info info) {
  napi_value v;
  char name[IFNAMSIZ];
  if (!get_args(env, info, "ifIndex", "v", &v)) return NULL;
  if (!arg_name(env, v, name)) {
    napi_throw_type_error(env, NULL, "ifIndex: name must be a string of 1 to 15 bytes");
    return NULL;
  }
  unsigned idx = if_nametoindex(name);
  return idx == 0 ? throw_errno(env, "if_nametoindex", errno) : make_int(env, idx);
}

/* socket(domain, type, protocol) -> fd, always non-blocking and close-on-exec. */
static napi_value sock_open(napi_env env, napi_callback_info info) {
  int32_t d, t, p;
  if (!get_args(env, info, "socket", "iii", &d, &t, &p)) return NULL;
  int fd = socket(d, t | SOCK_NONBLOCK | SOCK_CLOEXEC, p);
  return fd < 0 ? throw_errno(env, "socket", errno) : make_int(env, fd);
}

/* setsockopt(fd, level, name, value): value is an int, a string (SO_BINDTODEVICE) or bytes. */
static napi_value sock_setopt(napi_env env, napi_callback_info info) {
  int32_t fd, level, name, iv;
  napi_value v;
  char str[IFNAMSIZ];
  size_t len = 0;
  void *p = NULL;
  const void *val = &iv;
  socklen_t vlen = sizeof iv;
  if (!get_args(env, info, "setsockopt", "iiiv", &fd, &level, &name, &v)) return NULL;
  if (napi_get_value_int32(env, v, &iv) == napi_ok) {
    /* an int option */
  } else if (arg_name(env, v, str)) {
    val = str, vlen = (socklen_t)strlen(str);
  } else if (arg_typed(env, v, napi_uint8_array, 0, &p, &len)) {
    val = p, vlen = (socklen_t)len;
  } else {
    napi_throw_type_error(env, NULL, "setsockopt: value must be an int, a name or a Uint8Array");
    return NULL;
  }
  if (setsockopt(fd, level, name, val, vlen) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* bindInet(fd, family, addr16, port, scopeId) -> the bound port (port 0 learns its port). */
static napi_value bind_inet(napi_env env, napi_callback_info info) {
  int32_t fd, family, port, scope;
  uint8_t *addr;
  size_t n;
  union sa s;
  if (!get_args(env, info, "bindInet", "iibii", &fd, &family, &addr, &n, &port, &scope))
    return NULL;
  if (n != ADDR_LEN) return throw_range(env, "bindInet: the address must be 16 bytes");
  socklen_t len = slot_to_sa(family, addr, port, &s);
  if (family == AF_INET6) s.v6.sin6_scope_id = (uint32_t)scope;
  if (bind(fd, &s.sa, len) < 0) return throw_errno(env, "bind", errno);
  if (getsockname(fd, &s.sa, &len) < 0) return throw_errno(env, "getsockname", errno);
  return make_int(env, family == AF_INET6 ? ntohs(s.v6.sin6_port) : ntohs(s.v4.sin_port));
}

/* bindNetlink(fd, groupsMask) -> the port id the kernel assigned (nl_pid). Groups are joined
 * one by one with setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP) from TS. */
static napi_value bind_netlink(napi_env env, napi_callback_info info) {
  int32_t fd;
  uint32_t groups;
  union sa s;
  if (!get_args(env, info, "bindNetlink", "iu", &fd, &groups)) return NULL;
  memset(&s, 0, sizeof s);
  s.nl.nl_family = AF_NETLINK;
  s.nl.nl_groups = groups;
  socklen_t len = sizeof s.nl;
  if (bind(fd, &s.sa, len) < 0) return throw_errno(env, "bind", errno);
  if (getsockname(fd, &s.sa, &len) < 0) return throw_errno(env, "getsockname", errno);
  return make_int(env, s.nl.nl_pid);
}

/* ---- batched receive ------------------------------------------------------------------------ */

/* Copies IP_PKTINFO / IPV6_PKTINFO (the packet's destination address and arrival interface)
 * into the `locals` / `ifindexes` slots, when the socket asked for them. */
static void read_pktinfo(struct msghdr *m, uint8_t *local, uint32_t *ifindex) {
  memset(local, 0, ADDR_LEN), *ifindex = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      memcpy(local, &pi.ipi6_addr, 16), *ifindex = pi.ipi6_ifindex;
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      local[10] = local[11] = 0xff;
      memcpy(local + 12, &pi.ipi_addr, 4), *ifindex = (uint32_t)pi.ipi_ifindex;
    }
  }
}

/* recvBatch(fd, data, slot, max, lens, addrs|null, ports|null, locals|null, ifindexes|null,
 *           waitMs) -> count
 * One recvmmsg of up to `max` (<= 64) datagrams into data[i*slot, (i+1)*slot). lens[i] is the
 * datagram's REAL length (MSG_TRUNC): a value above `slot` means it was truncated, and the TS
 * side drops it. With waitMs > 0 an empty socket is waited on with poll() for that long (the
 * netlink request path); otherwise an empty socket returns 0. Works for UDP, raw and netlink. */
static napi_value recv_batch(napi_env env, napi_callback_info info) {
  int32_t fd, slot, max, wait_ms;
  uint8_t *data, *addrs, *locals;
  uint32_t *lens, *ifx;
  uint16_t *ports;
  size_t dn, ln, an, pn, locn, ifn;
  if (!get_args(env, info, "recvBatch", "ibiiwBHBWi", &fd, &data, &dn, &slot, &max, &lens, &ln,
                &addrs, &an, &ports, &pn, &locals, &locn, &ifx, &ifn, &wait_ms))
    return NULL;
  /* Every array must hold `max` entries: a short array is a programming error, not a crash. */
  if (slot < 1 || max < 1 || max > BATCH_MAX || (size_t)max * slot > dn || (size_t)max > ln ||
      (addrs && ((size_t)max * ADDR_LEN > an || (size_t)max > pn)) ||
      (locals && ((size_t)max * ADDR_LEN > locn || (size_t)max > ifn)))
    return throw_range(env, "recvBatch: arrays smaller than max slots");
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  union sa names[BATCH_MAX];
  _Alignas(struct cmsghdr) uint8_t ctl[BATCH_MAX][CTL_LEN];
  memset(msgs, 0, sizeof(msgs[0]) * max);
  for (int i = 0; i < max; i++) {
    iov[i].iov_base = data + (size_t)i * slot, iov[i].iov_len = (size_t)slot;
    msgs[i].msg_hdr.msg_iov = &iov[i], msgs[i].msg_hdr.msg_iovlen = 1;
    if (addrs) msgs[i].msg_hdr.msg_name = &names[i], msgs[i].msg_hdr.msg_namelen = sizeof names[i];
    if (locals) msgs[i].msg_hdr.msg_control = ctl[i], msgs[i].msg_hdr.msg_controllen = CTL_LEN;
  }
  const int flags = MSG_DONTWAIT | MSG_TRUNC; /* MSG_TRUNC: msg_len is the datagram's real length */
  int n = recvmmsg(fd, msgs, (unsigned)max, flags, NULL);
  if (n < 0 && errno == EAGAIN && wait_ms > 0) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, wait_ms) > 0) n = recvmmsg(fd, msgs, (unsigned)max, flags, NULL);
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return make_int(env, 0);
    return throw_errno(env, "recvmmsg", errno); /* ENOBUFS on netlink overrun, ICMP errors... */
  }
  for (int i = 0; i < n; i++) {
    struct msghdr *m = &msgs[i].msg_hdr;
    /* With MSG_TRUNC in flags msg_len is the real length; keep "> slot" even if it was not. */
    lens[i] = (m->msg_flags & MSG_TRUNC) && msgs[i].msg_len <= (unsigned)slot ? (uint32_t)slot + 1
                                                                              : msgs[i].msg_len;
    if (addrs) ports[i] = (uint16_t)sa_to_slot(&names[i], addrs + (size_t)i * ADDR_LEN);
    if (locals) read_pktinfo(m, locals + (size_t)i * ADDR_LEN, &ifx[i]);
  }
  return make_int(env, n);
}

/* readBatch(fd, data, slot, max, lens) -> count: the TUN receive path, a readv() loop (TUN fds
 * are not sockets, so no recvmmsg) of up to `max` packets into fixed slots. An error after
 * the first packet ends the batch; the next call reports it. */
static napi_value read_batch(napi_env env, napi_callback_info info) {
  int32_t fd, slot, max;
  uint8_t *data;
  uint32_t *lens;
  size_t dn, ln;
  if (!get_args(env, info, "readBatch", "ibiiw", &fd, &data, &dn, &slot, &max, &lens, &ln))
    return NULL;
  if (slot < 1 || max < 1 || max > BATCH_MAX || (size_t)max * slot > dn || (size_t)max > ln)
    return throw_range(env, "readBatch: arrays smaller than max slots");
  /* A TUN read of a packet longer than the buffer returns the buffer size, so "exactly full"
   * would be ambiguous: one spare byte behind each slot makes a too-long packet read as
   * slot + 1 bytes, which the TS side counts as truncated and drops. */
  uint8_t spare;
  struct iovec iov[2] = {{NULL, (size_t)slot}, {&spare, 1}};
  int n = 0;
  while (n < max) {
    iov[0].iov_base = data + (size_t)n * slot;
    ssize_t r = readv(fd, iov, 2);
    if (r < 0) {
      if (n > 0 || errno == EAGAIN || errno == EINTR) break;
      return throw_errno(env, "read", errno);
    }
    lens[n++] = (uint32_t)r;
  }
  return make_int(env, n);
}

/* ---- batched send ---------------------------------------------------------------------------- */

/* Shared argument check of sendBatch/writeBatch: every (offset, length) must lie in `data`. */
static int check_spans(size_t dn, int32_t count, const uint32_t *off, size_t on,
                       const uint32_t *len, size_t lnn) {
  if (count < 0 || count > BATCH_MAX || (size_t)count > on || (size_t)count > lnn) return 0;
  for (int i = 0; i < count; i++)
    if ((size_t)off[i] + len[i] > dn) return 0;
  return 1;
}

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 /* Linux 4.20 */
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
/* UDP GSO limits: segments per send (UDP_MAX_SEGMENTS on older kernels) and bytes per send. */
#define GSO_SEGS_MAX 64
#define GSO_BYTES_MAX 65000

/* Packets [i, end) of a batch that can go as one UDP GSO send: same destination, contiguous in
 * `data`, all as long as the first except a shorter last one. Returns end. */
static int gso_run(int i, int count, const uint32_t *off, const uint32_t *len, const uint8_t *addrs,
                   const uint16_t *ports) {
  int j = i + 1;
  size_t total = len[i];
  while (j < count && j - i < GSO_SEGS_MAX && total + len[j] <= GSO_BYTES_MAX &&
         off[j] == off[j - 1] + len[j - 1] && len[j] <= len[i] && len[j - 1] == len[i] &&
         ports[j] == ports[i] && memcmp(addrs + (size_t)j * ADDR_LEN, addrs + (size_t)i * ADDR_LEN,
                                        ADDR_LEN) == 0)
    total += len[j++];
  return j;
}

/* sendBatch(fd, family, data, count, offsets, lens, addrs|null, ports|null, gso) -> sent
 * One sendmmsg of packets data[offsets[i], +lens[i]) to addrs[i*16..]/ports[i] (family
 * AF_INET takes the IPv4 from ::ffff:a.b.c.d). Null addrs: no destination (netlink to the kernel,
 * connected sockets). Returns how many packets the kernel took; if the FIRST fails it throws, so
 * the caller can skip that packet and continue with the rest.
 * With gso true (a UDP socket; addrs required) runs of packets to one destination that lie
 * back to back in `data`, equal in length but for a shorter last one, go as ONE message with
 * UDP_SEGMENT = that length: the kernel carries them as one GSO datagram down the stack and
 * cuts it into the same datagrams at the end. When such a message fails (EMSGSIZE/EINVAL over a
 * smaller path MTU, EIO without checksum offload...), its packets are sent one by one, so the
 * caller sees the per-packet result and errno exactly as without GSO. */
static napi_value send_batch(napi_env env, napi_callback_info info) {
  int32_t fd, family, count;
  uint8_t *data, *addrs;
  uint32_t *off, *len;
  uint16_t *ports;
  size_t dn, on, lnn, an, pn;
  napi_value gsov;
  bool gso = false;
  if (!get_args(env, info, "sendBatch", "iibiwwBHv", &fd, &family, &data, &dn, &count, &off, &on,
                &len, &lnn, &addrs, &an, &ports, &pn, &gsov))
    return NULL;
  napi_get_value_bool(env, gsov, &gso);
  if (!check_spans(dn, count, off, on, len, lnn) ||
      (addrs && ((size_t)count * ADDR_LEN > an || (size_t)count > pn)))
    return throw_range(env, "sendBatch: span outside data or arrays too small");
  if (count == 0) return make_int(env, 0);
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  union sa names[BATCH_MAX];
  int first[BATCH_MAX + 1]; /* message m carries packets [first[m], first[m + 1]) */
  _Alignas(struct cmsghdr) uint8_t ctl[BATCH_MAX][CMSG_SPACE(sizeof(uint16_t))];
  memset(msgs, 0, sizeof(msgs[0]) * count);
  int m = 0;
  for (int i = 0; i < count; m++) {
    int end = gso && addrs ? gso_run(i, count, off, len, addrs, ports) : i + 1;
    size_t bytes = 0;
    for (int k = i; k < end; k++) bytes += len[k];
    first[m] = i;
    iov[m].iov_base = data + off[i], iov[m].iov_len = bytes;
    msgs[m].msg_hdr.msg_iov = &iov[m], msgs[m].msg_hdr.msg_iovlen = 1;
    if (addrs) {
      msgs[m].msg_hdr.msg_name = &names[m];
      msgs[m].msg_hdr.msg_namelen =
          slot_to_sa(family, addrs + (size_t)i * ADDR_LEN, ports[i], &names[m]);
    }
    if (end - i > 1) {
      struct cmsghdr *c = (struct cmsghdr *)ctl[m];
      c->cmsg_level = SOL_UDP, c->cmsg_type = UDP_SEGMENT, c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t size = (uint16_t)len[i];
      memcpy(CMSG_DATA(c), &size, sizeof size);
      msgs[m].msg_hdr.msg_control = ctl[m], msgs[m].msg_hdr.msg_controllen = CMSG_SPACE(sizeof size);
    }
    i = end;
  }
  first[m] = count;
  int n = sendmmsg(fd, msgs, (unsigned)m, MSG_DONTWAIT);
  if (n < 0 && first[1] - first[0] > 1 && errno != EAGAIN && errno != ENOBUFS) {
    /* The first message was a GSO run: its packets one by one, for exact results. */
    for (int k = 0; k < first[1]; k++) {
      iov[0].iov_base = data + off[k], iov[0].iov_len = len[k];
      msgs[0].msg_hdr.msg_control = NULL, msgs[0].msg_hdr.msg_controllen = 0;
      msgs[0].msg_hdr.msg_namelen =
          slot_to_sa(family, addrs + (size_t)k * ADDR_LEN, ports[k], &names[0]);
      if (sendmmsg(fd, msgs, 1, MSG_DONTWAIT) < 0) {
        if (k == 0) return throw_errno(env, "sendmmsg", errno);
        return make_int(env, k);
      }
    }
    return make_int(env, first[1]);
  }
  if (n < 0) return throw_errno(env, "sendmmsg", errno);
  return make_int(env, first[n]);
}

/* writeBatch(fd, data, count, offsets, lens, vnetHdr) -> written: the TUN send path, a write()
 * loop. Same contract as sendBatch: a failure on the first packet throws, a later one ends
 * early. With vnetHdr true (a TUN opened with offload) each packet goes behind an all-zero
 * virtio_net_hdr (no GSO, checksum complete) in one writev. */
static napi_value write_batch(napi_env env, napi_callback_info info) {
  int32_t fd, count;
  uint8_t *data;
  uint32_t *off, *len;
  size_t dn, on, lnn;
  napi_value vnetv;
  bool vnet = false;
  if (!get_args(env, info, "writeBatch", "ibiwwv", &fd, &data, &dn, &count, &off, &on, &len, &lnn,
                &vnetv))
    return NULL;
  napi_get_value_bool(env, vnetv, &vnet);
  if (!check_spans(dn, count, off, on, len, lnn))
    return throw_range(env, "writeBatch: span outside data or arrays too small");
  struct virtio_net_hdr none;
  memset(&none, 0, sizeof none);
  struct iovec iov[2] = {{&none, sizeof none}, {NULL, 0}};
  int i = 0;
  for (; i < count; i++) {
    iov[1].iov_base = data + off[i], iov[1].iov_len = len[i];
    if ((vnet ? writev(fd, iov, 2) : write(fd, data + off[i], len[i])) < 0) {
      if (i == 0) return throw_errno(env, "write", errno);
      break;
    }
  }
  return make_int(env, i);
}

/* ---- TSO: TCP super-packets from an offload TUN cut into segments ---------------------------- */

/* Ones' complement sum of p[0, n) as big-endian 16-bit words, added to `sum` (not folded):
 * little-endian 32-bit loads, folded and swapped (the sum is byte-order free, RFC 1071). */
static uint64_t csum_add(const uint8_t *p, size_t n, uint64_t sum) {
  uint64_t le = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    memcpy(&w, p + i, 4);
    le += w;
  }
  while (le >> 16) le = (le & 0xffff) + (le >> 16);
  sum += ((le & 0xff) << 8) | (le >> 8);
  for (; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (i < n) sum += (uint32_t)p[i] << 8;
  return sum;
}

static uint16_t csum_finish(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }

/* tsoSplit(data, at, len, out, outOff, slot, lens, first, max) -> count
 * The same as segmentTcp in src/dataplane/tso.ts (its contract and its tests are the reference;
 * test/os/native-tso.test.ts compares the two): the read data[at, at+len) is a virtio_net_hdr
 * and a TCP super-packet (GSO TCPV4/TCPV6); segments of gso_size payload octets are written at
 * out[outOff + k*slot], lengths into lens[first + k]. 0 when malformed or out of room. */
static napi_value tso_split(napi_env env, napi_callback_info info) {
  int32_t at, len, out_off, slot, first, max;
  uint8_t *data, *out;
  uint32_t *lens;
  size_t dn, on, ln;
  if (!get_args(env, info, "tsoSplit", "biibiiwii", &data, &dn, &at, &len, &out, &on, &out_off,
                &slot, &lens, &ln, &first, &max))
    return NULL;
  if (at < 0 || len < 0 || (size_t)at + (size_t)len > dn || out_off < 0 || slot < 1 || first < 0 ||
      max < 0 || (size_t)first + (size_t)max > ln || (size_t)out_off + (size_t)max * slot > on)
    return throw_range(env, "tsoSplit: span outside the arrays");
  const uint8_t *h = data + at;
  const uint8_t *p = h + 10;
  int n = len - 10;
  int type = h[1] & 0x7f, mss = h[4] | h[5] << 8, tcp = h[6] | h[7] << 8;
  int v = n >= 20 ? p[0] >> 4 : 0;
  if ((v == 4) != (type == 1) || (v != 4 && (v != 6 || type != 4))) return make_int(env, 0);
  if ((v == 4 && (tcp < 20 || tcp != (p[0] & 0x0f) * 4)) || (v == 6 && tcp < 40) || tcp + 20 > n)
    return make_int(env, 0);
  int hdr = tcp + (p[tcp + 12] >> 4) * 4;
  if (hdr > n || hdr < tcp + 20 || mss < 1 || hdr + (mss < n - hdr ? mss : n - hdr) > slot)
    return make_int(env, 0);
  int payload = n - hdr;
  int count = payload <= mss ? 1 : (payload + mss - 1) / mss;
  if (count > max) return make_int(env, 0);
  uint32_t seq0 = (uint32_t)p[tcp + 4] << 24 | p[tcp + 5] << 16 | p[tcp + 6] << 8 | p[tcp + 7];
  uint32_t id0 = v == 4 ? (uint32_t)(p[4] << 8 | p[5]) : 0;
  uint8_t flags = p[tcp + 13];
  for (int k = 0; k < count; k++) {
    uint8_t *s = out + out_off + (size_t)k * slot;
    int size = payload - k * mss < mss ? payload - k * mss : mss;
    int total = hdr + size;
    memcpy(s, p, (size_t)hdr);
    memcpy(s + hdr, p + hdr + (size_t)k * mss, (size_t)size);
    if (v == 4) {
      put16(s + 2, (uint32_t)total), put16(s + 4, (id0 + (uint32_t)k) & 0xffff);
      s[10] = s[11] = 0;
      put16(s + 10, csum_finish(csum_add(s, (size_t)tcp, 0)));
    } else {
      put16(s + 4, (uint32_t)(total - 40));
    }
    uint32_t seq = seq0 + (uint32_t)k * (uint32_t)mss;
    s[tcp + 4] = (uint8_t)(seq >> 24), s[tcp + 5] = (uint8_t)(seq >> 16);
    s[tcp + 6] = (uint8_t)(seq >> 8), s[tcp + 7] = (uint8_t)seq;
    uint8_t f = flags;
    if (k != count - 1) f &= (uint8_t)~0x09; /* FIN, PSH */
    if (k != 0) f &= (uint8_t)~0x80;         /* CWR */
    s[tcp + 13] = f;
    s[tcp + 16] = s[tcp + 17] = 0;
    uint64_t sum = (v == 4 ? csum_add(s + 12, 8, 0) : csum_add(s + 8, 32, 0)) + 6 + (uint32_t)(total - tcp);
    put16(s + tcp + 16, csum_finish(csum_add(s + tcp, (size_t)(total - tcp), sum)));
    lens[first + k] = (uint32_t)total;
  }
  return make_int(env, count);
}

/* ---- readiness: uv_poll ---------------------------------------------------------------------- */

/* One watched fd. Owned twice: by libuv until its close callback, and by the JS external until
 * it is garbage-collected; freed when both let go. The JS callback is held by a STRONG
 * reference, so a watcher never stops silently because JS dropped its handle (the koffi
 * PollHandle pitfall in platform.md): it runs until pollClose(). */
typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int closing;
  int owners;
} watcher_t;

static void watcher_release(watcher_t *w) {
  if (--w->owners == 0) free(w);
}

static void on_closed(uv_handle_t *h) {
  watcher_t *w = (watcher_t *)h->data;
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->async);
  watcher_release(w);
}

/* Calls the JS callback with (status): 0, or a negative libuv error. An exception it throws is
 * handed to process 'uncaughtException', as for any event callback. */
static void call_js(watcher_t *w, int status) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value cb, recv, arg, result;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, w->callback, &cb);
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  napi_create_int32(env, status, &arg);
  if (napi_make_callback(env, w->async, recv, cb, 1, &arg, &result) == napi_pending_exception) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
  }
  napi_close_handle_scope(env, scope);
}

/* libuv STOPS a uv_poll on POLLERR (a netlink ENOBUFS overrun, an ICMP error on a raw socket)
 * and reports UV_EBADF. The error is cleared when JS reads the socket (the read throws it once),
 * so after telling JS we start watching again; otherwise the port would go silently deaf. */
static void on_poll(uv_poll_t *h, int status, int events) {
  watcher_t *w = (watcher_t *)h->data;
  (void)events;
  if (w->closing) return;
  call_js(w, status);
  if (status < 0 && !w->closing) {
    int r = uv_poll_start(&w->handle, UV_READABLE, on_poll);
    if (r < 0) call_js(w, r); /* cannot watch any more (fd closed?): JS learns it once */
  }
}

static void watcher_finalize(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  watcher_release((watcher_t *)data);
}

/* pollStart(fd, callback) -> handle: calls callback(status) on the main loop whenever fd is
 * readable (level-triggered: data left unread fires again on the next loop turn). */
static napi_value poll_start(napi_env env, napi_callback_info info) {
  int32_t fd;
  napi_value cb, name, handle;
  uv_loop_t *loop;
  if (!get_args(env, info, "pollStart", "if", &fd, &cb)) return NULL;
  watcher_t *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, "calloc", ENOMEM);
  napi_get_uv_event_loop(env, &loop);
  int r = uv_poll_init(loop, &w->handle, fd);
  if (r < 0) {
    free(w);
    return throw_errno(env, "uv_poll_init", -r);
  }
  w->env = env, w->owners = 1, w->handle.data = w; /* libuv's share, released in on_closed */
  napi_create_reference(env, cb, 1, &w->callback);
  napi_create_string_utf8(env, "dsmip6:poll", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->async);
  r = uv_poll_start(&w->handle, UV_READABLE, on_poll);
  if (r < 0) {
    w->closing = 1;
    uv_close((uv_handle_t *)&w->handle, on_closed);
    return throw_errno(env, "uv_poll_start", -r);
  }
  w->owners = 2; /* and the JS external's share */
  napi_create_external(env, w, watcher_finalize, NULL, &handle);
  return handle;
}

/* pollClose(handle): stops watching at once (epoll forgets the fd, so the fd may be closed right
 * after) and releases the callback on the next loop turn. Idempotent. */
static napi_value poll_close(napi_env env, napi_callback_info info) {
  watcher_t *w;
  if (!get_args(env, info, "pollClose", "x", &w)) return NULL;
  if (!w->closing) {
    w->closing = 1;
    uv_poll_stop(&w->handle);
    uv_close((uv_handle_t *)&w->handle, on_closed);
  }
  return NULL;
}

/* ---- control messages and link-layer frames (Neighbor Discovery, gratuitous ARP) ------------ */

/* recvMessage(fd, data, info8, info32) -> length, or -1 when nothing is waiting.
 * One recvmsg, for low-rate control sockets that need what recvBatch does not report: Neighbor
 * Discovery must check the hop limit (RFC 4861 §7.1). The datagram lands in `data`; the result
 * is its REAL length (MSG_TRUNC), so a value above data.length means it was cut short.
 * info8 (>= 32 bytes): [0, 16) the peer address, [16, 32) the destination (IP(V6)_PKTINFO;
 * zeros if not reported). info32 (>= 2 entries): [0] the arrival ifindex (0 if not reported),
 * [1] the hop limit (IPV6_HOPLIMIT, with IPV6_RECVHOPLIMIT set), 256 if not reported. */
static napi_value recv_message(napi_env env, napi_callback_info info) {
  int32_t fd;
  uint8_t *data, *info8;
  uint32_t *info32;
  size_t dn, n8, n32;
  if (!get_args(env, info, "recvMessage", "ibbw", &fd, &data, &dn, &info8, &n8, &info32, &n32))
    return NULL;
  if (n8 < 2 * ADDR_LEN || n32 < 2) return throw_range(env, "recvMessage: info arrays too small");
  union sa name;
  _Alignas(struct cmsghdr) uint8_t ctl[CTL_LEN + CMSG_SPACE(sizeof(int)) + 16];
  struct iovec iov = {.iov_base = data, .iov_len = dn};
  struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof name, .msg_iov = &iov,
                     .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  ssize_t r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
  if (r < 0) {
    if (errno == EAGAIN || errno == EINTR) return make_int(env, -1);
    return throw_errno(env, "recvmsg", errno);
  }
  sa_to_slot(&name, info8);
  read_pktinfo(&m, info8 + ADDR_LEN, &info32[0]);
  info32[1] = 256;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int hops;
      memcpy(&hops, CMSG_DATA(c), sizeof hops);
      info32[1] = (uint32_t)hops;
    }
  }
  return make_int(env, r);
}

/* packetSend(fd, ifindex, protocol, destination, data) -> bytes sent.
 * sendto on an AF_PACKET socket: one frame out of interface `ifindex` with EtherType `protocol`
 * (host order) to the link-layer address `destination` (1 to 8 bytes). On a SOCK_DGRAM socket
 * the kernel writes the link-layer header, with the interface's own address as its source. A
 * socket opened with protocol 0 receives nothing, so a send-only socket needs no bind. */
static napi_value packet_send(napi_env env, napi_callback_info info) {
  int32_t fd, ifindex, protocol;
  uint8_t *dst, *data;
  size_t dn, n;
  if (!get_args(env, info, "packetSend", "iiibb", &fd, &ifindex, &protocol, &dst, &dn, &data, &n))
    return NULL;
  if (dn < 1 || dn > 8 || protocol < 0 || protocol > 0xffff || ifindex < 1)
    return throw_range(env, "packetSend: bad ifindex, protocol or link-layer address length");
  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons((uint16_t)protocol);
  ll.sll_ifindex = ifindex;
  ll.sll_halen = (unsigned char)dn;
  memcpy(ll.sll_addr, dst, dn);
  ssize_t r = sendto(fd, data, n, MSG_DONTWAIT, (struct sockaddr *)&ll, sizeof ll);
  if (r < 0) return throw_errno(env, "sendto", errno);
  return make_int(env, r);
}

/* packetSendBatch(fd, ifindex, protocol, data, count, offsets, lens, dsts, halen) -> sent
 * The batch form of packetSend: one sendmmsg on an AF_PACKET SOCK_DGRAM socket. Packet i is
 * data[offsets[i], +lens[i]) to the link-layer address dsts[i*8, i*8 + halen) (halen 1..8, each
 * destination in an 8-byte slot) out of interface `ifindex` with EtherType `protocol` (host
 * order); the kernel writes the link-layer header. Same contract as sendBatch: returns how many
 * packets the kernel took; if the FIRST fails it throws, so the caller can skip it. */
static napi_value packet_send_batch(napi_env env, napi_callback_info info) {
  int32_t fd, ifindex, protocol, count, halen;
  uint8_t *data, *dsts;
  uint32_t *off, *len;
  size_t dn, on, lnn, an;
  if (!get_args(env, info, "packetSendBatch", "iiibiwwbi", &fd, &ifindex, &protocol, &data, &dn,
                &count, &off, &on, &len, &lnn, &dsts, &an, &halen))
    return NULL;
  if (!check_spans(dn, count, off, on, len, lnn) || halen < 1 || halen > 8 ||
      (size_t)count * 8 > an || protocol < 0 || protocol > 0xffff || ifindex < 1)
    return throw_range(env, "packetSendBatch: span outside data, arrays too small or bad link fields");
  if (count == 0) return make_int(env, 0);
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  struct sockaddr_ll ll[BATCH_MAX];
  memset(msgs, 0, sizeof(msgs[0]) * count);
  memset(ll, 0, sizeof(ll[0]) * count);
  for (int i = 0; i < count; i++) {
    ll[i].sll_family = AF_PACKET;
    ll[i].sll_protocol = htons((uint16_t)protocol);
    ll[i].sll_ifindex = ifindex;
    ll[i].sll_halen = (unsigned char)halen;
    memcpy(ll[i].sll_addr, dsts + (size_t)i * 8, (size_t)halen);
    iov[i].iov_base = data + off[i], iov[i].iov_len = len[i];
    msgs[i].msg_hdr.msg_iov = &iov[i], msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &ll[i], msgs[i].msg_hdr.msg_namelen = sizeof ll[i];
  }
  int n = sendmmsg(fd, msgs, (unsigned)count, MSG_DONTWAIT);
  if (n < 0) return throw_errno(env, "sendmmsg", errno);
  return make_int(env, n);
}

/* ---- send ring: batched sends on a thread of their own ---------------------------------------- *
 * The home agent hands the batches whose result it does not wait for (the home link's multicast
 * frames, Binding Acknowledgements) to one native thread, so their sendmmsg (and the softirq work
 * a veth peer does inside it) runs on another CPU. One process-wide ring of RING_SLOTS slots in
 * memory the TS side sees as one ArrayBuffer (src/os/linux/send-ring.ts); single producer (the JS
 * thread), single consumer (the ring thread). Layout, 4-byte little-endian words:
 *   ctl (256 bytes): [0] head: slots submitted (JS writes)   [1] tail: slots done (thread writes)
 *     [2] 2 while the thread sleeps until woken, 1 while it naps (below)   [3] stop
 *     [4] 1 while JS waits for tail (drain)
 *     [8 + 4p ..]: port p's sent, refused, last errno, batches (thread adds; p < RING_PORTS)
 *   slot k at RING_CTL + k * RING_SLOT: int32 header[16] (kind, fd, ifindex|family, protocol,
 *     halen, count, port), u32 offsets[64], u32 lengths[64], 16-byte destinations [64] (kind
 *     PACKET: link-layer address in the first halen bytes; DATAGRAM: address slot as sendBatch,
 *     none for family AF_NETLINK: rtnetlink requests to the kernel),
 *     u16 ports[64], data[RING_DATA].
 * The JS side writes a slot with plain stores, then advances head with Atomics.add (in V8 a call
 * of its Atomics builtin, which the compiler moves no store across, doing a locked add: seq_cst on
 * a non-shared buffer too) and wakes the thread only when word 2 says it sleeps until woken; the
 * thread announces that, then looks at head again (both sides store, then load: seq_cst), so a
 * submit is never missed. Every span is checked against the slot before it is used. A refused
 * packet is counted and skipped, EAGAIN/ENOBUFS refuse the rest of the batch, as sendBatch does. */
#define RING_SLOTS 64
#define RING_PORTS 8
#define RING_CTL 256
#define RING_OFFSETS 64
#define RING_LENGTHS (RING_OFFSETS + 4 * BATCH_MAX)
#define RING_DSTS (RING_LENGTHS + 4 * BATCH_MAX)
#define RING_PORTNUMS (RING_DSTS + ADDR_LEN * BATCH_MAX)
#define RING_DATA_AT (RING_PORTNUMS + 2 * BATCH_MAX)
#define RING_DATA 16384 /* a full route batch (256 x 64 bytes); BAs and ND batches are smaller */
#define RING_SLOT (RING_DATA_AT + RING_DATA)
#define RING_BYTES (RING_CTL + RING_SLOTS * RING_SLOT)
#define RING_KIND_PACKET 1
#define RING_KIND_DATAGRAM 2

static uint8_t *ring_mem;      /* allocated once, never freed: the JS views live as long */
/* The ring has one producer: the first JS environment (main thread or worker) that opens it owns
 * it until that environment ends (its cleanup hook stops the thread and forgets the ArrayBuffer);
 * any other environment is refused. A napi_ref is only valid in the environment that made it. */
static napi_env ring_env;
static napi_ref ring_buffer;   /* the ArrayBuffer over ring_mem, in ring_env */
static pthread_t ring_thread;
static int ring_running;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the four above */

static int32_t *ring_ctl(void) { return (int32_t *)ring_mem; }
static long ring_futex(int32_t *word, int op, int32_t val, const struct timespec *ts) {
  return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

union ring_name {
  struct sockaddr_ll ll;
  union sa s;
};

static void ring_run_slot(uint8_t *slot) {
  const int32_t *h = (const int32_t *)slot;
  int kind = h[0], fd = h[1], where = h[2], protocol = h[3], halen = h[4], count = h[5], port = h[6];
  const uint32_t *off = (const uint32_t *)(slot + RING_OFFSETS);
  const uint32_t *len = (const uint32_t *)(slot + RING_LENGTHS);
  const uint8_t *dsts = slot + RING_DSTS;
  const uint16_t *ports = (const uint16_t *)(slot + RING_PORTNUMS);
  uint8_t *data = slot + RING_DATA_AT;
  if (count < 1 || count > BATCH_MAX || port < 0 || port >= RING_PORTS || halen < 0 || halen > 8) return;
  for (int i = 0; i < count; i++)
    if ((size_t)off[i] + len[i] > RING_DATA) return;
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  union ring_name names[BATCH_MAX];
  memset(msgs, 0, sizeof(msgs[0]) * count);
  for (int i = 0; i < count; i++) {
    iov[i].iov_base = data + off[i], iov[i].iov_len = len[i];
    msgs[i].msg_hdr.msg_iov = &iov[i], msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &names[i];
    if (kind == RING_KIND_PACKET) {
      memset(&names[i].ll, 0, sizeof names[i].ll);
      names[i].ll.sll_family = AF_PACKET;
      names[i].ll.sll_protocol = htons((uint16_t)protocol);
      names[i].ll.sll_ifindex = where;
      names[i].ll.sll_halen = (unsigned char)halen;
      memcpy(names[i].ll.sll_addr, dsts + (size_t)i * ADDR_LEN, (size_t)halen);
      msgs[i].msg_hdr.msg_namelen = sizeof names[i].ll;
    } else if (where == AF_NETLINK) {
      msgs[i].msg_hdr.msg_name = NULL; /* to the kernel */
    } else {
      msgs[i].msg_hdr.msg_namelen = slot_to_sa(where, dsts + (size_t)i * ADDR_LEN, ports[i], &names[i].s);
    }
  }
  int32_t *c = ring_ctl() + 8 + 4 * port;
  int i = 0, sent = 0, refused = 0, last = 0;
  while (i < count) {
    int n = sendmmsg(fd, msgs + i, (unsigned)(count - i), MSG_DONTWAIT);
    if (n > 0) { sent += n, i += n; continue; }
    if (n == 0) { refused += count - i; break; }
    last = errno;
    if (errno == EAGAIN || errno == ENOBUFS) { refused += count - i; break; }
    refused++, i++;
  }
  __atomic_add_fetch(&c[0], sent, __ATOMIC_SEQ_CST);
  if (last != 0) __atomic_store_n(&c[2], last, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(&c[1], refused, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(&c[3], 1, __ATOMIC_SEQ_CST);
}

/* How the idle thread waits. Waking a sleeping thread costs the JS thread a FUTEX_WAKE that, in a
 * VM, took 34 us (an interrupt to the other CPU); a home agent in a burst hands over a batch about
 * every 0.5 ms, and waking the thread for each took 7-13% of its JS thread. So the thread first
 * polls head for RING_SPIN_NS; then, while it has worked in the last RING_NAP_WINDOW_NS, it naps
 * (word 2 = 1: a futex wait with a RING_NAP_NS timeout that nobody needs to wake: a batch waits
 * at most that long); only after that quiet time does it sleep until woken (word 2 = 2). */
#define RING_SPIN_NS 20000L
#define RING_NAP_NS 500000L
#define RING_NAP_WINDOW_NS 50000000L

static int64_t ring_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000L + t.tv_nsec;
}

static inline void ring_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Polls head for up to RING_SPIN_NS; true when it moved. */
static int ring_spin(int32_t *ctl, int32_t head) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 1;; i++) {
    if (__atomic_load_n(&ctl[0], __ATOMIC_SEQ_CST) != head || __atomic_load_n(&ctl[3], __ATOMIC_SEQ_CST))
      return 1;
    ring_relax();
    if ((i & 63) == 0) {
      clock_gettime(CLOCK_MONOTONIC, &t);
      if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > RING_SPIN_NS) return 0;
    }
  }
}

static void *ring_main(void *arg) {
  (void)arg;
  int32_t *ctl = ring_ctl();
  int64_t worked = 0;
  const struct timespec nap = {0, RING_NAP_NS};
  for (;;) {
    /* head and tail count slots modulo 2^32 (unsigned: no signed overflow after 2^31 slots) */
    uint32_t tail = (uint32_t)__atomic_load_n(&ctl[1], __ATOMIC_SEQ_CST);
    int32_t head = __atomic_load_n(&ctl[0], __ATOMIC_SEQ_CST);
    if (tail == (uint32_t)head) {
      if (__atomic_load_n(&ctl[3], __ATOMIC_SEQ_CST)) break;
      if (ring_spin(ctl, head)) continue;
      int deep = ring_now_ns() - worked > RING_NAP_WINDOW_NS;
      __atomic_store_n(&ctl[2], deep ? 2 : 1, __ATOMIC_SEQ_CST);
      if (__atomic_load_n(&ctl[0], __ATOMIC_SEQ_CST) == head && !__atomic_load_n(&ctl[3], __ATOMIC_SEQ_CST))
        ring_futex(&ctl[0], FUTEX_WAIT_PRIVATE, head, deep ? NULL : &nap);
      __atomic_store_n(&ctl[2], 0, __ATOMIC_SEQ_CST);
      continue;
    }
    worked = ring_now_ns();
    ring_run_slot(ring_mem + RING_CTL + (size_t)(tail % RING_SLOTS) * RING_SLOT);
    __atomic_store_n(&ctl[1], (int32_t)(tail + 1u), __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ctl[4], __ATOMIC_SEQ_CST)) ring_futex(&ctl[1], FUTEX_WAKE_PRIVATE, 1, NULL);
  }
  return NULL;
}

/* Left in the ring: slots submitted and not done yet (head and tail modulo 2^32). */
static int32_t ring_left(void) {
  int32_t *ctl = ring_ctl();
  return (int32_t)((uint32_t)__atomic_load_n(&ctl[0], __ATOMIC_SEQ_CST) -
                   (uint32_t)__atomic_load_n(&ctl[1], __ATOMIC_SEQ_CST));
}

/* The thread finishes what was submitted and ends. With ring_lock held. */
static void ring_stop_locked(void) {
  if (!ring_running) return;
  __atomic_store_n(&ring_ctl()[3], 1, __ATOMIC_SEQ_CST);
  ring_futex(&ring_ctl()[0], FUTEX_WAKE_PRIVATE, 1, NULL);
  pthread_join(ring_thread, NULL);
  ring_running = 0;
}

/* The owning environment ends (a worker exits, or the process): the thread sends what it holds
 * and stops, the reference goes, and another environment may open the ring. */
static void ring_env_gone(void *arg) {
  pthread_mutex_lock(&ring_lock);
  if (ring_env == (napi_env)arg) {
    ring_stop_locked();
    napi_delete_reference(ring_env, ring_buffer);
    ring_buffer = NULL;
    ring_env = NULL;
  }
  pthread_mutex_unlock(&ring_lock);
}

/* Whether `env` may use the ring (it owns it); throws when another environment does. */
static int ring_owner(napi_env env, const char *fn) {
  pthread_mutex_lock(&ring_lock);
  int other = ring_env != NULL && ring_env != env;
  pthread_mutex_unlock(&ring_lock);
  if (other) {
    char msg[120];
    snprintf(msg, sizeof msg, "%s: the send ring belongs to another thread of this process", fn);
    throw_range(env, msg);
  }
  return !other;
}

/* sendRingOpen() -> ArrayBuffer: the ring's memory (the same buffer on every call), with its
 * thread started if it is not running. The thread blocks every signal: they stay the JS thread's.
 * Throws in any environment but the one that opened the ring first (while that one lives). */
static napi_value send_ring_open(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ab = NULL;
  const char *fail = NULL;
  int err = 0;
  pthread_mutex_lock(&ring_lock);
  if (ring_env != NULL && ring_env != env) {
    fail = "sendRingOpen: the send ring belongs to another thread of this process";
  } else if (ring_mem == NULL && (ring_mem = aligned_alloc(64, RING_BYTES)) != NULL) {
    memset(ring_mem, 0, RING_BYTES);
  }
  if (fail == NULL && ring_mem == NULL) {
    err = ENOMEM;
  } else if (fail == NULL && ring_env == NULL) {
    napi_ref ref;
    if (napi_create_external_arraybuffer(env, ring_mem, RING_BYTES, NULL, NULL, &ab) != napi_ok ||
        napi_create_reference(env, ab, 1, &ref) != napi_ok) {
      fail = "sendRingOpen: cannot expose the ring's memory";
    } else {
      ring_buffer = ref, ring_env = env;
      napi_add_env_cleanup_hook(env, ring_env_gone, env);
    }
  } else if (fail == NULL) {
    napi_get_reference_value(env, ring_buffer, &ab);
  }
  if (fail == NULL && err == 0 && !ring_running) {
    int32_t *ctl = ring_ctl();
    __atomic_store_n(&ctl[3], 0, __ATOMIC_SEQ_CST);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&ring_thread, NULL, ring_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err == 0) ring_running = 1;
  }
  pthread_mutex_unlock(&ring_lock);
  if (fail != NULL) return throw_range(env, fail);
  if (err != 0) return throw_errno(env, err == ENOMEM ? "aligned_alloc" : "pthread_create", err);
  return ab;
}

/* sendRingKick(): wakes the ring thread (after head moved while it slept). */
static napi_value send_ring_kick(napi_env env, napi_callback_info info) {
  (void)info;
  if (!ring_owner(env, "sendRingKick")) return NULL;
  if (ring_mem != NULL) ring_futex(&ring_ctl()[0], FUTEX_WAKE_PRIVATE, 1, NULL);
  return make_int(env, 0);
}

/* sendRingDrain(timeoutMs, most = 0) -> slots still waiting: waits until at most `most` submitted
 * slots are left (0: every one done, before a ring-fed socket is closed; RING_SLOTS - 1: room for
 * one more), at most timeoutMs. When the thread is not
 * running it does not wait and says what is left (those slots go when the ring opens again). */
static napi_value send_ring_drain(napi_env env, napi_callback_info info) {
  int32_t ms, most = 0;
  napi_value mostv;
  if (!get_args(env, info, "sendRingDrain", "iv", &ms, &mostv)) return NULL;
  napi_get_value_int32(env, mostv, &most); /* undefined: 0 */
  if (!ring_owner(env, "sendRingDrain")) return NULL;
  if (ring_mem == NULL) return make_int(env, 0);
  if (!ring_running) return make_int(env, ring_left());
  int32_t *ctl = ring_ctl();
  struct timespec end, now, left;
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += ms / 1000, end.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (end.tv_nsec >= 1000000000L) end.tv_sec++, end.tv_nsec -= 1000000000L;
  __atomic_store_n(&ctl[4], 1, __ATOMIC_SEQ_CST);
  for (;;) {
    int32_t tail = __atomic_load_n(&ctl[1], __ATOMIC_SEQ_CST);
    int32_t head = __atomic_load_n(&ctl[0], __ATOMIC_SEQ_CST);
    if ((int32_t)((uint32_t)head - (uint32_t)tail) <= most) break;
    ring_futex(&ctl[0], FUTEX_WAKE_PRIVATE, 1, NULL);
    clock_gettime(CLOCK_MONOTONIC, &now);
    left.tv_sec = end.tv_sec - now.tv_sec, left.tv_nsec = end.tv_nsec - now.tv_nsec;
    if (left.tv_nsec < 0) left.tv_sec--, left.tv_nsec += 1000000000L;
    if (left.tv_sec < 0) break;
    ring_futex(&ctl[1], FUTEX_WAIT_PRIVATE, tail, &left);
  }
  __atomic_store_n(&ctl[4], 0, __ATOMIC_SEQ_CST);
  return make_int(env, ring_left());
}

/* sendRingStop(): the thread finishes what was submitted and ends (sendRingOpen starts it again). */
static napi_value send_ring_stop(napi_env env, napi_callback_info info) {
  (void)info;
  if (!ring_owner(env, "sendRingStop")) return NULL;
  pthread_mutex_lock(&ring_lock);
  if (ring_mem != NULL) ring_stop_locked();
  pthread_mutex_unlock(&ring_lock);
  return make_int(env, 0);
}

/* ---- packet-socket receive (userspace proxy Neighbor Discovery) ----------------------------- *
 * A home agent answers Neighbor Solicitations for the home addresses it defends from one
 * AF_PACKET socket instead of one kernel proxy entry (and solicited-node group) per address.
 * The socket is bound with packetBind, filtered in the kernel with attachFilter, put in
 * all-multicast mode with setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, struct packet_mreq), and
 * read with recvBatch (no peer addresses: the IPv6 header carries them). */

/* packetBind(fd, ifindex, protocol): bind(2) an AF_PACKET socket to one interface and one
 * EtherType (host order), so it receives only that interface's frames of that type. */
static napi_value packet_bind(napi_env env, napi_callback_info info) {
  int32_t fd, ifindex, protocol;
  if (!get_args(env, info, "packetBind", "iii", &fd, &ifindex, &protocol)) return NULL;
  if (ifindex < 1 || protocol < 0 || protocol > 0xffff)
    return throw_range(env, "packetBind: bad ifindex or protocol");
  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons((uint16_t)protocol);
  ll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&ll, sizeof ll) < 0) return throw_errno(env, "bind", errno);
  return NULL;
}

/* attachFilter(fd, code): SO_ATTACH_FILTER with a classic BPF program; `code` holds the
 * struct sock_filter entries as the kernel lays them out (8 bytes each, host order: u16 code,
 * u8 jt, u8 jf, u32 k), 1 to BPF_MAXINSNS of them. The kernel checks the program. */
static napi_value attach_filter(napi_env env, napi_callback_info info) {
  int32_t fd;
  uint8_t *code;
  size_t n;
  if (!get_args(env, info, "attachFilter", "ib", &fd, &code, &n)) return NULL;
  if (n == 0 || n % sizeof(struct sock_filter) != 0 || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return throw_range(env, "attachFilter: code is not 1..4096 sock_filter entries");
  struct sock_fprog prog = {.len = (unsigned short)(n / sizeof(struct sock_filter)),
                            .filter = (struct sock_filter *)(void *)code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
    return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* ---- close, setns, constants ----------------------------------------------------------------- */

/* close(fd). Close any watcher on the fd first (pollClose). */
static napi_value fd_close(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!get_args(env, info, "close", "i", &fd)) return NULL;
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return NULL;
}

/* setns(fd, nstype): moves the CALLING THREAD (the main JS thread) into the namespace behind
 * fd (an fd of /var/run/netns/NAME or /proc/thread-self/ns/net). Sockets and TUNs created
 * afterwards belong to it and stay there when the thread moves back. libuv's thread pool and
 * other threads are not moved: never run async fs/dns work across a switch. Tests only. */
static napi_value set_ns(napi_env env, napi_callback_info info) {
  int32_t fd, type;
  if (!get_args(env, info, "setns", "ii", &fd, &type)) return NULL;
  if (setns(fd, type) < 0) return throw_errno(env, "setns", errno);
  return NULL;
}

/* The numbers the TS side needs, from the C headers rather than copied by hand. */
static void add_constants(napi_env env, napi_value exports) {
  napi_value c;
  napi_create_object(env, &c);
#define C(name) napi_set_named_property(env, c, #name, make_int(env, name))
  C(AF_INET); C(AF_INET6); C(AF_NETLINK); C(SOCK_DGRAM); C(SOCK_RAW); C(NETLINK_ROUTE);
  C(IPPROTO_IP); C(IPPROTO_IPV6); C(IPPROTO_IPIP); C(IPPROTO_UDP); C(IPPROTO_RAW);
  C(IPPROTO_ROUTING); C(IPPROTO_DSTOPTS); C(IPPROTO_MH);
  C(SOL_SOCKET); C(SO_BINDTODEVICE); C(SO_REUSEADDR); C(SO_BROADCAST); C(SO_RCVBUF);
  C(SO_RCVBUFFORCE); C(SO_SNDBUF); C(SO_SNDBUFFORCE); C(SO_ERROR);
  C(IP_PKTINFO); C(IP_MTU_DISCOVER); C(IP_PMTUDISC_DO); C(IP_HDRINCL);
  C(IPV6_CHECKSUM); C(IPV6_RECVPKTINFO); C(IPV6_V6ONLY); C(IPV6_MTU_DISCOVER);
  C(IPV6_PMTUDISC_DO); C(SOL_NETLINK); C(NETLINK_ADD_MEMBERSHIP); C(NETLINK_EXT_ACK);
  C(CLONE_NEWNET);
  C(AF_PACKET); C(ETH_P_ARP); C(ETH_P_IPV6); C(IPPROTO_ICMPV6); C(ICMP6_FILTER);
  C(IPV6_JOIN_GROUP); C(IPV6_LEAVE_GROUP); C(IPV6_MULTICAST_LOOP); C(IPV6_RECVHOPLIMIT);
  C(BATCH_MAX);
  /* send ring */
  C(RING_SLOTS); C(RING_PORTS); C(RING_CTL); C(RING_OFFSETS); C(RING_LENGTHS); C(RING_DSTS);
  C(RING_PORTNUMS); C(RING_DATA_AT); C(RING_DATA); C(RING_SLOT); C(RING_KIND_PACKET); C(RING_KIND_DATAGRAM);
  /* packet-socket receive */
  C(SOL_PACKET); C(PACKET_ADD_MEMBERSHIP); C(PACKET_MR_ALLMULTI); C(PACKET_IGNORE_OUTGOING);
#undef C
  napi_set_named_property(env, exports, "constants", c);
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    {"tunOpen", tun_open}, {"ifIndex", if_index}, {"socket", sock_open},
    {"setsockopt", sock_setopt}, {"bindInet", bind_inet},
    {"bindNetlink", bind_netlink}, {"recvBatch", recv_batch}, {"readBatch", read_batch}, {"tsoSplit", tso_split},
    {"sendBatch", send_batch}, {"writeBatch", write_batch}, {"pollStart", poll_start},
    {"pollClose", poll_close}, {"close", fd_close}, {"setns", set_ns},
    {"recvMessage", recv_message}, {"packetSend", packet_send}, {"packetSendBatch", packet_send_batch},
    {"sendRingOpen", send_ring_open}, {"sendRingKick", send_ring_kick}, {"sendRingDrain", send_ring_drain},
    {"sendRingStop", send_ring_stop},
    {"packetBind", packet_bind}, {"attachFilter", attach_filter},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  add_constants(env, exports);
  return exports;
}
