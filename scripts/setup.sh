#!/bin/sh
# Installs the system packages gongkai needs on Debian/Ubuntu (run as root, or
# with sudo available). Idempotent: already installed packages are skipped.
#
#   fonts-noto-cjk  the CJK fonts embedded in PDF output (Noto Serif/Sans CJK SC);
#                   gongkai looks them up in /usr/share/fonts/opentype/noto/, or
#                   where GONGKAI_FONT points.
#   poppler-utils   pdftoppm / pdftotext, used by the tests that look at a rendered
#                   PDF page.
#   chromium, chromium-driver
#                   the headless browser and its WebDriver, for the browser tests of
#                   `gongkai serve` (crates/web/tests/browser.rs).
#   wrk             the HTTP load generator of the server benchmark.
set -eu

packages="fonts-noto-cjk poppler-utils chromium chromium-driver wrk"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: all system packages present ($packages)"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "setup: need root (or sudo) to install:$missing" >&2
    exit 1
fi

echo "setup: installing$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
