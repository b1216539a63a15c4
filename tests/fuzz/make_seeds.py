#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets that need no captures:

    tests/fuzz/make_seeds.py

tcp_input: a mode byte (see fuzz_tcp_input.c), then length-prefixed IPv4/TCP
packets: handshakes to the listener, data, ACKs, SACK, FIN, RST, window probes
to the established connection (relative sequence numbers).
rping_msg: rping's 16-byte RDMA info message, right and wrong sizes.
perf_ctl: a selector byte, then one of perftest's and iwarp-perf's control
messages (see fuzz_perf_ctl.c).
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(kind, blob):
    d = os.path.join(HERE, 'corpus', kind)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(blob)


# ---- tcp_input ----
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
MSS = b'\x02\x04\x05\xb4'
WS = b'\x01\x03\x03\x07'
SACKOK = b'\x01\x01\x04\x02'


def ts(val, ecr):
    return b'\x01\x01\x08\x0a' + struct.pack('>II', val, ecr)


def sack(*blocks):
    b = b''.join(struct.pack('>II', s, e) for s, e in blocks)
    return b'\x01\x01\x05' + bytes([2 + len(b)]) + b


def seg(seq, ack, flags, win=65535, opts=b'', data=b'', sport=0, dport=0):
    opts += b'\x00' * (-len(opts) % 4)
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                      (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts + data
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
    return ip + tcp


def frames(mode, *pkts):
    return bytes([mode]) + b''.join(struct.pack('>H', len(p)) + p for p in pkts)


FIXREL = 0x0e            # fix IP, ports, checksums; relative seq/ack
LISTEN = 0x07            # to the listener, fixed
put('tcp_input', frames(FIXREL, seg(0, 0, ACK)))
put('tcp_input', frames(FIXREL, seg(0, 0, ACK | PSH, data=b'a' * 100),
                        seg(100, 0, ACK | PSH, data=b'b' * 1400)))
put('tcp_input', frames(FIXREL | 0x10, seg(0, 1000, ACK), seg(0, 3000, ACK),
                        seg(0, 3000, ACK | FIN)))
put('tcp_input', frames(FIXREL | 0x10, seg(0, 0, ACK), seg(0, 0, ACK), seg(0, 0, ACK),
                        seg(0, 0, ACK, opts=sack((1000, 2000)))))
put('tcp_input', frames(FIXREL, seg(500, 0, ACK, data=b'c' * 300),
                        seg(1000, 0, ACK, data=b'd' * 300), seg(0, 0, ACK, data=b'e' * 500)))
put('tcp_input', frames(FIXREL, seg(0, 0, RST)))
put('tcp_input', frames(FIXREL, seg(7, 0, RST)))
put('tcp_input', frames(FIXREL, seg(0, 0, SYN)))
put('tcp_input', frames(FIXREL, seg(0, 0, ACK | FIN), seg(1, 0, ACK)))
put('tcp_input', frames(FIXREL | 0x20, seg(0, 0, ACK, win=0), seg(0, 0, ACK, win=100)))
put('tcp_input', frames(FIXREL, seg(0, 0, ACK, opts=ts(1, 0), data=b'f' * 10),
                        seg(10, 0, ACK, opts=ts(0x80000000, 0), data=b'g' * 10)))
put('tcp_input', frames(FIXREL | 0x40, seg(0, 0x10000000, ACK)))
put('tcp_input', frames(FIXREL | 0x80, seg(0, 1, ACK), seg(0, 1, ACK | FIN), seg(1, 1, ACK)))
put('tcp_input', frames(FIXREL | 0x80, seg(0, 0, ACK | FIN), seg(1, 1, ACK)))
put('tcp_input', frames(FIXREL | 0x90, seg(0, 3001, ACK), seg(0, 3001, ACK | FIN, data=b'i' * 10)))
put('tcp_input', frames(LISTEN, seg(1000, 0, SYN, opts=MSS + WS + SACKOK + ts(5, 0), sport=40000)))
put('tcp_input', frames(LISTEN, seg(1000, 0, SYN, opts=MSS, sport=40001),
                        seg(1001, 0, ACK, sport=40001), seg(1001, 0, ACK | PSH, data=b'h' * 20,
                                                           sport=40001)))
put('tcp_input', frames(LISTEN, *[seg(7000 + i, 0, SYN, sport=41000 + i) for i in range(12)]))
put('tcp_input', frames(LISTEN, seg(1000, 12345, ACK, sport=40002)))
put('tcp_input', frames(LISTEN, seg(1000, 0, RST, sport=40003)))
put('tcp_input', frames(0x00, seg(0, 0, ACK)))  # nothing fixed: dropped
put('tcp_input', frames(0x0e, seg(0, 0, ACK, opts=b'\x02\x04\x05'), seg(0, 0, ACK, opts=b'\x08\x0a')))

# ---- rping_msg ----
for addr, rkey, size in ((0x7f0012345000, 0x1234, 64), (0, 0, 0), (2**64 - 1, 2**32 - 1, 65535),
                         (0x1000, 0xab00cd01, 26)):
    msg = struct.pack('>QII', addr, rkey, size)
    for ours in (64, 26, 65535):
        put('rping_msg', struct.pack('>I', ours) + msg)
put('rping_msg', struct.pack('>I', 64) + b'\x00' * 15)
put('rping_msg', struct.pack('>I', 64) + b'\x01' * 17)

# ---- perf_ctl ----
# 0: perftest version string; 1: cycle buffer (be32); 2: pingpong_dest (56 B);
# 3: the BW report (5 be64); 4: an iwarp-perf BEGIN as a server checks it;
# 5: the -b kernel-TCP duplex record stream.
put('perf_ctl', b'\x00' + b'6.06\x00' + b'\x00' * 11)
put('perf_ctl', b'\x00' + b'5.5\x00' + b'\x00' * 12)
put('perf_ctl', b'\x00' + b'1e308x' + b'9' * 10)
put('perf_ctl', b'\x01' + struct.pack('>I', 4096))
put('perf_ctl', b'\x01' + struct.pack('>I', 2**32 - 1))
dest = struct.pack('>IIIII I Q 16s II', 0, 16, 5, 0, 0x1234, 0, 0x7f0000001000, b'\x00' * 16, 0, 0)
put('perf_ctl', b'\x02' + dest)
put('perf_ctl', b'\x02' + b'\x00' * 56)
rep = struct.pack('>QQddd', 65536, 5000, 11000.5, 10000.25, 0.16)
put('perf_ctl', b'\x03\x00' + rep)
put('perf_ctl', b'\x03\x01' + struct.pack('>QQQQQ', 2**64 - 1, 2**64 - 1, 0x7ff0000000000000,
                                          0x7ff8000000000001, 0xfff0000000000000))


def ctl(typ, verb, kind, size, window=0, status=0, flags=0, count=0, rest=b''):
    c = struct.pack('>IHBBIIIIQ', 0x49575046, typ, verb, kind, size, window, status, flags, count)
    return c + rest + b'\x00' * (64 - len(c) - len(rest))


# selector 4: our verb, kind, max size (be32), duration (be32), then the record
for verb, kind, size, window, count, dur in ((0, 0, 65536, 64, 1000, 0), (0, 0, 65536, 64, 0, 5),
                                            (1, 1, 0, 1, 1, 0), (2, 0, 2**31, 1, 0, 4000)):
    put('perf_ctl', b'\x04' + bytes([verb, kind]) + struct.pack('>II', 1 << 20, dur) +
        ctl(1, verb, kind, size, window, count=count))
# selector 5: client flag and message size (be32), then the stream
cred = lambda t, n: t + b'\x00\x00\x00' + struct.pack('>I', n)
put('perf_ctl', b'\x05\x01' + struct.pack('>I', 32) + b'D' + b'x' * 31 + cred(b'C', 1) +
    ctl(3, 0, 0, 32, count=1))
put('perf_ctl', b'\x05\x00' + struct.pack('>I', 16) + b'D' * 16 + b'E' * 16 + cred(b'F', 0) +
    ctl(1, 0, 0, 16, window=1, count=1))
