#!/usr/bin/env bash
# Re-vendors the front-end libraries from the npm registry (run by hand when upgrading; the
# files are committed so that nothing downloads at run time and no CDN is used).
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.11
SWAGGER_UI_VERSION=5.35.0
ECHARTS_VERSION=6.1.0
tmp=$(mktemp -d)
(cd "$tmp" && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf htmx.org-*.tgz)
mkdir -p "$tmp/sw"
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$SWAGGER_UI_VERSION" >/dev/null && tar xzf swagger-ui-dist-*.tgz -C sw)
dest=src/rarecare/web/static/vendor
rm -f "$dest"/htmx-*.min.js
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx-$HTMX_VERSION.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx-LICENSE.txt"
mkdir -p "$dest/swagger-ui"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do cp "$tmp/sw/package/$f" "$dest/swagger-ui/"; done
echo "$SWAGGER_UI_VERSION" > "$dest/swagger-ui/VERSION"
mkdir -p "$tmp/ec"
(cd "$tmp" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar xzf echarts-*.tgz -C ec)
rm -f "$dest"/echarts-*.min.js
cp "$tmp/ec/package/dist/echarts.min.js" "$dest/echarts-$ECHARTS_VERSION.min.js"
cp "$tmp/ec/package/LICENSE" "$dest/echarts-LICENSE.txt"
cp "$tmp/ec/package/NOTICE" "$dest/echarts-NOTICE.txt"
# axe-core: only the browser tests load it (WCAG checks of the public pages)
AXE_VERSION=4.14.1
mkdir -p "$tmp/axe"
(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf axe-core-*.tgz -C axe)
rm -f tests/browser/vendor/axe-*.min.js
mkdir -p tests/browser/vendor
cp "$tmp/axe/package/axe.min.js" "tests/browser/vendor/axe-$AXE_VERSION.min.js"
cp "$tmp/axe/package/LICENSE" tests/browser/vendor/axe-LICENSE.txt
rm -rf "$tmp"
echo "vendored htmx $HTMX_VERSION into $dest"
