"""A large list of floats, where an array or NumPy array would take a fraction of it."""
from _dump import dump_here

READINGS = [i * 0.5 + 0.25 for i in range(15000)]

dump_here("float_list.zst")
