"""heapan.dump() on this very process: complete, consistent, labelled, rooted.

Run by `make check` with PYTHONPATH set to the build tree, HEAPAN and
DUMPTEXT naming the tool and tests/tools/dumptext.
"""
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import weakref

import heapan

HEAPAN = os.environ["HEAPAN"]
DUMPTEXT = os.environ["DUMPTEXT"]
# Inline attributes come from CPython's internals, read for these versions; frame locals
# from them too from 3.11, and from public frame objects before.
READS_INTERNALS = (3, 11) <= sys.version_info[:2] <= (3, 13)
READS_FRAMES = sys.version_info[:2] <= (3, 13)


class Order:
    def __init__(self, number):
        self.number = number
        self.payload = "payload-%d" % number


class Slotted:
    __slots__ = ("left", "right")


class Node:
    __slots__ = ("next",)


CACHE = {"user:%d" % i: Order(i) for i in range(200)}
MARKED = Slotted()
MARKED.left = "left value of the slotted instance"


def python_walk():
    """{id: sys.getsizeof} of what a pure-Python walk finds from the same starting points.

    gc.get_referents() is tp_traverse, which leaves out what cannot form a
    cycle: str keys of dicts, and the referents of weak references (not
    retained, but alive and dumped).  The walk adds both.  It cannot see
    inside code objects or C types; the dump can, so it finds more.
    """
    sizes = {}
    stack = gc.get_objects()
    stack.extend(sys.modules.values())
    stack.extend(sys._current_frames().values())
    while stack:
        o = stack.pop()
        if id(o) in sizes:
            continue
        sizes[id(o)] = sys.getsizeof(o)
        stack.extend(gc.get_referents(o))
        if isinstance(o, dict):
            stack.extend(dict.keys(o))
        elif isinstance(o, weakref.ref) and o() is not None:
            stack.append(o())
    return sizes


