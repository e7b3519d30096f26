# The HTML report in a real browser: headless Chromium loads it offline,
# renders it (the screenshot is a real PNG of some size), and the page's
# DOM holds heapan's own script only: nothing from a hostile dump runs.
. "$CLI_LIB"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome) ||
    die "no Chromium: scripts/install-deps.sh installs it"
headless() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run \
        --user-data-dir="$PWD/profile" --window-size=1200,1800 "$@" 2>/dev/null
}
cp "$top_srcdir/samples/unbounded_cache.zst" cache.zst
make_dump hostile
heapan report -o cache.html cache.zst || die "report"
heapan report -o hostile.html hostile.zst || die "report"
headless --screenshot="$PWD/cache.png" "file://$PWD/cache.html" >/dev/null
python3 - <<'PY'
import struct
data = open("cache.png", "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
print("screenshot: PNG %dx%d, %s" % (width, height, "over 20 KB" if len(data) > 20000 else "too small"))
PY
headless --dump-dom "file://$PWD/hostile.html" > hostile.dom
python3 - <<'PY'
from html.parser import HTMLParser

class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers, self.text = {}, [], []
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
    def handle_data(self, data):
        self.text.append(data)

dom = Tags()
dom.feed(open("hostile.dom", encoding="utf-8").read())
print("script elements:", dom.tags.get("script", 0))
print("img elements:", dom.tags.get("img", 0))
print("b elements:", dom.tags.get("b", 0))
print("event handler attributes:", len(dom.handlers))
text = "".join(dom.text)
print("the hostile type name is text:", "<script>alert(1)</script>|Evil`name`" in text)
print("the hostile key is text:", "</td><img src=x onerror=alert(3)>" in text)
PY
