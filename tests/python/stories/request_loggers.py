"""A request handler asks for a logger named after each request: logging keeps them all."""
import logging
import uuid

from _story import dump

logging.basicConfig(level=logging.WARNING)


class Handler:
    def handle(self, request_id, body):
        log = logging.getLogger("shop.checkout.%s" % request_id)
        log.info("checking out %d items", len(body))
        return sum(body)


handler = Handler()
for n in range(4000):
    handler.handle(uuid.UUID(int=n * 7919 + 1).hex, [n, n + 1, n + 2])
dump()
