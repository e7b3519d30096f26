"""Many small instances of a class without __slots__, all with the same attributes."""
from _dump import dump_here


class Point:
    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z


POINTS = [Point(i, i * 2, i * 3) for i in range(4000)]

dump_here("no_slots.zst")
