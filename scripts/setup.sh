#!/bin/sh
# Installs the system packages gongkai needs on Debian/Ubuntu (run as root, or
# with sudo available). Idempotent: already installed packages are skipped.
#
#   fonts-noto-cjk  the CJK fonts the build embeds in the gongkai binary for PDF
#                   output (crates/render/build.rs reads them from
#                   /usr/share/fonts/opentype/noto/), so the program needs no font
#                   on the machine it runs on. Needed to build, not to run.
#   poppler-utils   pdftoppm / pdftotext, used by the tests that look at a rendered
#                   PDF page.
#   libreoffice-writer-nogui
#                   the picture test turns the written DOCX into a PDF with it, as an
#                   office would open it (crates/render/tests/pictures.rs).
#   fonts-liberation2
#                   Times New Roman's metrics for that conversion (the DOCX sets its
#                   figures in Times New Roman).
set -eu

packages="fonts-noto-cjk poppler-utils libreoffice-writer-nogui fonts-liberation2 chromium chromium-driver wrk"

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
