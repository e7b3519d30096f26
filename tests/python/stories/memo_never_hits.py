"""A page renderer memoises on the request: every call has its own arguments, so the
cache never hits and keeps every page."""
import functools

from _story import dump


@functools.lru_cache(maxsize=None)
def render_page(user_id, timestamp):
    return "<html><body>user %d at %d</body></html>" % (user_id, timestamp) * 6


for n in range(4000):
    render_page(n % 400, 1700000000 + n)
dump()
