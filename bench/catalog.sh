#!/usr/bin/env bash
# Catalog benchmark (issue 3): start-up with the Foshan-size demo catalog
# (157 departments, 5,349 items), catalog search and a service guide page
# under wrk, each next to nginx serving a static file of the same size in the
# same run, and onehall's RSS afterwards. 127.0.0.1 only. Bounded: start-up
# waits at most 30 s per start, each wrk run lasts DURATION seconds.
#
#   DURATION=8 bench/catalog.sh [BUILD_DIR]      (default build/)
#
# Environment: DURATION (10), CONNS (64), THREADS (2, wrk threads and nginx
# workers), ROUNDS (3, onehall/nginx pairs), STARTS (3, timed start-ups),
# QUERY (登记, a common two-character term), ITEM (企业营业执照变更登记, the
# item whose guide page is fetched). See bench/README-catalog.md.
#
# Prints a Markdown table for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
build=${1:-build}
bin=$build/onehall
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
STARTS=${STARTS:-3}
QUERY=${QUERY:-登记}
ITEM=${ITEM:-企业营业执照变更登记}

[ -x "$bin" ] || { echo "catalog.sh: no $bin (build it: cmake --build $build --target onehall)" >&2; exit 1; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx-light curl >/dev/null
fi
command -v curl >/dev/null || { echo "catalog.sh: curl is needed" >&2; exit 1; }

work=$(mktemp -d /tmp/onehall-catbench-XXXXXX)
hall_pid=""
cleanup() {
  stop_hall
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hall_port=$(free_port)
nginx_port=$(free_port)
hall=http://127.0.0.1:$hall_port
now_ms() { date +%s%3N; }
urlenc() { # percent-encode every byte that is not unreserved
  local LC_ALL=C s=$1 i c out=""
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in [A-Za-z0-9._~-]) out+=$c ;; *) out+=$(printf '%%%02X' "'$c") ;; esac
  done
  printf '%s' "$out"
}

# 1. Fresh data dir with the demo catalog, then timed start-ups.
t0=$(now_ms)
"$bin" demo --data "$work/data" >"$work/demo.log" 2>&1
demo_ms=$(($(now_ms) - t0))

start_hall() { # sets startup_ms: from launch to the first 200 from /healthz
  local t0
  : >"$work/hall.log"
  t0=$(now_ms)
  "$bin" serve --listen "127.0.0.1:$hall_port" --data "$work/data" --access-log off \
    --max-per-ip 0 --max-conns 4096 >>"$work/hall.log" 2>&1 &
  hall_pid=$!
  for _ in $(seq 3000); do
    if curl -sf -o /dev/null "$hall/healthz"; then
      startup_ms=$(($(now_ms) - t0))
      startup_cpu=$(cpu_ms "$hall_pid"); return 0
    fi
    kill -0 "$hall_pid" 2>/dev/null || break
    sleep 0.01
  done
  echo "catalog.sh: onehall did not answer /healthz:" >&2; cat "$work/hall.log" >&2; exit 1
}
build_ms() { sed -n 's/.*catalog: revision [0-9]*, \([0-9]*\) published items, built in \([0-9]*\) ms.*/\2/p' "$work/hall.log" | tail -1; }
startups=() builds=() cpus=()
for i in $(seq "$STARTS"); do
  start_hall
  startups+=("$startup_ms")
  cpus+=("$startup_cpu")
  builds+=("$(build_ms)")
  [ "$i" -lt "$STARTS" ] && stop_hall
done
catalog_line=$(grep -o 'catalog: revision.*' "$work/hall.log" | tail -1)
idle_rss=$(rss_kb "$hall_pid")
idle_hwm=$(hwm_kb "$hall_pid")

# 2. The URLs, and the bodies nginx will serve.
mkdir -p "$work/www" "$work/nginx"
search_path="/api/v1/items?q=$(urlenc "$QUERY")"
curl -sf -o "$work/www/search.json" "$hall$search_path"
search_total=$(grep -o '"total":[0-9]*' "$work/www/search.json" | head -1 | cut -d: -f2)
search_size=$(stat -c %s "$work/www/search.json")
code=$(curl -sf "$hall/api/v1/items?q=$(urlenc "$ITEM")" |
  grep -o "\"code\":\"[^\"]*\",\"version\":[0-9]*,\"name\":\"$ITEM\"" | head -1 | cut -d'"' -f4 || true)
guide_path="/items/$code"
guide_status=$(curl -s -o "$work/www/guide.html" -w '%{http_code}' "$hall$guide_path" || true)
guide_size=$(stat -c %s "$work/www/guide.html")

