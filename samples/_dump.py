"""Shared by the samples: dump the heap to the path given on the command line."""
import os
import sys

import heapan


def dump_here(default_name):
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                              default_name)
    heapan.dump(path, level=19)  # small files to keep in the repository
