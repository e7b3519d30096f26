"""Programs whose memory a suggestion would save, each as build(fixed, checkpoint).

build(False, checkpoint) is the program as written; build(True, checkpoint) the same
program with the suggestion's fix applied.  Each calls checkpoint() once, at the point
the saving is measured (for peak savings, where the peak is), and returns what the
program still holds there.  Nothing here is tuned to heapan: the fixes are the ones a
developer would write.
"""
import array
import asyncio
import collections
import functools
import gc
import logging
import os
import sys
import tempfile
import weakref


def slots(fixed, checkpoint):
    class Point:
        def __init__(self, x, y, z):
            self.x, self.y, self.z = x, y, z

    class SlottedPoint:
        __slots__ = ("x", "y", "z")

        def __init__(self, x, y, z):
            self.x, self.y, self.z = x, y, z

    cls = SlottedPoint if fixed else Point
    points = [cls(i, i + 1, i + 2) for i in range(20000)]
    checkpoint()
    return points


def slots_on_a_dict_subclass(fixed, checkpoint):
    """Like sympy's StdFactKB: a dict subclass with attributes of its own."""
    class Facts(dict):
        def __init__(self, n):
            super().__init__(commutative=True, real=n % 2 == 0, positive=n > 0)
            self.generator = n
            self.source = "rule"

    class SlottedFacts(dict):
        __slots__ = ("generator", "source")

        def __init__(self, n):
            super().__init__(commutative=True, real=n % 2 == 0, positive=n > 0)
            self.generator = n
            self.source = "rule"

    cls = SlottedFacts if fixed else Facts
    facts = [cls(n) for n in range(8000)]
    checkpoint()
    return facts


def numpy_array(fixed, checkpoint):
    readings = (array.array("d", (n * 0.37 for n in range(60000))) if fixed
                else [n * 0.37 for n in range(60000)])
    checkpoint()
    return readings


def _text_file(lines, width):
    handle, path = tempfile.mkstemp(suffix=".log")
    with os.fdopen(handle, "w") as f:
        for n in range(lines):
            f.write("%08d %s\n" % (n, "event " * width))
    return path


def generator(fixed, checkpoint):
    path = _text_file(30000, 6)
    try:
        with open(path) as f:
            if fixed:
                words = 0
                for n, line in enumerate(f):
                    words += len(line.split())
                    if n == 29999:
                        checkpoint()
            else:
                lines = f.readlines()
                words = sum(len(line.split()) for line in lines)
                checkpoint()
    finally:
        os.unlink(path)
    return words


def lazy_loading(fixed, checkpoint):
    path = _text_file(40000, 8)
    try:
        with open(path, "rb") as f:
            if fixed:
                newlines = 0
                for chunk in iter(lambda: f.read(1 << 16), b""):
                    newlines += chunk.count(b"\n")
                checkpoint()
            else:
                data = f.read()
                newlines = data.count(b"\n")
                checkpoint()
    finally:
        os.unlink(path)
    return newlines


COUNTRIES = ["Country number %d of the world" % n for n in range(40)]


def intern_strings(fixed, checkpoint):
    rows = []
    for n in range(30000):
        country = "".join(list(COUNTRIES[n % 40]))  # built at run time: a new string each time
        rows.append(sys.intern(country) if fixed else country)
    checkpoint()
    return rows


def empty_collections(fixed, checkpoint):
    class Task:
        __slots__ = ("name", "tags", "notes")

        def __init__(self, n):
            self.name = n
            self.tags = None if fixed else []
            self.notes = None if fixed else {}

    tasks = [Task(n) for n in range(8000)]
    checkpoint()
    return tasks


def weak_callbacks(fixed, checkpoint):
    class Widget:
        def __init__(self, n):
            self.n = n
            self.pixels = bytearray(500)

        def on_change(self, value):
            self.value = value

    subscribers = []
    for n in range(3000):
        widget = Widget(n)
        # fixed: held weakly, and the entry leaves once its widget is gone
        subscribers.append(weakref.WeakMethod(widget.on_change, subscribers.remove) if fixed
                           else widget.on_change)
    del widget
    checkpoint()
    return subscribers


def method_cache(fixed, checkpoint):
    class Template:
        def __init__(self, n):
            self.parts = ["part %d" % k for k in range(8)]
            self.n = n

        @functools.lru_cache(maxsize=None)
        def render(self, theme):
            return ["%s/%s/%d" % (p, theme, self.n) for p in self.parts * 4]

    class CachedTemplate:
        def __init__(self, n):
            self.parts = ["part %d" % k for k in range(8)]
            self.n = n
            self._render = {}

        def render(self, theme):
            if theme not in self._render:
                self._render[theme] = ["%s/%s/%d" % (p, theme, self.n) for p in self.parts * 4]
            return self._render[theme]

    cls = CachedTemplate if fixed else Template
    for n in range(1500):
        cls(n).render("dark")
    checkpoint()
    return cls


