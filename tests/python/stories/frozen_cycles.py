"""A pre-fork server freezes its heap before forking workers, without collecting
first: the cycles it had dropped are frozen, and never collected."""
import gc

from _story import dump


class Session:
    def __init__(self, n):
        self.me = self
        self.history = ["page %d" % k for k in range(15)]


sessions = [Session(n) for n in range(2500)]
sessions.clear()        # dropped, but still cycles the collector has not seen
gc.freeze()
dump()
