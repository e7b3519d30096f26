#!/usr/bin/env python3
"""mksnapshot.py KIND OUT: writes a small V8 heap snapshot carrying one quirk
of the real ones, so tests need not ship them.

Kinds (`mksnapshot.py --list`):
  healthy    a small page: a window, a few objects, no accumulation
  leaky      the healthy page plus an Array of 2000 objects held by a global
  long_type  the leaky page, its objects' constructor named by 400 a's
  old_v8     a 2017 V8's: `symbol` nodes typed one past the meta's node_types
  julia      Julia's: node ids are object addresses, up to 2^47
  trailing   valid, followed by bytes after the last '}'
  raw_nul    a raw NUL byte inside a string
  two_meta   a second "meta" inside "snapshot"
  id_2_54    a node id past 2^53, where JSON numbers stop being exact
  many       N empty string nodes (N the third argument)
  empty_strings  one node and N empty strings: a few bytes each once compressed,
             for the memory bound (OUT "-" is standard output)
"""
import json
import sys

NODE_TYPES = ["hidden", "array", "string", "object", "code", "closure", "regexp",
              "number", "native", "synthetic", "concatenated string", "sliced string"]
EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]


class Snapshot:
    """Nodes and edges as V8 lays them out: per node its fields, then its edges."""

    def __init__(self, id_base=1, id_step=2):
        self.strings = [""]
        self.nodes = []  # [type, name, id, self_size, edges]
        self.next_id = id_base
        self.id_step = id_step

    def string(self, s):
        self.strings.append(s)
        return len(self.strings) - 1

    def node(self, type_index, name, size):
        self.nodes.append([type_index, self.string(name), self.next_id, size, []])
        self.next_id += self.id_step
        return len(self.nodes) - 1

    def edge(self, src, kind, name_or_index, dst):
        if kind in ("element", "hidden"):
            label = name_or_index
        else:
            label = self.string(name_or_index)
        self.nodes[src][4].append((EDGE_TYPES.index(kind), label, dst))

    def document(self, node_types=NODE_TYPES, extra=""):
        nodes, edges = [], []
        for t, name, nid, size, out in self.nodes:
            nodes += [t, name, nid, size, len(out)]
            for kind, label, dst in out:
                edges += [kind, label, dst * 5]
        meta = {"node_fields": ["type", "name", "id", "self_size", "edge_count"],
                "node_types": [node_types, "string", "number", "number", "number"],
                "edge_fields": ["type", "name_or_index", "to_node"],
                "edge_types": [EDGE_TYPES, "string_or_number", "node"]}
        return ('{"snapshot":{"meta":%s,"node_count":%d,"edge_count":%d%s},'
                '"nodes":%s,"edges":%s,"strings":%s}'
                % (json.dumps(meta), len(self.nodes), len(edges) // 3, extra,
                   json.dumps(nodes), json.dumps(edges), json.dumps(self.strings)))


def page(s, leak=0, item="Request"):
    """A root, its groups, a window with a little state; `leak` objects in a global Array."""
    T = NODE_TYPES.index
    root = s.node(T("synthetic"), "", 0)
    gc_roots = s.node(T("synthetic"), "(GC roots)", 0)
    strong = s.node(T("synthetic"), "(Strong roots)", 0)
    window = s.node(T("object"), "Window", 64)
    s.edge(root, "element", 1, gc_roots)
    s.edge(root, "shortcut", "global", window)
    s.edge(gc_roots, "element", 1, strong)
    s.edge(strong, "element", 1, window)
    for k in range(20):
        o = s.node(T("object"), "Object", 32)
        text = s.node(T("string"), "setting %d" % k, 24)
        s.edge(window, "property", "setting%d" % k, o)
        s.edge(o, "property", "label", text)
    code = s.node(T("code"), "(compiled code)", 4000)
    s.edge(strong, "element", 2, code)
    if leak:
        keep = s.node(T("object"), "Array", 32)
        backing = s.node(T("array"), "(object elements)", 16 + 8 * leak)
        s.edge(window, "property", "keep", keep)
        s.edge(keep, "internal", "elements", backing)
        for k in range(leak):
            held = s.node(T("object"), item, 48)
            s.edge(backing, "element", k, held)
            s.edge(held, "property", "url", s.node(T("string"), "/item/%d" % k, 32))
    return s


