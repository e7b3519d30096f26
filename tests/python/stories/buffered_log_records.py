"""A service buffers its log records in memory before shipping them in batches:
thousands of logging.LogRecord objects, the standard library's class."""
import logging
import logging.handlers

from _story import dump

shipped = []
buffer = logging.handlers.MemoryHandler(capacity=100000, flushLevel=logging.CRITICAL)
log = logging.getLogger("shipper")
log.addHandler(buffer)
log.setLevel(logging.INFO)
log.propagate = False
for n in range(6000):
    log.info("order %d shipped to %s", n, "warehouse-%d" % (n % 12))
dump()
