"""A latency-sensitive service turned the collector off; its parse trees have parent
links, so every tree it drops is a cycle that stays."""
import gc

from _story import dump

gc.disable()


class Node:
    def __init__(self, parent, label):
        self.parent = parent
        self.label = label
        self.children = []
        if parent is not None:
            parent.children.append(self)


def parse(n):
    root = Node(None, "doc %d" % n)
    for k in range(6):
        Node(root, "section %d" % k)
    return len(root.children)


for n in range(1500):
    parse(n)
dump()
