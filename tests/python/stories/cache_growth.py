"""A profile service caches responses in a module-level dict that nothing evicts.  It
dumps twice: after the first 300 requests (argv[1]) and after 3000 (argv[2])."""
import sys

import heapan

_RESPONSES = {}


class Response:
    def __init__(self, user_id):
        self.user_id = user_id
        self.body = "profile of user %d " % user_id * 6
        self.headers = {"content-type": "application/json", "x-user": str(user_id)}


def get_profile(user_id):
    key = "user:%d" % user_id
    if key not in _RESPONSES:
        _RESPONSES[key] = Response(user_id)
    return _RESPONSES[key]


for request in range(3000):
    get_profile(request)
    if request == 299:
        heapan.dump(sys.argv[1])
heapan.dump(sys.argv[2])
