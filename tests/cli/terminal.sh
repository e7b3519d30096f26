# Nothing a dump or a file name holds can drive the terminal: C1 controls,
# bidi overrides and isolates, line separators, bytes that are no UTF-8 and
# C0 controls are shown escaped (\u009b, \u202e, \xff, \x1b) by every command
# that prints to it, on every error line, and in Markdown and HTML reports.
. "$CLI_LIB"
make_dump terminal
# clean: fails if its input holds a byte sequence that could drive a terminal.
clean() {
    python3 -c '
import re, sys
data = sys.stdin.buffer.read()
text = data.decode("utf-8", "strict")
bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
       or ord(c) in (0x61c, 0x200e, 0x200f) or 0x2028 <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
print("%s: %d lines, no raw control or bidi character" % (sys.argv[1], text.count("\n"))
      if not bad else "%s: RAW %r" % (sys.argv[1], bad[:5]))
' "$1"
}
heapan top -n 0 terminal.zst | clean top
heapan top --by module -n 0 terminal.zst | clean "top --by module"
heapan paths --type dict -n 1 terminal.zst | clean paths
heapan info -n 0 terminal.zst | clean info
heapan dominators terminal.zst | clean dominators
heapan report terminal.zst | clean "report (Markdown)"
heapan report --format html terminal.zst | clean "report (HTML)"
heapan compare terminal.zst terminal.zst | clean compare
heapan top -n 0 terminal.zst | grep -o 'rlo\\u202etxt.exe\|csi\\u009b31mred\|bad\\xff\\xfeutf8' | sort -u
echo "== file names in errors"
heapan top "$(printf 'no\033[2Jsuch\342\200\256file')" 2>&1 | clean "cannot open"
run heapan top "$(printf 'no\033[2Jsuch\342\200\256file')" 2>&1
printf '{\033' > esc.heapsnapshot
run heapan top esc.heapsnapshot 2>&1