cat >"$work/nginx.conf" <<NGINX
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
  types { application/json json; text/html html; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    etag on;
    add_header Cache-Control "no-store";
    add_header X-Content-Type-Options nosniff;
  }
}
NGINX
chmod 755 "$work" "$work/www"   # nginx's workers run as nobody when started by root
chmod 644 "$work"/www/*
nginx -c "$work/nginx.conf"
nginx_ok=""
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/search.json" && { nginx_ok=1; break; }
  sleep 0.05
done
[ -n "$nginx_ok" ] || { echo "catalog.sh: nginx does not serve search.json:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Each onehall run is followed by the nginx run on the same bytes; the pairs
# are repeated ROUNDS times, so both see the same neighbours on the machine.
# Besides wrk's figures, the CPU time (user + system) the server spent during
# the run, per request: it depends much less on other load than requests/s.
nginx_pids() { echo "$(cat "$work/nginx.pid") $(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')"; }
run() { # key url pid...
  local key=$1 url=$2 out c0 c1 n
  shift 2
  c0=$(cpu_sum "$@")
  out=$(timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")
  c1=$(cpu_sum "$@")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  awk '/^Requests\/sec/ {printf "%.0f\n", $2}' <<<"$out" >>"$work/$key.rps"
  ms "$(awk '$1=="99%" {print $2}' <<<"$out")" >>"$work/$key.p99"
  awk -v c=$((c1 - c0)) -v n="$n" 'BEGIN {printf "%.0f\n", n ? c * 1000 / n : 0}' >>"$work/$key.cpu"
  awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out" >>"$work/$key.errs"
}
ms() { # wrk latency (us, ms, s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /s$/) n *= 1000; printf "%.2f\n", n }'
}
median() { # file [printf format]
  sort -n "$1" | awk -v f="${2:-%.0f}" '{a[NR] = $1} END {printf f, (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
all() { paste -sd/ "$1" | sed 's|/| / |g'; }
thousands() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }
pct() { awk -v a="$(median "$work/$1.rps")" -v b="$(median "$work/$2.rps")" 'BEGIN {printf "%.1f", 100*a/b}'; }
pcts() { paste -d' ' "$work/$1.rps" "$work/$2.rps" | awk '{printf "%s%.1f", (NR > 1 ? " / " : ""), 100 * $1 / $2}'; }

ROUNDS=${ROUNDS:-3}
for _ in $(seq "$ROUNDS"); do
  run hall_search "$hall$search_path" "$hall_pid"
  run nginx_search "http://127.0.0.1:$nginx_port/search.json" $(nginx_pids)
  if [ "$guide_status" = 200 ]; then
    run hall_guide "$hall$guide_path" "$hall_pid"
    run nginx_guide "http://127.0.0.1:$nginx_port/guide.html" $(nginx_pids)
  fi
done
row() { # label key size
  local errs
  errs=$(awk '{s += $1} END {if (s) print s}' "$work/$2.errs")
  printf '| %s | %s (%s) | %s (%s) | %s | %s |\n' "$1" "$(thousands "$(median "$work/$2.rps")")" \
    "$(all "$work/$2.rps")" "$(median "$work/$2.p99" %.2f) ms" "$(all "$work/$2.p99")" \
    "$(median "$work/$2.cpu") µs" "$3${errs:+ ($errs non-2xx)}"
}
rows=("$(row "onehall GET $search_path ($QUERY, $search_total items, page 1 of 20)" hall_search "$search_size B")"
      "$(row "nginx GET /search.json (same bytes)" nginx_search "$search_size B")")
if [ "$guide_status" = 200 ]; then
  rows+=("$(row "onehall GET $guide_path ($ITEM)" hall_guide "$guide_size B")"
         "$(row "nginx GET /guide.html (same bytes)" nginx_guide "$guide_size B")")
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# 3. RSS after the benchmark.
rss=$(rss_kb "$hall_pid")
hwm=$(hwm_kb "$hall_pid")

# 4. Summary.
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
echo "| what | requests/s, median (each round) | p99 latency, median (each round) | server CPU per request | response body |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "- start-up (launch to first 200 from /healthz), $STARTS starts: ${startups[*]} ms (goal: under 1000 ms)"
echo "- onehall CPU time (user + system) by then: ${cpus[*]} ms"
echo "- catalog build (server log), same starts: ${builds[*]} ms — last: $catalog_line"
echo "- demo load into a fresh data dir: $demo_ms ms"
echo "- search: $(pct hall_search nginx_search)% of nginx's requests/s (rounds: $(pcts hall_search nginx_search); goal: at least 40%), p99 $(median "$work/hall_search.p99" %.2f) ms (goal: under 20 ms)"
if [ "$guide_status" = 200 ]; then
  echo "- guide page: $(pct hall_guide nginx_guide)% of nginx's requests/s (rounds: $(pcts hall_guide nginx_guide); goal: at least 50%)"
else
  echo "- guide page: GET $guide_path answered $guide_status ($guide_size B): not measured, re-run when the route exists"
fi
echo "- onehall RSS: after start $(mb "$idle_rss") MB (peak $(mb "$idle_hwm") MB); after the benchmark VmRSS $(mb "$rss") MB, VmHWM $(mb "$hwm") MB (goal: under 64 MB)"
echo "- load average before / after the wrk runs: $load_before / $load_after"
echo "- $("$bin" version 2>/dev/null | head -1) at $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
echo "- ($ROUNDS rounds of wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, nginx $THREADS workers, on $(nproc) cores; $(date -u +%Y-%m-%d))"
