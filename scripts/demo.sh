#!/usr/bin/env bash
# Quick start on a fresh Debian 12: install the packages, build, and start
# `kenes serve --demo` on ./kenes-data (created on first start); it prints
# the URL and the demo logins.  Extra arguments go to `kenes serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
# openssh-server is the ssh mirror test's sshd (started by the test itself);
# installed, Debian would start an ssh service on this machine: a demo
# needs none.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  $(grep -v -e '^#' -e '^openssh-server$' scripts/debian-packages.txt)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
exec build/kenes serve --demo "$@"
