#!/usr/bin/env python3
"""Writes Sources/HamletCore/Resources/gb18030.deflate, the table GB18030.swift decodes with.

Python's own `gb18030` codec is the oracle: every two-byte code (lead 0x81-0xFE,
trail 0x40-0x7E or 0x80-0xFE, 23,940 codes) is decoded, and every four-byte code of
the Basic Multilingual Plane (0x81308130-0x8431A439, 39,420 codes) is folded into the
ranges of consecutive code points it forms (the rest of the four-byte space is
arithmetic: 0x90308130 is U+10000). The stream, before raw DEFLATE (level 9):

  23,940 two-byte code points as zigzag deltas from the previous one, LEB128 varints;
  the number of four-byte ranges, then for each range its first linear index and
  first code point as deltas from the previous range's, LEB128 varints.

Run it again to regenerate; the Swift tests check the decoder against the codec.
"""
import os, sys, zlib

def varint(out, n):
    assert n >= 0
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)

def main():
    out = bytearray()
    prev = 0
    for lead in range(0x81, 0xFF):
        for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
            cp = ord(bytes([lead, trail]).decode('gb18030'))
            d = cp - prev
            varint(out, (d << 1) ^ (d >> 63))  # zigzag
            prev = cp
    ranges = []
    linear = 0
    for b1 in range(0x81, 0x85):
        for b2 in range(0x30, 0x3A):
            for b3 in range(0x81, 0xFF):
                for b4 in range(0x30, 0x3A):
                    if linear > 39419:
                        break
                    cp = ord(bytes([b1, b2, b3, b4]).decode('gb18030'))
                    if not ranges or ranges[-1][1] + (linear - ranges[-1][0]) != cp:
                        ranges.append((linear, cp))
                    linear += 1
    varint(out, len(ranges))
    pl, pc = 0, 0
    for lin, cp in ranges:
        assert lin >= pl and cp >= pc, "ranges rise in both index and code point"
        varint(out, lin - pl)
        varint(out, cp - pc)
        pl, pc = lin, cp
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = c.compress(bytes(out)) + c.flush()
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, '..', 'Sources', 'HamletCore', 'Resources', 'gb18030.deflate')
    with open(path, 'wb') as f:
        f.write(packed)
    print(f"{len(ranges)} ranges; {len(out)} bytes, {len(packed)} deflated -> {os.path.normpath(path)}", file=sys.stderr)

main()
