"""Widgets subscribe a bound method to an event bus and are never unsubscribed: the
bus keeps every widget alive."""
from _story import dump


class EventBus:
    def __init__(self):
        self.subscribers = []

    def subscribe(self, callback):
        self.subscribers.append(callback)


class Widget:
    def __init__(self, n):
        self.n = n
        self.pixels = bytearray(600)

    def on_theme_change(self, theme):
        self.theme = theme


bus = EventBus()
for n in range(3000):
    widget = Widget(n)
    bus.subscribe(widget.on_theme_change)
dump()
