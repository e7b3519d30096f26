# Every command that needs a heap dump refuses an allocation trace, and every
# command that needs a trace refuses a heap dump or a V8 snapshot: exit 2 and
# one line that names the file and the command that reads it.  A false
# "0 objects, no leak candidate" would pass a CI gate by mistake.
. "$CLI_LIB"
make_dump basic
make_dump trace
for command in report top dominators; do
    echo "$command on a trace:"
    run heapan "$command" trace.zst
done
echo "paths on a trace:"
run heapan paths --type Node trace.zst
echo "export on a trace:"
run heapan export --format json trace.zst
echo "compare with a trace on either side:"
run heapan compare trace.zst basic.zst
run heapan compare basic.zst trace.zst
echo "trace on a heap dump:"
run heapan trace basic.zst
echo "report --trace with a heap dump as the trace:"
run heapan report --trace basic.zst basic.zst
echo "report --baseline with a trace as the baseline:"
run heapan report --baseline trace.zst basic.zst
zstd -q -dc "$top_srcdir/tests/data/node8k.heapsnapshot.zst" > page.heapsnapshot
echo "trace on a V8 snapshot:"
run heapan trace page.heapsnapshot
echo "info and check read both kinds:"
heapan info trace.zst > /dev/null
echo "info trace: [exit $?]"
heapan check trace.zst > /dev/null
echo "check trace: [exit $?]"
