# Inputs that can be read only once: a pipe, a FIFO, standard input ("-").
# heapan tells the kind of input from the same stream it then reads, so each
# is read whole, dumps, traces and V8 snapshots alike.
. "$CLI_LIB"
make_dump chain 300000
make_dump trace
zstd -dqc "$top_srcdir/tests/data/node8k.heapsnapshot.zst" > node.heapsnapshot || die "zstd"
heapan top -n 1 chain.zst > file.txt || die "top"
echo "== a pipe"
cat chain.zst | heapan top -n 1 /dev/stdin > pipe.txt
echo "exit $?"
cmp -s file.txt pipe.txt && echo "the same as from the file"
echo "== standard input"
heapan top -n 1 - < chain.zst > stdin.txt
echo "exit $?"
cmp -s file.txt stdin.txt && echo "the same as from the file"
echo "== a FIFO fed $(wc -c < chain.zst | awk '{ print ($1 > 1000000) ? "over 1 MB" : "under 1 MB" }')"
mkfifo fifo || die "mkfifo"
cat chain.zst > fifo &
timeout 60 "$HEAPAN" top -n 1 fifo > fifo.txt
echo "exit $?"
wait
cmp -s file.txt fifo.txt && echo "the same as from the file"
echo "== a trace and a snapshot on standard input"
heapan trace - < trace.zst | head -1
heapan top -n 1 - < node.heapsnapshot | head -1
gzip -c node.heapsnapshot | heapan top -n 1 - | head -1
echo "== a report from standard input"
heapan report -o stdin.json - < chain.zst
echo "exit $?"
python3 -c 'import json, sys; print(json.load(open("stdin.json"))["summary"]["dump"])'
