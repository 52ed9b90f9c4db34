#!/usr/bin/env bash
# Browser tests and PDF reports need Debian's Chromium (driven by Playwright), pdftotext
# (poppler-utils), Pango (WeasyPrint's text layout) and fonts that show Cyrillic and Chinese
# names (Noto). Installs the missing ones with apt-get when we are root; otherwise says what
# is missing and exits non-zero (the browser tests then skip with a message).
set -uo pipefail
PACKAGES=(chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0
          fonts-noto-core fonts-noto-cjk)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "browser packages missing (${missing[*]}) and no apt-get as root: skipping"; exit 1
fi
echo "installing ${missing[*]} (Debian packages)"
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || exit 1
exit 0
