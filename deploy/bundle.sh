#!/bin/sh
# Build the offline installation bundle (`make bundle`): the project as a wheel, a wheel of every
# pinned runtime dependency for this machine's Python and platform (build it on the same Debian
# release and architecture as the office server), the samples, the service unit and install.sh.
#
#   sh deploy/bundle.sh PYTHON OUT.tar.gz      (needs the package registry; the install does not)
#
# BUNDLE_DEBS=1 also puts the .deb files of DEBIAN-PACKAGES.txt into debs/ (apt-get download;
# their own dependencies are expected on the target).
set -eu
PYTHON=$1
OUT=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=$(basename "$OUT" .tar.gz)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DIR=$WORK/$NAME
mkdir -p "$DIR/wheels" "$DIR/deploy"

# Runtime pins only: requirements.txt without the tests' and benchmarks' packages.
grep -v -i -E '^(pytest|pytest-randomly|hypothesis|playwright|reportlab|psutil|greenlet|iniconfig|pluggy|Pygments|sortedcontainers|setuptools)==' \
  "$ROOT/requirements.txt" > "$DIR/requirements-bundle.txt"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -r "$DIR/requirements-bundle.txt" -w "$DIR/wheels"
cp "$ROOT/requirements-ocr.txt" "$DIR/"   # RapidOCR, installed --no-deps (see the Makefile)
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -r "$DIR/requirements-ocr.txt" -w "$DIR/wheels"
mkdir "$WORK/src"  # the project's wheel, built from a copy (no build/ left in the checkout)
cp -r "$ROOT/pyproject.toml" "$ROOT/archive" "$ROOT/importers" "$ROOT/index" "$ROOT/workflows" \
  "$ROOT/analysis" "$ROOT/webapp" "$ROOT/cli" "$WORK/src/"
find "$WORK/src" -name __pycache__ -prune -exec rm -rf {} +
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation "$WORK/src" -w "$DIR/wheels"

cp -r "$ROOT/samples" "$DIR/samples"
cp "$ROOT/deploy/fazhi-archive.service" "$DIR/deploy/"
cp "$ROOT/deploy/install.sh" "$ROOT/deploy/DEBIAN-PACKAGES.txt" "$ROOT/README.md" "$DIR/"
if [ "${BUNDLE_DEBS:-}" = 1 ]; then
  mkdir -p "$DIR/debs"
  (cd "$DIR/debs" && apt-get download $(grep -v '^#' "$ROOT/deploy/DEBIAN-PACKAGES.txt"))
fi
mkdir -p "$(dirname "$OUT")"
tar -C "$WORK" -czf "$OUT" "$NAME"
echo "$OUT: $(ls "$DIR/wheels" | wc -l) wheels, $(du -sh "$OUT" | cut -f1)"
