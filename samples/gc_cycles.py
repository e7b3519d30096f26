"""Reference cycles left behind while the garbage collector is disabled."""
import gc

from _dump import dump_here


class Node:
    def __init__(self, name):
        self.name = name
        self.peer = None
        self.payload = [name] * 20


gc.disable()
for i in range(1000):
    a, b = Node("a%d" % i), Node("b%d" % i)
    a.peer, b.peer = b, a  # unreachable once the loop moves on, but never collected
del a, b

dump_here("gc_cycles.zst")