def done_tasks(fixed, checkpoint):
    background = set()

    async def job(n):
        await asyncio.sleep(0)
        return {"n": n, "body": "payload %d " % n * 8}

    async def main():
        for n in range(3000):
            task = asyncio.create_task(job(n))
            background.add(task)
            if fixed:
                task.add_done_callback(background.discard)
        while any(not t.done() for t in list(background)):
            await asyncio.sleep(0.01)

    asyncio.run(main())
    checkpoint()
    return background


def drop_tracebacks(fixed, checkpoint):
    failures = []

    def parse(text):
        scratch = [text] * 40
        return int(text)

    def handle(n):
        context = {"n": n, "window": list(range(40))}
        return parse("bad %d" % n)

    for n in range(2000):
        try:
            handle(n)
        except ValueError as e:
            failures.append(e.with_traceback(None) if fixed else e)
    checkpoint()
    return failures


def shared_logger(fixed, checkpoint):
    logging.basicConfig(level=logging.WARNING)
    shared = logging.getLogger("svc.request")
    for n in range(3000):
        if fixed:
            shared.info("handled", extra={"request_id": n})
        else:
            logging.getLogger("svc.request.%d" % n).info("handled")
    checkpoint()
    return shared


def class_cache(fixed, checkpoint):
    def compute(lat, lon):
        return {"lat": lat, "lon": lon, "label": "near %.4f, %.4f" % (lat, lon),
                "tiles": list(range(12))}

    class Geocoder:
        _answers = {}

        def reverse(self, lat, lon):
            key = (round(lat, 4), round(lon, 4))
            if key not in Geocoder._answers:
                Geocoder._answers[key] = compute(*key)
            return Geocoder._answers[key]

    bounded = functools.lru_cache(maxsize=100)(compute)

    class BoundedGeocoder:
        def reverse(self, lat, lon):
            return bounded(round(lat, 4), round(lon, 4))

    coder = BoundedGeocoder() if fixed else Geocoder()
    for n in range(4000):
        coder.reverse(48.85 + n * 0.0003, 2.35 - n * 0.0002)
    checkpoint()
    return coder, Geocoder


def uncached(fixed, checkpoint):
    def page(user, stamp):
        return "<html>user %d at %d</html>" % (user, stamp) * 8

    render = page if fixed else functools.lru_cache(maxsize=None)(page)
    for n in range(4000):
        render(n % 400, 1700000000 + n)
    checkpoint()
    return render


def collect_garbage(fixed, checkpoint):
    gc.disable()

    class Node:
        def __init__(self, parent):
            self.parent = parent
            self.children = []
            self.label = "node of tree %d" % id(self)
            if parent is not None:
                parent.children.append(self)

    for n in range(1500):
        root = Node(None)
        for k in range(6):
            Node(root)
    del root
    if fixed:
        gc.collect()
    checkpoint()
    gc.enable()


def _growing(fixed, checkpoint, early, bounded, unbounded):
    """Fills a structure with 8000 entries; a dump at 1000 (early) is the baseline."""
    store = bounded() if fixed else unbounded()
    for n in range(8000):
        store.add(n)
        if n == 999 and early:
            early()
    checkpoint()
    return store


def deque(fixed, checkpoint, early=None):
    class Log:
        def __init__(self, events):
            self.events = events

        def add(self, n):
            self.events.append({"n": n, "who": "user %d" % n, "what": "x" * 100})

    return _growing(fixed, checkpoint, early, lambda: Log(collections.deque(maxlen=100)),
                    lambda: Log([]))


def bounded_cache(fixed, checkpoint, early=None):
    def load(n):
        return {"n": n, "profile": "profile %d " % n * 10}

    class Cache:
        def __init__(self):
            self.entries = {}

        def add(self, n):
            self.entries["user:%d" % n] = load(n)

    class Bounded:
        def __init__(self):
            self.get = functools.lru_cache(maxsize=100)(load)

        def add(self, n):
            self.get(n)

    return _growing(fixed, checkpoint, early, Bounded, Cache)


# kind of suggestion -> (case, whether its saving is off the peak, whether it needs a baseline)
CASES = {
    "slots": (slots, False, False),
    "slots_on_a_dict_subclass": (slots_on_a_dict_subclass, False, False),
    "numpy_array": (numpy_array, False, False),
    "generator": (generator, True, False),
    "lazy_loading": (lazy_loading, True, False),
    "intern_strings": (intern_strings, False, False),
    "empty_collections": (empty_collections, False, False),
    "weak_callbacks": (weak_callbacks, False, False),
    "method_cache": (method_cache, False, False),
    "done_tasks": (done_tasks, False, False),
    "drop_tracebacks": (drop_tracebacks, False, False),
    "shared_logger": (shared_logger, False, False),
    "class_cache": (class_cache, False, False),
    "uncached": (uncached, False, False),
    "collect_garbage": (collect_garbage, False, False),
    "deque": (deque, False, True),
    "bounded_cache": (bounded_cache, False, True),
}
