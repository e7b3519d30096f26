# A dump whose names are full of HTML and Markdown metacharacters: in every
# report they stay text.
. "$CLI_LIB"
make_dump hostile
run heapan report -o report.html hostile.zst
run heapan report -o report.md hostile.zst
run heapan report -o report.json hostile.zst
# HTML: no tag from the dump survives; its text is there, escaped.
grep -c '<script>alert' report.html
grep -c '<img src=x' report.html
grep -c '&lt;script&gt;alert(1)&lt;/script&gt;' report.html
grep -c '&lt;img src=x onerror=alert(2)&gt;' report.html
# The only <script> is heapan's own, at the end.
grep -o '<script' report.html | wc -l
# Markdown: no raw tag, no unescaped table pipe or backtick from a name.
grep -c '<script>\|<img\|<b>' report.md
grep -c 'Evil`name`' report.md
# (parentheses stay bare: once '[' is escaped they make no link)
grep -c '&lt;script&gt;alert(1)&lt;/script&gt;\\|Evil\\`name\\`' report.md
# JSON: the names verbatim, as data.
python3 - <<'PY'
import json
doc = json.load(open("report.json"))
leak = doc["leak_candidates"][0]
print(leak["types"][0]["name"])
print(leak["path_text"])
print(leak["site"])
PY
