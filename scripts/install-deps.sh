#!/bin/sh
# install-deps.sh: installs every build and test dependency of heapan on a
# Debian or Ubuntu machine with apt-get (as root, or through sudo).
# (bsdutils has script(1), for the tests that need a terminal; python3-venv,
# -pip, -setuptools and -wheel install the Python package as pip users do;
# python3-pytest runs the pytest plugin's tests, the default Python having no pytest.)
set -eu
packages="build-essential autoconf automake libtool pkg-config zstd libzstd-dev zlib1g-dev nodejs \
libcjson-dev libcmark-dev libpcre2-dev check clang libclang-rt-14-dev python3 python3-dev \
python3-venv python3-pip python3-setuptools python3-wheel python3-pytest chromium fonts-dejavu-core bsdutils"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $package"
done
if [ -z "$missing" ]; then
    echo "install-deps: all dependencies are installed"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
