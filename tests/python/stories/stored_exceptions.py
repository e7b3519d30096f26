"""An import job keeps every failure to report at the end: the exceptions themselves,
and through their tracebacks every frame and local they passed through."""
from _story import dump

failures = {}


def parse_row(line):
    fields = line.split(",")
    scratch = [field.strip() * 8 for field in fields]
    return int(fields[2])


def import_batch(batch_id, lines):
    staging = {"batch": batch_id, "lines": list(lines)}
    return [parse_row(line) for line in staging["lines"]]


for batch_id in range(1500):
    try:
        import_batch(batch_id, ["a,b,c%d,d" % batch_id] * 10)
    except ValueError as error:
        failures[batch_id] = error
dump()