def healthy():
    return page(Snapshot()).document()


def leaky():
    return page(Snapshot(), leak=2000).document()


def long_type():
    """2000 objects of a constructor named by 400 a's: a name that makes a regex backtrack."""
    return page(Snapshot(), leak=2000, item="a" * 400).document()


def old_v8():
    # V8 of 2017 wrote `symbol` nodes with type 12, a type its meta did not list.
    s = page(Snapshot(), leak=2000)
    for k in range(7):
        sym = s.node(12, "Symbol(%d)" % k, 16)
        s.edge(3, "property", "sym%d" % k, sym)
    return s.document()


def julia():
    return page(Snapshot(id_base=0x7F00_0000_0000, id_step=16), leak=2000).document()


def id_2_54():
    s = page(Snapshot())
    s.nodes[-1][2] = 1 << 54
    return s.document()


def many(n):
    """n empty string nodes under the root: a few bytes each once compressed."""
    meta = {"node_fields": ["type", "name", "id", "self_size", "edge_count"],
            "node_types": [NODE_TYPES, "string", "number", "number", "number"],
            "edge_fields": ["type", "name_or_index", "to_node"],
            "edge_types": [EDGE_TYPES, "string_or_number", "node"]}
    strings = NODE_TYPES.index("string")
    nodes = ",".join("%d,0,%d,0,0" % (strings, 3 + 2 * k) for k in range(n))
    edges = ",".join("1,%d,%d" % (k, 5 * (k + 1)) for k in range(n))
    return ('{"snapshot":{"meta":%s},"nodes":[9,0,1,0,%d,%s],"edges":[%s],"strings":[""]}'
            % (json.dumps(meta), n, nodes, edges))


def write_empty_strings(f, n):
    """Streamed: 10^8 strings are 300 MB of text, never held at once."""
    meta = {"node_fields": ["type", "name", "id", "self_size", "edge_count"],
            "node_types": [NODE_TYPES, "string", "number", "number", "number"],
            "edge_fields": ["type", "name_or_index", "to_node"],
            "edge_types": [EDGE_TYPES, "string_or_number", "node"]}
    f.write('{"snapshot":{"meta":%s},"nodes":[9,0,1,0,0],"edges":[],"strings":[""'
            % json.dumps(meta))
    chunk = ',""' * 100000
    for _ in range(n // 100000):
        f.write(chunk)
    f.write(',""' * (n % 100000) + "]}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--list":
        print(__doc__)
        return 0
    if len(sys.argv) < 3:
        sys.stderr.write("usage: mksnapshot.py KIND OUT [N]\n")
        return 2
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "empty_strings":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
        if out == "-":
            write_empty_strings(sys.stdout, n)
        else:
            with open(out, "w", encoding="utf-8") as f:
                write_empty_strings(f, n)
        return 0
    if kind == "trailing":
        text = healthy() + "\n}garbage\n"
    elif kind == "raw_nul":
        text = healthy().replace('"setting 3"', '"set\x00ting 3"')
    elif kind == "two_meta":
        s = page(Snapshot())
        text = s.document(extra=',"meta":{"node_fields":[]}')
    elif kind == "many":
        text = many(int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    elif kind in ("healthy", "leaky", "old_v8", "julia", "id_2_54", "long_type"):
        text = globals()[kind]()
    else:
        sys.stderr.write("mksnapshot.py: unknown kind %r (see --list)\n" % kind)
        return 2
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
