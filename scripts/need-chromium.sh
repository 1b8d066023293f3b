#!/bin/sh
# Browser tests drive Debian's Chromium. Before the suite starts: find it, install it when this
# machine can (root with apt-get, as CI does), or stop at once with the one command to run.
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing: installing Debian's package (apt-get install chromium)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM and it is not installed." >&2
echo "Install it with:   sudo apt-get install chromium" >&2
echo "(or point CHROMIUM_PATH at a Chromium binary), then run the tests again." >&2
exit 1
