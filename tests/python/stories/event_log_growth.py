"""An audit module appends every event to a module-level list, steadily, for the whole
run: run it under `python3 -m heapan run --trace T --dump-at-exit D`."""
import time

AUDIT = []


def record(n):
    AUDIT.append({"event": n, "who": "user %d" % (n % 50), "details": "x" * 200})


for n in range(6000):
    record(n)
    if n % 200 == 0:
        time.sleep(0.005)
