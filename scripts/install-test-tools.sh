#!/usr/bin/env bash
# The programs the test suite drives besides Node: Debian's nginx and redis-server (the scale-out tests start their
# own, never a running one) and Chromium (the page tests). Installed with apt only when missing, as root or through
# sudo without a password; where that cannot be done it says what is missing and leaves the rest to the suite. The
# tests themselves never install anything: without these programs the tests that need them fail with a message naming
# the package (the page tests are skipped with a loud message, and fail under CI=true).
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || missing+=(chromium)
[ ${#missing[@]} -gt 0 ] || exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "not installing the test tools (${missing[*]}): that needs root or sudo without a password" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "not installing the test tools (${missing[*]}): no apt-get here; install them with this system's package manager" >&2
  exit 0
fi
echo "installing the test tools: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
