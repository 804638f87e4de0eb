#!/usr/bin/env bash
# HTTP benchmark: onehall's /healthz and one static asset, and the same asset
# served by nginx on the same machine in the same run, with wrk against
# 127.0.0.1 only. Bounded: each run lasts DURATION seconds.
#
#   bench/http.sh [BUILD_DIR]        (default build/)
#
# Prints a Markdown table for docs/PERFORMANCE.md: requests/s, p99 latency,
# onehall's idle RSS and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
build=${1:-build}
bin=$build/onehall
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
asset=assets/app.css
command -v wrk >/dev/null && command -v nginx >/dev/null || bash scripts/setup

work=$(mktemp -d /tmp/onehall-bench-XXXXXX)
cleanup() {
  [ -n "${hall_pid:-}" ] && kill "$hall_pid" 2>/dev/null && wait "$hall_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

hall_port=$(free_port)
nginx_port=$(free_port)

"$bin" serve --listen "127.0.0.1:$hall_port" --data "$work/data" --access-log off \
  --log-level warn --max-per-ip 0 --max-conns 4096 &
hall_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$hall_port/healthz" >/dev/null && break; sleep 0.1; done

mkdir -p "$work/www/assets" "$work/nginx"
cp "$asset" "$work/www/assets/"
cat > "$work/nginx.conf" <<NGINX
worker_processes $THREADS;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    etag on;
    add_header Cache-Control "public, max-age=3600";
    add_header X-Content-Type-Options nosniff;
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.3

idle=$(rss_kb "$hall_pid")

run() { # name url
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$2")
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s |\n' "$1" "$rps" "$p99"
  echo "$rps" > "$work/$3"
}

echo "| what | requests/s | p99 latency |"
echo "|---|---|---|"
run "onehall GET /healthz" "http://127.0.0.1:$hall_port/healthz" healthz
run "onehall GET /$asset" "http://127.0.0.1:$hall_port/$asset" hall_asset
run "nginx GET /$asset" "http://127.0.0.1:$nginx_port/$asset" nginx_asset
peak=$(hwm_kb "$hall_pid")
ratio=$(awk -v a="$(cat "$work/hall_asset")" -v b="$(cat "$work/nginx_asset")" 'BEGIN {printf "%.1f", 100*a/b}')
echo
echo "onehall static asset at ${ratio}% of nginx's requests/s"
echo "onehall RSS: idle $((idle / 1024)) MB ($idle kB), peak $((peak / 1024)) MB ($peak kB)"
echo "(wrk -t$THREADS -c$CONNS -d${DURATION}s on $(nproc) cores; $(date -u +%Y-%m-%d))"
