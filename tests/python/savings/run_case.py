"""run_case.py CASE dump DUMP [BASELINE] | run_case.py CASE measure original|fixed

dump: runs the case as written and dumps the heap at its checkpoint (and, for cases
that grow, a baseline dump early on).  measure: runs it under tracemalloc, as written
or fixed, and prints the traced bytes at the checkpoint (current, and peak since the
case began) as JSON.
"""
import json
import sys
import tracemalloc

import heapan
from cases import CASES


def main():
    name, mode = sys.argv[1], sys.argv[2]
    build, _, grows = CASES[name]
    if mode == "dump":
        path = sys.argv[3]
        options = {"early": lambda: heapan.dump(sys.argv[4])} if grows else {}
        build(False, lambda: heapan.dump(path), **options)
        return
    measured = {}

    def checkpoint():
        current, peak = tracemalloc.get_traced_memory()
        measured.update(current=current, peak=peak)

    tracemalloc.start()
    kept = build(sys.argv[3] == "fixed", checkpoint)
    print(json.dumps(measured))
    del kept


if __name__ == "__main__":
    main()
