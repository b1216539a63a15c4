#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed the fuzz corpora from the siw captures in ../shared/iwarp-vectors.

    tests/fuzz/make_corpus.py [VECTORS_DIR]

mpa_handshake: a selector byte, then an MPA request or reply as siw sent it.
fpdu_rx: a flags byte (bit 0: CRC), a chunking seed, then the first bytes of a
direction's FPDU stream (after the MPA frames).
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', '..', 'shared',
                                                         'iwarp-vectors')
CAPS = ['rping_crc-on', 'rping_crc-off', 'rping_p2p', 'rping_mpa-v1', 'rping_try-gso',
        'rping_crc-strict-reject', 'mpa_probe_markers_from_netns', 'pdpeer_privdata_crc-on',
        'terminate_badcrc_from_netns', 'terminate_badstag_from_netns', 'rdma_server_client',
        'write_bw_crc-on', 'read_bw_crc-off', 'send_bw_crc-on']


def packets(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack(end + 'I', data[pos + 8:pos + 12])[0]
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        if len(frame) < 54 or frame[12:14] != b'\x08\x00':
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0]
        if ip[9] != 6:
            continue
        tcp = ip[ihl:tot]
        thl = (tcp[12] >> 4) * 4
        yield (ip[12:16], tcp[0:2], ip[16:20], tcp[2:4]), struct.unpack('>I', tcp[4:8])[0], \
            tcp[13], tcp[thl:]


def streams(path):
    dirs, order = {}, []
    for key, seq, flags, pay in packets(path):
        d = dirs.setdefault(key, {'isn': None, 'segs': []})
        if key not in order:
            order.append(key)
        if flags & 2:
            d['isn'] = seq + 1
        if pay:
            d['segs'].append((seq, pay))
    out = {}
    for key in order:
        d = dirs[key]
        base = d['isn'] if d['isn'] is not None else min(s for s, _ in d['segs'])
        buf = bytearray()
        for seq, pay in sorted(d['segs'], key=lambda s: (s[0] - base) & 0xffffffff):
            off = (seq - base) & 0xffffffff
            if off <= len(buf):
                buf += pay[len(buf) - off:]
        out[key] = bytes(buf)
    return order, out


def mpa_len(b):
    return 20 + struct.unpack('>H', b[18:20])[0] if len(b) >= 20 else 0


def put(kind, blob):
    d = os.path.join(HERE, 'corpus', kind)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    open(os.path.join(d, name), 'wb').write(blob)


for cap in CAPS:
    order, st = streams(os.path.join(VEC, cap + '.pcap'))
    for i in range(0, len(order), 2):
        req, rep = st[order[i]], st[order[i + 1]] if i + 1 < len(order) else b''
        lq, lp = mpa_len(req), mpa_len(rep)
        if not req.startswith(b'MPA ID Req Frame') or not rep.startswith(b'MPA ID Rep Frame'):
            continue
        put('mpa_handshake', b'\x24' + req[:lq])
        put('mpa_handshake', b'\x45' + rep[:lp])
        crc = 1 if (req[16] | rep[16]) & 0x40 else 0
        for body in (req[lq:], rep[lp:]):
            if body:
                put('fpdu_rx', bytes([crc, 0x35]) + body[:1500])
        break
