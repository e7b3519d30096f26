"""What the Python tests ask of a dump through the heapan program."""
import subprocess


def dumped_count(heapan, dump, type_name):
    """The count of `type_name` in `heapan top`'s table of `dump`, or 0."""
    out = subprocess.run([heapan, "top", "-n", "400", dump], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[-1] == type_name:
            return int(fields[-2])
    return 0
