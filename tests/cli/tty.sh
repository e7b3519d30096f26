# On a terminal, report, compare and trace draw for it: aligned tables
# fitted to the width (stty cols 100), bold headings and coloured sizes
# and kinds unless NO_COLOR, --color=never or a dumb TERM says no, no
# Markdown escape and no HTML tag.  The progress line is erased before
# the document begins.  script(1) gives the pseudo-terminal; its CRLF
# line ends are made LF.
. "$CLI_LIB"
command -v script >/dev/null || die "no script(1) (util-linux)"
cp "$top_srcdir/samples/unbounded_cache.zst" cache.zst
cp "$top_srcdir/samples/healthy.zst" healthy.zst
make_dump trace
# on_tty COMMAND...: runs it on a 100-column pseudo-terminal; prints what the terminal got.
on_tty() {
    script -qec "stty cols 100 rows 50; $*" /dev/null < /dev/null | sed 's/\r$//'
}
echo "== report, NO_COLOR"
NO_COLOR=1 TERM=xterm on_tty "'$HEAPAN' report --progress=never cache.zst" > report.txt
cat report.txt
echo "== compare, colour"
TERM=xterm on_tty "'$HEAPAN' compare --progress=never healthy.zst cache.zst" > compare.txt
cat compare.txt
echo "== trace, NO_COLOR"
NO_COLOR=1 TERM=xterm on_tty "'$HEAPAN' trace trace.zst"
echo "== no colour under --color=never, a dumb TERM, or a pipe"
TERM=xterm on_tty "'$HEAPAN' report --progress=never --color=never cache.zst" | grep -c "$(printf '\033')"
TERM=dumb on_tty "'$HEAPAN' report --progress=never cache.zst" | grep -c "$(printf '\033')"
heapan report --format text --color=auto cache.zst | grep -c "$(printf '\033')"
heapan report --format text --color=always cache.zst | grep -c "$(printf '\033')\[1m"
echo "== what the terminal never gets"
python3 - report.txt compare.txt <<'PY'
import re, sys
for name in sys.argv[1:]:
    text = open(name, encoding="utf-8").read()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    wide = [l for l in plain.splitlines() if len(l) > 100]
    print(name, "lines over 100 columns:", len(wide),
          "| Markdown escapes:", len(re.findall(r"\\[_()*`#\[\]]", plain)),
          "| HTML tags or entities:", len(re.findall(r"</?(details|summary|b|strong)>|&gt;|&lt;|&amp;", plain)))
PY
echo "== the progress line is erased before the document"
TERM=xterm on_tty "'$HEAPAN' report --progress=always cache.zst" | python3 -c '
import sys
raw = sys.stdin.buffer.read().decode()
start = raw.index("heapan report: ")
print("erased before:", raw[:start].endswith("\r\x1b[K") or raw[:start].endswith("\r\x1b[K\x1b[1m"))'
echo "== piped, Markdown as before"
heapan report cache.zst | head -1
