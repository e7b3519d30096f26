"""shrink_snapshot.py IN OUT [NODES]: a smaller V8 heap snapshot cut from a real one.

Keeps the first NODES nodes (default 8000) a breadth-first walk from the
root meets through the edges that retain (not weak, not shortcuts), strings
left out (they are leaves, and most of a heap), and the edges between them, with V8's own types and names (cut to 40
characters).  Used to make tests/data/node.heapsnapshot
small enough to commit; its retained sizes come from memlab
(tests/bench/memlab_retained.js), not from heapan.
"""
import json
import sys
from collections import deque


def main():
    source, target = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 8000
    with open(source, encoding="utf-8") as f:
        doc = json.load(f)
    meta = doc["snapshot"]["meta"]
    nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
    count_at = meta["node_fields"].index("edge_count")
    type_at = meta["node_fields"].index("type")
    leaf_types = {i for i, name in enumerate(meta["node_types"][0]) if "string" in name}
    edge_type_at = meta["edge_fields"].index("type")
    # the walk follows only the edges that retain, so every kept node stays retained
    loose = {i for i, name in enumerate(meta["edge_types"][0]) if name in ("weak", "shortcut")}
    to_at = meta["edge_fields"].index("to_node")
    nodes, edges = doc["nodes"], doc["edges"]
    first_edge, total = [], 0
    for i in range(len(nodes) // nf):
        first_edge.append(total)
        total += nodes[i * nf + count_at]
    order, seen, queue = [], {0: 0}, deque([0])
    while queue and len(order) < limit:
        v = queue.popleft()
        order.append(v)
        for e in range(first_edge[v], first_edge[v] + nodes[v * nf + count_at]):
            t = edges[e * ef + to_at] // nf
            if (t not in seen and len(seen) < limit and nodes[t * nf + type_at] not in leaf_types
                    and edges[e * ef + edge_type_at] not in loose):
                seen[t] = len(seen)
                queue.append(t)
    kept = sorted(seen, key=seen.get)
    new_nodes, new_edges = [], []
    for v in kept:
        mine = []
        for e in range(first_edge[v], first_edge[v] + nodes[v * nf + count_at]):
            t = edges[e * ef + to_at] // nf
            if t in seen:
                edge = edges[e * ef:(e + 1) * ef]
                edge[to_at] = seen[t] * nf
                mine.extend(edge)
        fields = nodes[v * nf:(v + 1) * nf]
        fields[count_at] = len(mine) // ef
        new_nodes.extend(fields)
        new_edges.extend(mine)
    doc["nodes"], doc["edges"] = new_nodes, new_edges
    doc["snapshot"]["node_count"] = len(kept)
    doc["snapshot"]["edge_count"] = len(new_edges) // ef
    doc["strings"] = [s[:40] for s in doc["strings"]]
    with open(target, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
