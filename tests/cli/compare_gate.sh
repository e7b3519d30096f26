# The CI gate cannot pass by mistake: a limit that names nothing is an
# error naming the nearest names (unless --allow-missing); a growth under
# the noise floor is said, not hidden; with -o the crossed limits still go
# to stderr; the recipe in docs/compare.md works under bash -e.
. "$CLI_LIB"
"$MKDUMP" cache base.zst 100 || die mkdump
"$MKDUMP" cache grown.zst 3000 || die mkdump
"$MKDUMP" chain small.zst 1000 || die mkdump
"$MKDUMP" chain bigger.zst 1060 || die mkdump
echo "== a limit that matches nothing"
run heapan compare --fail-on-growth 'type:Sesion=+1MB' base.zst grown.zst 2>&1
run heapan compare --fail-on-growth 'module:app.cach=+1MB' \
    --fail-on-growth 'path:module app.cache . CACHE=+1MB' base.zst grown.zst 2>&1
run heapan compare --fail-on-growth 'site:cache.py=+1MB' base.zst grown.zst 2>&1
echo "== --allow-missing: it waits"
run heapan compare --allow-missing --fail-on-growth 'type:Sesion=+1MB' base.zst grown.zst | grep -E -A3 '^Gate|exit'
echo "== a growth under the noise floor"
run heapan compare --fail-on-growth 1% small.zst bigger.zst | grep -E -A3 '^Gate|exit'
heapan compare --fail-on-growth 1% -o noise.md small.zst bigger.zst
grep 'noise' noise.md
heapan compare --fail-on-growth 1% -o noise.json small.zst bigger.zst
python3 -c 'import json; print([g["under_noise"] for g in json.load(open("noise.json"))["gate"]])'
echo "== with -o, crossed limits on stderr"
run heapan compare -o cmp.md --fail-on-growth 10% --fail-on-growth 'type:Session=+100K' \
    --fail-on-growth 'type:Session=+10MB' base.zst grown.zst 2>&1
echo "== the CI recipe of docs/compare.md, under bash -e"
awk '/- name: Compare/ {found = 1; next}
     found && /run: \|/ {body = 1; next}
     body && /^      - name:/ {exit}
     body {sub(/^          /, ""); print}' "$top_srcdir/docs/compare.md" |
    sed "s|src/heapan|\"\$HEAPAN\"|g" > recipe.sh
[ -s recipe.sh ] || die "no Compare step in docs/compare.md"
for pair in "base grown" "base base"; do
    set -- $pair
    rm -f compare.md compare.html summary.md
    cp "$1.zst" baseline.zst
    cp "$2.zst" new.zst
    GITHUB_STEP_SUMMARY=summary.md bash -e recipe.sh >/dev/null 2>&1
    status=$?
    echo "$1 -> $2: exit $status, summary $(grep -c . summary.md) lines, html $([ -s compare.html ] && echo yes || echo no)"
done
