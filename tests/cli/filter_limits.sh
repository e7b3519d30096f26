# Type filters: --include-type keeps a finding when its type or a type it
# holds matches, --exclude-type drops it then; a pattern that hits PCRE2's
# match limit on a name keeps the finding either way, with one warning
# naming the pattern and the name.
. "$CLI_LIB"
python3 "$top_srcdir/tests/tools/mksnapshot.py" leaky leaky.heapsnapshot || die "mksnapshot"
python3 "$top_srcdir/tests/tools/mksnapshot.py" long_type long.heapsnapshot || die "mksnapshot"
kinds() {
    heapan report -o out.json "$@" 2>&1 | cut -c1-120
    python3 -c 'import json; print([f["kind"] + " " + f["type"] for f in json.load(open("out.json"))["leak_candidates"]])'
}
echo "== include a type the collection holds"
kinds --include-type '^Request$' leaky.heapsnapshot
echo "== include a type nothing is"
kinds --include-type '^Nothing$' leaky.heapsnapshot
echo "== exclude a type the collection holds"
kinds --exclude-type '^Request$' leaky.heapsnapshot
echo "== a pattern past the match limit, against a 400-character name"
kinds --include-type '^(?:(a|a)*c|.*!)$' long.heapsnapshot
kinds --exclude-type '^(?:(a|a)*c|.*!)$' long.heapsnapshot
