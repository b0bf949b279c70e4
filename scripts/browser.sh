#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download does not work offline).
# Installs it when missing and this user may; otherwise says what to install.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian's chromium for the browser tests" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  fi
else
  echo "setup: $CHROMIUM is missing; the browser tests will fail. Install it: sudo apt-get install -y chromium" >&2
fi
