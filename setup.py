"""setup.py: the heapan Python package for pip: the extension heapan._heapan,
built from the library (lib/) and the producer's C files (python/), linked
against the system libzstd, and the package's Python modules.  Metadata
comes from python/install/metadata.py, as for the autotools build."""
import glob
import os
import sys

from setuptools import Extension, setup

TOP = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(TOP, "python", "install"))
import metadata  # noqa: E402

os.makedirs(os.path.join(TOP, "build", "setuptools"), exist_ok=True)  # egg_base of setup.cfg
VERSION = metadata.version(TOP)
SOURCES = sorted(glob.glob("lib/*.c")) + sorted(glob.glob("python/*.c"))

setup(
    name=metadata.NAME,
    version=VERSION,
    description=metadata.SUMMARY,
    python_requires=metadata.REQUIRES_PYTHON,
    packages=["heapan"],
    package_dir={"heapan": "python/heapan"},
    entry_points=metadata.ENTRY_POINTS,
    ext_modules=[Extension(
        "heapan._heapan",
        sources=SOURCES,
        include_dirs=["lib", "python"],
        define_macros=[("PACKAGE_VERSION", '"%s"' % VERSION)],
        # PyInit__heapan alone is exported, as the autotools build does
        extra_compile_args=["-fvisibility=hidden"],
        libraries=["zstd", "pthread", "m"],
    )],
    zip_safe=False,
)
