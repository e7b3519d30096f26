"""Listeners registered on every request and never unregistered."""
from _dump import dump_here


class EventBus:
    def __init__(self):
        self.listeners = []

    def subscribe(self, callback):
        self.listeners.append(callback)


BUS = EventBus()


class RequestHandler:
    def __init__(self, number):
        self.number = number
        self.buffer = bytearray(256)

    def on_event(self, event):
        return (self.number, event)


for number in range(2000):
    handler = RequestHandler(number)
    BUS.subscribe(handler.on_event)  # the bound method keeps the handler alive

dump_here("listeners.zst")
