"""A batch job parses, aggregates and drops each batch: nothing accumulates."""
import collections
import json

from _story import dump


def process(batch):
    records = [json.loads('{"id": %d, "kind": "k%d", "payload": "%s"}' % (i, i % 9, "x" * 40))
               for i in batch]
    return collections.Counter(record["kind"] for record in records)


totals = collections.Counter()
for start in range(0, 60000, 2000):
    totals.update(process(range(start, start + 2000)))
dump()
