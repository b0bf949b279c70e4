#!/usr/bin/env bash
# Debian packages the tests use: chromium for the browser tests (Playwright's own browser download does not
# work offline) and docker-compose, a compose client that checks docker-compose.yml (no engine needed; the
# check is skipped without one). Installs what is missing when this user may; otherwise says what to install.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  missing+=(docker-compose)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian's ${missing[*]} for the tests" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
      echo "setup: could not install ${missing[*]}" >&2
  fi
else
  echo "setup: missing ${missing[*]}: the browser tests fail without chromium and the compose check is" \
       "skipped without docker-compose. Install them: sudo apt-get install -y ${missing[*]}" >&2
fi
