"""A service whose cache and listener list grow, and which starts keeping a
new kind of object; dumped before and after (for `heapan compare`).

    python3 -S samples/growth.py BEFORE.zst AFTER.zst
"""
import sys

import heapan

_CACHE = {}


class Response:
    def __init__(self, user_id):
        self.user_id = user_id
        self.body = "profile of user %d " % user_id * 4


class EventBus:
    def __init__(self):
        self.listeners = []


BUS = EventBus()


class Handler:
    def __init__(self, number):
        self.number = number
        self.buffer = bytearray(200)

    def on_event(self, event):
        return self.number, event


class AuditRecord:
    def __init__(self, request):
        self.request = request
        self.detail = "request %d served" % request


AUDIT = []


def serve(first, last, audit):
    for request in range(first, last):
        key = "user:%d" % request
        if key not in _CACHE:
            _CACHE[key] = Response(request)
        BUS.listeners.append(Handler(request).on_event)
        if audit:
            AUDIT.append(AuditRecord(request))


serve(0, 200, audit=False)
heapan.dump(sys.argv[1])
serve(200, 3000, audit=True)
heapan.dump(sys.argv[2])
