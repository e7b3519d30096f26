"""A whole file read into memory with readlines() where streaming would do."""
import os
import tempfile

from _dump import dump_here

path = os.path.join(tempfile.mkdtemp(), "access.log")
with open(path, "w") as f:
    for i in range(3000):
        f.write("192.168.0.%d - - [24/Nov/2026] GET /item/%d 200\n" % (i % 256, i))

with open(path) as f:
    LINES = f.readlines()
total = sum(1 for line in LINES if " 200" in line)

dump_here("readlines.zst")
