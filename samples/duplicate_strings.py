"""Many equal strings built at run time, each its own object."""
from _dump import dump_here

COUNTRIES = ["Germany", "France", "Japan", "Brazil"]
ROWS = [{"id": i, "country": "".join(COUNTRIES[i % 4])} for i in range(4000)]

dump_here("duplicate_strings.zst")