class Dumping:
    """A dump of this process in a scratch directory, and its records as text."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "dump.zst")

    def tearDown(self):
        self.dir.cleanup()

    def records(self):
        out = subprocess.run([DUMPTEXT, self.path], check=True, capture_output=True, text=True)
        return out.stdout.splitlines()


class DumpTest(Dumping, unittest.TestCase):

    def assert_check_passes(self):
        result = subprocess.run([HEAPAN, "check", self.path], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def dumped_sizes(self):
        sizes = {}
        for line in self.records():
            if line.startswith("object "):
                fields = line.split()
                sizes[int(fields[1], 16)] = int(fields[3].split("=")[1])
        return sizes

    def test_sizes_and_totals_agree_with_a_python_walk(self):
        gc.collect()
        gc.disable()
        try:
            walked = python_walk()
            counts = heapan.dump(self.path)
        finally:
            gc.enable()
        dumped = self.dumped_sizes()
        self.assertEqual(len(dumped), counts["objects"])
        self.assertEqual(sum(dumped.values()), counts["total_size"])
        # Every object of the gc view is in the dump, but the test's own temporaries.
        missing = [i for i in walked if i not in dumped]
        self.assertLessEqual(len(missing), 50, len(missing))
        # Each one with the size sys.getsizeof() gave, plus inline attribute values.  Before
        # 3.11 the walk sees its own dict through its frame, still growing: it is left out.
        common = [i for i in walked if i in dumped and i != id(walked)]
        smaller = [i for i in common if dumped[i] < walked[i]]
        self.assertLessEqual(len(smaller), 10, len(smaller))
        extra = sum(dumped[i] for i in common) - sum(walked[i] for i in common)
        self.assertGreaterEqual(extra, 0)
        self.assertLessEqual(extra, counts["inline_values_size"] + 16384,
                             (extra, counts["inline_values_size"]))

    def test_every_referent_is_dumped_and_every_root_exists(self):
        heapan.dump(self.path)
        self.assert_check_passes()

    def test_a_million_object_chain(self):
        head = None
        for _ in range(1_000_000):
            node = Node()
            node.next = head
            head = node
        counts = heapan.dump(self.path, values=False)
        self.assertGreaterEqual(counts["objects"], 1_000_000)
        self.assert_check_passes()
        del head, node

    def test_labels_of_dict_keys_slots_and_module_globals(self):
        heapan.dump(self.path)
        lines = self.records()
        addr = "0x%x" % id(CACHE)
        self.assertTrue(any(l.endswith(" key 'CACHE'") and l.split()[3] == addr
                            for l in lines), "CACHE under its module-global name")
        order = "0x%x" % id(CACHE["user:7"])
        self.assertIn("ref %s -> %s key 'user:7'" % (addr, order), lines)
        marked, left = "0x%x" % id(MARKED), "0x%x" % id(MARKED.left)
        self.assertIn("ref %s -> %s attribute 'left'" % (marked, left), lines)
        self.assertIn("ref %s -> 0x%x field '__class__'" % (marked, id(Slotted)), lines)

    def test_roots_module_thread_and_external(self):
        ready, done = threading.Event(), threading.Event()

        def worker():
            thread_local = Order(-1)  # found through the thread's frame
            ready.set()
            done.wait()
            return thread_local

        thread = threading.Thread(target=worker)
        thread.start()
        ready.wait()
        held_by_c = Order(-2)
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(held_by_c))
        address = "0x%x" % id(held_by_c)
        del held_by_c
        try:
            heapan.dump(self.path)
        finally:
            done.set()
            thread.join()
        lines = self.records()
        self.assertIn("root 0x%x module '__main__'" % id(sys.modules["__main__"]), lines)
        self.assertIn("root %s external" % address, lines)
        self.assertTrue(any(l.startswith("root ") and " frame 'thread %d'" % thread.ident in l
                            for l in lines))
        self.assert_check_passes()

    def test_roots_come_first_then_what_lies_nearest_them(self):
        held_by_c = Order(-3)
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(held_by_c))
        address = "0x%x" % id(held_by_c)
        del held_by_c
        head = None
        for _ in range(200):
            node = Node()
            node.next, head = head, node
        global DEEP
        DEEP = head
        try:
            heapan.dump(self.path)
        finally:
            del DEEP
        lines = self.records()
        first_object = next(i for i, l in enumerate(lines) if l.startswith("object "))
        roots = [i for i, l in enumerate(lines) if l.startswith("root ")]
        early = [i for i in roots if " module " in lines[i] or " frame " in lines[i]]
        self.assertTrue(early and max(early) < first_object)
        self.assertLess(lines.index(next(l for l in lines if l.startswith("root %s external" % address))),
                        first_object)
        where = {l.split()[1]: i for i, l in enumerate(lines) if l.startswith("object ")}
        tail = head
        while tail.next is not None:
            tail = tail.next
        self.assertLess(where["0x%x" % id(sys.modules[__name__])], where["0x%x" % id(head)])
        self.assertLess(where["0x%x" % id(head)], where["0x%x" % id(tail)])

    def test_a_dump_cut_short_keeps_its_roots_and_ranks_its_accumulation_first(self):
        global SESSIONS
        SESSIONS = {"session-%d" % i: {"user": i, "token": "t%d" % i, "seen": [i, i + 1]}
                    for i in range(60000)}
        try:
            heapan.dump(self.path)
        finally:
            del SESSIONS
        with open(self.path, "rb") as f:
            data = f.read()
        for share in (40, 60, 80):
            cut = os.path.join(self.dir.name, "cut%d.zst" % share)
            with open(cut, "wb") as f:
                f.write(data[: len(data) * share // 100])
            out = cut + ".json"
            result = subprocess.run([HEAPAN, "report", "-o", out, cut], capture_output=True,
                                    text=True)
            self.assertEqual(result.returncode, 1, result.stderr)
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
            self.assertFalse(doc["summary"]["complete"])
            self.assertIsNotNone(doc["summary"]["incomplete"])
            findings = doc["leak_candidates"]
            self.assertTrue(findings, share)
            self.assertIn(". SESSIONS", findings[0]["path_text"], (share, findings[0]))
            self.assertNotIn("garbage", [f["kind"] for f in findings])
            for finding in findings:
                self.assertIn("incomplete dump", finding["reason"])

    def test_instances_carry_their_inline_values_and_attribute_names(self):
        order = CACHE["user:3"]
        heapan.dump(self.path)
        lines = self.records()
        line = next(l for l in lines if l.startswith("object 0x%x " % id(order)))
        size = int(line.split(" size=")[1].split()[0])
        self.assertGreaterEqual(size, sys.getsizeof(order))
        if READS_INTERNALS:
            self.assertGreater(size, sys.getsizeof(order), "inline values counted")
            self.assertIn("ref 0x%x -> 0x%x attribute 'payload'" % (id(order), id(order.payload)),
                          lines)

    def test_thread_locals_are_named_under_their_frame(self):
        ready, done = threading.Event(), threading.Event()
        marker = []

        def worker():
            thread_local = Order(-3)
            marker.append(thread_local)
            ready.set()
            done.wait()

        thread = threading.Thread(target=worker)
        thread.start()
        ready.wait()
        try:
            heapan.dump(self.path)
        finally:
            done.set()
            thread.join()
        if not READS_FRAMES:
            self.skipTest("local names are read from the frames of 3.8 to 3.13 only")
        lines = self.records()
        target = "0x%x local 'thread_local'" % id(marker[0])
        frame = next(l.split()[1] for l in lines if l.startswith("ref ") and l.endswith(target))
        self.assertIn("root %s frame 'thread %d'" % (frame, thread.ident), lines)

    def test_instances_of_a_class_share_one_shape(self):
        class Pair:
            def __init__(self, first, second):
                if first % 2:
                    self.first, self.second = first, second
                else:  # the order attributes are set in does not split shapes
                    self.second, self.first = second, first

        pairs = [Pair(i, i) for i in range(50)]
        heapan.dump(self.path)
        lines = self.records()
        shapes = {l.split(" shape=")[1].split()[0] for l in lines
                  if l.startswith("object ") and " shape=" in l
                  and int(l.split()[1], 16) in {id(p) for p in pairs}}
        self.assertEqual(len(shapes), 1)
        self.assertIn("shape %s 'first' 'second'" % shapes.pop(),
                      [l.replace("'second' 'first'", "'first' 'second'") for l in lines])

    def test_instances_with_other_attributes_get_other_shapes(self):
        class Loose:
            pass

        items = []
        for i in range(9):  # the sets take turns, as many names or not
            item = Loose()
            for name in [["a"], ["b"], ["a", "b"]][i % 3]:
                setattr(item, name, i)
            items.append(item)
        heapan.dump(self.path)
        lines = self.records()
        names = {l.split()[1]: l.split(None, 2)[2] for l in lines if l.startswith("shape ")}
        for item in items:
            line = next(l for l in lines if l.startswith("object 0x%x " % id(item)))
            shape = line.split(" shape=")[1].split()[0]
            # a shape is a set of names, in the order of their string ids
            self.assertEqual(sorted(names[shape].split()), ["'%s'" % n for n in sorted(vars(item))])

    def test_str_values_keep_a_utf8_prefix_of_64_characters(self):
        values = ["plain ascii", "x" * 100, "caf\u00e9 au lait", "\u00e9" * 100,
                  "\U0001F600 smile", "\u4e2d\u6587" * 40]
        heapan.dump(self.path)
        lines = self.records()
        for value in values:
            line = next(l for l in lines if l.startswith("object 0x%x " % id(value)))
            self.assertIn(" text='%s'" % value[:64], line)
            self.assertIn(" length=%d " % len(value), line)

    def test_no_user_code_runs(self):
        calls = []

        class Watched:
            def __sizeof__(self):
                calls.append("__sizeof__")
                return 1

            def __repr__(self):
                calls.append("__repr__")
                return "watched"

        watched = [Watched() for _ in range(10)]
        heapan.dump(self.path)
        self.assertEqual(calls, [])
        line = next(l for l in self.records() if l.startswith("object 0x%x " % id(watched[0])))
        self.assertGreater(int(line.split(" size=")[1].split()[0]), 1)

    def test_gc_garbage_items_are_roots(self):
        lost = Order(-4)
        gc.garbage.append(lost)
        try:
            heapan.dump(self.path)
        finally:
            gc.garbage.remove(lost)
        self.assertIn("root 0x%x gc-garbage 'gc.garbage'" % id(lost), self.records())

    def test_values_false_keeps_contents_out(self):
        heapan.dump(self.path, values=False)
        self.assertFalse([l for l in self.records() if " text=" in l or " int=" in l])


class FactsTest(Dumping, unittest.TestCase):
    """The PROPERTY records: what the dump tells beyond the graph (docs/format.md 3.12)."""

    def properties(self, key):
        """[(object, value)] of every property named `key`, in file order."""
        found = []
        for line in self.records():
            if line.startswith("property ") and " '%s'" % key in line:
                address, rest = line[9:].split(" ", 1)
                found.append((int(address, 16), rest.split("' ", 1)[1]))
        return found

    def test_the_collector_state_before_the_dump(self):
        threshold, counts = gc.get_threshold(), len(gc.get_count())
        gc.freeze()
        try:
            heapan.dump(self.path)
            frozen = gc.get_freeze_count()
        finally:
            gc.unfreeze()
        self.assertEqual(self.properties("gc.enabled"), [(0, "1")])
        self.assertEqual([int(v) for _, v in self.properties("gc.threshold")], list(threshold))
        self.assertEqual(len(self.properties("gc.count")), counts)
        self.assertEqual(len(self.properties("gc.collections")), 3)
        self.assertGreater(int(self.properties("gc.freeze_count")[0][1]), 0)
        self.assertLessEqual(int(self.properties("gc.freeze_count")[0][1]), frozen + 1000)
        gc.disable()
        try:
            heapan.dump(self.path)
        finally:
            gc.enable()
        self.assertEqual(self.properties("gc.enabled"), [(0, "0")])

    def test_where_the_library_lives(self):
        heapan.dump(self.path)
        stdlib = [v.strip("'") for _, v in self.properties("stdlib.dir")]
        self.assertIn(os.path.dirname(os.__file__), stdlib)
        files = {a: v.strip("'") for a, v in self.properties("module.file")}
        self.assertEqual(files[id(os)], os.__file__)
        self.assertEqual(files[id(sys.modules[__name__])], __file__)
        if sys.version_info >= (3, 10):
            names = [v.strip("'") for _, v in self.properties("stdlib.module")]
            self.assertIn("json", names)
            self.assertNotIn("heapan", names)

    def test_lru_cache_counters_agree_with_cache_info(self):
        import functools

        @functools.lru_cache(maxsize=None)
        def square(n):
            return n * n

        @functools.lru_cache(maxsize=32)
        def cube(n):
            return n ** 3

        for n in (1, 2, 3, 2, 1, 7):
            square(n), cube(n)
        heapan.dump(self.path)
        for wrapper in (square, cube):
            info = wrapper.cache_info()
            got = {key: [int(v) for a, v in self.properties(key) if a == id(wrapper)]
                   for key in ("lru_cache.hits", "lru_cache.misses", "lru_cache.maxsize")}
            self.assertEqual(got, {"lru_cache.hits": [info.hits], "lru_cache.misses": [info.misses],
                                   "lru_cache.maxsize": [-1 if info.maxsize is None else info.maxsize]})
        cache_edges = [line for line in self.records()
                       if line.startswith("ref 0x%x " % id(square)) and "field 'cache'" in line]
        self.assertEqual(len(cache_edges), 1)

    def test_asyncio_futures_carry_their_state(self):
        import asyncio

        async def answer():
            return 42

        async def main():
            done = asyncio.ensure_future(answer())
            await done
            return done, asyncio.get_running_loop().create_future()

        loop = asyncio.new_event_loop()
        try:
            done, pending = loop.run_until_complete(main())
            heapan.dump(self.path)
        finally:
            loop.close()
        states = dict(self.properties("future.state"))
        self.assertEqual(states.get(id(done)), "'FINISHED'")
        self.assertEqual(states.get(id(pending)), "'PENDING'")

    @unittest.skipUnless(READS_INTERNALS, "the permanent generation is read on 3.11 to 3.13")
    def test_frozen_garbage_is_dumped_and_flagged(self):
        class Cyclic:
            pass

        gc.collect()
        a = Cyclic()
        a.me = a
        address = id(a)
        del a
        gc.freeze()
        try:
            heapan.dump(self.path)
        finally:
            gc.unfreeze()
            gc.collect()
        line = [l for l in self.records() if l.startswith("object 0x%x " % address)]
        self.assertEqual(len(line), 1, "frozen garbage is missing from the dump")
        flags = int(line[0].split("flags=")[1].split()[0])
        self.assertTrue(flags & 8, line[0])

    def test_dict_keys_made_of_plain_values_label_their_entries(self):
        table = {("s3", "us-east-1", 2): Order(1), (1.5, None, True): Order(2), Order: Order(3)}
        heapan.dump(self.path)
        labels = [line for line in self.records() if line.startswith("ref 0x%x " % id(table))]
        text = "\n".join(labels)
        self.assertIn("('s3', 'us-east-1', 2)", text)
        self.assertIn("(1.5, None, True)", text)
        self.assertEqual(sum("key_repr" in line for line in labels), 2, text)

    def test_types_record_what_instances_keep_beside_their_body(self):
        heapan.dump(self.path)
        line = [l for l in self.records() if l.startswith("type ") and l.split()[2].endswith(".Order")]
        self.assertEqual(len(line), 1, line)
        fields = dict(f.split("=") for f in line[0].split()[3:])
        self.assertEqual(int(fields["basic"]), Order.__basicsize__)
        if (3, 11) <= sys.version_info[:2] <= (3, 13):
            self.assertGreater(int(fields["pre"]) + int(fields["values"]), 0)
        else:
            self.assertEqual(int(fields["pre"]), 0)


if __name__ == "__main__":
    unittest.main()
