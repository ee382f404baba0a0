#!/bin/sh
# Install 法治报告检索 from this bundle alone (no network): a venv with the bundled wheels, the
# samples imported, and the service started.
#
#   sh install.sh [PREFIX]            default PREFIX /opt/fazhi-archive
#
# Environment: DATA (default PREFIX/data), HOST (127.0.0.1), PORT (8080), SERVICE_USER
# (fazhi-archive), START = systemd | foreground | no (default: systemd when run as root on a
# systemd machine, else foreground).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${1:-/opt/fazhi-archive}
DATA=${DATA:-$PREFIX/data}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8080}
SERVICE_USER=${SERVICE_USER:-fazhi-archive}
PYTHON=${PYTHON:-python3}
if [ -z "${START:-}" ]; then
  if [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ]; then START=systemd; else START=foreground; fi
fi

echo "== 安装到 $PREFIX (数据目录 $DATA)"
mkdir -p "$PREFIX"
"$PYTHON" -m venv "$PREFIX/.venv"
"$PREFIX/.venv/bin/pip" install -q --disable-pip-version-check --no-index \
  --find-links "$HERE/wheels" -r "$HERE/requirements-bundle.txt"
"$PREFIX/.venv/bin/pip" install -q --disable-pip-version-check --no-index --no-deps \
  --find-links "$HERE/wheels" -r "$HERE/requirements-ocr.txt"
"$PREFIX/.venv/bin/pip" install -q --disable-pip-version-check --no-index --no-deps \
  "$HERE"/wheels/fazhi_baogao-*.whl
rm -rf "$PREFIX/samples" && cp -r "$HERE/samples" "$PREFIX/samples"

# PNG export of the trend chart needs Debian's libcairo2 and a CJK font: installed from debs/
# when the bundle carries them and we are root; otherwise only reported (SVG works regardless).
if [ -d "$HERE/debs" ] && ls "$HERE"/debs/*.deb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  dpkg -i "$HERE"/debs/*.deb >/dev/null || echo "!! debs/ 中的软件包未能安装 (缺少依赖?); PNG 导出不可用"
fi
missing=""
for pkg in $(grep -v '^#' "$HERE/DEBIAN-PACKAGES.txt"); do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "!! 未安装的 Debian 软件包:$missing — 趋势图的 PNG 导出不可用 (SVG 可用); 安装: apt-get install$missing"
fi

if [ "$START" = systemd ]; then
  id "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --home-dir "$DATA" --shell /usr/sbin/nologin "$SERVICE_USER"
  mkdir -p "$DATA" && chown -R "$SERVICE_USER:$SERVICE_USER" "$DATA"
fi
echo "== 导入示例报告并建立索引"
if [ "$START" = systemd ]; then
  runuser -u "$SERVICE_USER" -- "$PREFIX/.venv/bin/archive" --data "$DATA" bootstrap "$PREFIX/samples"
else
  "$PREFIX/.venv/bin/archive" --data "$DATA" bootstrap "$PREFIX/samples"
fi

case "$START" in
  systemd)
    sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@DATA@#$DATA#g" -e "s#@USER@#$SERVICE_USER#g" \
        -e "s#@HOST@#$HOST#g" -e "s#@PORT@#$PORT#g" "$HERE/deploy/fazhi-archive.service" \
        > /etc/systemd/system/fazhi-archive.service
    [ -e /etc/fazhi-archive.env ] || { install -m 600 /dev/null /etc/fazhi-archive.env; \
      echo "# ARCHIVE_ADMIN_PASSWORD=...  ARCHIVE_TRUSTED_PROXIES=...  ARCHIVE_ADMIN_NETWORKS=..." > /etc/fazhi-archive.env; }
    systemctl daemon-reload
    systemctl enable --now fazhi-archive.service
    echo "== 服务已启动: http://$HOST:$PORT/ (systemctl status fazhi-archive; 管理员密码写在 /etc/fazhi-archive.env)"
    ;;
  foreground)
    echo "== 启动: http://$HOST:$PORT/ (Ctrl-C 停止)"
    exec "$PREFIX/.venv/bin/archive" --data "$DATA" serve --host "$HOST" --port "$PORT"
    ;;
  *)
    echo "== 已安装; 启动: $PREFIX/.venv/bin/archive --data $DATA serve --host $HOST --port $PORT"
    ;;
esac
