"""dist_info.py SITE VERSION INSTALLER: writes SITE/heapan-VERSION.dist-info
beside the package SITE/heapan, as pip would: METADATA, INSTALLER,
entry_points.txt, top_level.txt, and a RECORD of every file of the package
with its hash, so that importlib.metadata finds the version and the entry
points, and `pip uninstall heapan` removes what was installed.

The build tree (make) and `make install` run it; pip writes its own."""
import base64
import hashlib
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metadata  # noqa: E402


def record_line(site, path):
    with open(path, "rb") as f:
        data = f.read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (os.path.relpath(path, site), digest, len(data))


def main(site, version, installer):
    package = os.path.join(site, metadata.NAME)
    if not os.path.isdir(package):
        raise SystemExit("dist_info.py: %s: no package there" % package)
    info = os.path.join(site, "%s-%s.dist-info" % (metadata.NAME, version))
    shutil.rmtree(info, ignore_errors=True)
    os.makedirs(info)
    files = {"METADATA": metadata.metadata_text(version), "INSTALLER": installer + "\n",
             "entry_points.txt": metadata.entry_points_text(), "top_level.txt": metadata.NAME + "\n"}
    for name, text in files.items():
        with open(os.path.join(info, name), "w", encoding="utf-8") as f:
            f.write(text)
    lines = []
    for top in (package, info):
        for root, dirs, names in os.walk(top):
            dirs.sort()
            lines += [record_line(site, os.path.join(root, n)) for n in sorted(names)]
    lines.append(os.path.relpath(os.path.join(info, "RECORD"), site) + ",,")
    with open(os.path.join(info, "RECORD"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__.split("\n")[0])
    main(*sys.argv[1:])
