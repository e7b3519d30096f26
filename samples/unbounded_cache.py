"""An unbounded module-level cache: every request adds an entry, none is ever evicted."""
from _dump import dump_here

_CACHE = {}


class Response:
    def __init__(self, user_id):
        self.user_id = user_id
        self.body = "profile of user %d " % user_id * 4
        self.headers = {"content-type": "application/json", "x-user": str(user_id)}


def get_profile(user_id):
    key = "user:%d" % user_id
    if key not in _CACHE:
        _CACHE[key] = Response(user_id)
    return _CACHE[key]


for request in range(2000):
    get_profile(request)

dump_here("unbounded_cache.zst")
