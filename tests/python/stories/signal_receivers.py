"""An app connects a handler object per tenant to a blinker signal, strongly, and never
disconnects: the signal's receivers keep every handler, and its index of receivers
keeps their ids."""
import blinker

from _story import dump

order_saved = blinker.signal("order-saved")


class AuditHandler:
    def __init__(self, tenant):
        self.tenant = tenant
        self.buffer = bytearray(400)

    def __call__(self, sender, **extra):
        self.last = sender


handlers = []
for tenant in range(3000):
    order_saved.connect(AuditHandler(tenant), weak=False)
dump()
