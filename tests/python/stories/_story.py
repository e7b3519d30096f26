"""Shared by the story programs: dump this process's heap to the path given on the command line."""
import sys

import heapan


def dump():
    heapan.dump(sys.argv[1])
