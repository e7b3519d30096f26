# Inputs that bend the format's rules, each read truthfully with a warning:
# empty dumps compared, sizes past any address space, records of kinds this
# version does not know (skipped and counted), a trace that allocates one
# address twice, runs its clock backwards, or claims a 2^64-byte sampling.
. "$CLI_LIB"
for kind in empty huge-sizes unknown-tags odd-trace oversampled-trace; do
    make_dump "$kind"
done
echo "== two empty dumps compared"
run heapan compare empty.zst empty.zst
echo "== sizes past 64 PiB"
run heapan top -n 1 huge-sizes.zst 2>&1
run heapan info huge-sizes.zst 2>&1 | grep -E 'objects|warning|exit'
run heapan compare huge-sizes.zst empty.zst 2>&1 | grep -E 'mislead|exit'
echo "== unknown record kinds: skipped, counted once"
run heapan check unknown-tags.zst
run heapan info unknown-tags.zst 2>&1 | grep -E 'unknown|warning|exit'
run heapan top unknown-tags.zst 2>&1 | grep -E 'warning|exit'
echo "== a trace that breaks its rules"
run heapan trace odd-trace.zst 2>&1 | grep -E '^(trace|allocations|peak)|warning|exit'
echo "== sampled every 2^64-1 bytes"
run heapan trace oversampled-trace.zst 2>&1 | grep -E '^(trace|allocations|peak)|sampled every|exit'
