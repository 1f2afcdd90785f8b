"""Renames a step or a graph input of a cimlir plan (docs/plan-format.md) and writes a
valid plan again (section table, CRCs). Names are given with Python escapes, so that tests
can put control characters into them:
    rename_in_plan.py IN.plan OUT.plan step|input INDEX 'new\\nname'
"""
import codecs
import json
import struct
import sys
import zlib

src, dst, kind, index, name = sys.argv[1:6]
name = codecs.decode(name, "unicode_escape")
data = open(src, "rb").read()
magic, version, count, fingerprint, _tcrc, _r0, producer, _r1, _hcrc = struct.unpack_from(
    "<8sIIQII24sII", data, 0)
entries = [list(struct.unpack_from("<IIQQ40s", data, 64 + 64 * i)) for i in range(count)]
sections = [data[e[2]:e[2] + e[3]] for e in entries]
meta = json.loads(sections[0])
if kind == "step":
    meta["steps"][int(index)]["name"] = name
else:
    meta["inputs"][int(index)]["name"] = name
sections[0] = json.dumps(meta).encode()

align = lambda v: (v + 63) // 64 * 64
offset = align(64 + 64 * count)
table = b""
for e, body in zip(entries, sections):
    table += struct.pack("<IIQQ40s", e[0], zlib.crc32(body), offset, len(body), e[4])
    e[2] = offset
    offset = align(offset + len(body))
head = struct.pack("<8sIIQII24sI", magic, version, count, fingerprint, zlib.crc32(table), 0,
                   producer, 0)
out = bytearray(head + struct.pack("<I", zlib.crc32(head)) + table)
for e, body in zip(entries, sections):
    out += b"\0" * (e[2] - len(out)) + body
out += b"\0" * (align(len(out)) - len(out))
open(dst, "wb").write(out)
