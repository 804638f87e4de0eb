#!/usr/bin/env bash
# Applications benchmark (issue 5). 127.0.0.1 only, bounded in time.
#
#   bench/applications.sh [BUILD_DIR]            (default build/)
#
# 1. The ceiling: bench/fsync_ceiling.c writes and fsyncs 200 KB files the
#    way the blob store does (file fsync, rename, directory fsync): the
#    issue's "loop writing and fsyncing 200 KB files" with 1 thread (the
#    goal's reference), and the same with CLIENTS threads (for comparison),
#    in the data dir's file system. Their files are kept until the end: ext4
#    without a journal scans recently deleted inodes when it allocates new
#    ones (for a minute or more), so deleting thousands of files just before
#    a round would slow the round that follows.
# 2. Submissions: CLIENTS citizens (accounts and tokens made before the
#    clock starts) each loop over one 200 KB multipart upload + one
#    POST /api/v1/applications submitting with it (bench/apply_load.c), on
#    SQLite (WAL, synchronous=FULL), for DURATION seconds. Around each round:
#    the server's CPU time over the clock only (apply_load reads it, so the
#    accounts' Argon2id set-up is left out), the driver's, the disk's writes
#    and flushes (/proc/diskstats), vmstat, and the group-commit counters
#    (GET /api/v1/stats/storage as the demo's system administrator).
#    ROUNDS rounds, each next to a ceiling round.
# 3. The staff case list: CASES cases seeded with sqlite3 straight into the
#    database for one department, a clerk of that department, and wrk on
#    GET /api/v1/applications?per_page=20 (also &overdue=1, &page=50) at
#    LIST_CONNS connections, ROUNDS rounds each.
#
# Environment: DURATION (15), CLIENTS (32), ROUNDS (3), SIZE (204800),
# THREADS (server worker threads; 32, see bench/README-applications.md for
# why not the default), CASES (100000), LIST_DURATION (10), LIST_CONNS (16),
# ITEM (440600-GA-0002), LIST_CONNS may list several counts ("16 4"), EXTRA_INDEXES (1: the list again with the two
# indexes suggested in docs/PERFORMANCE.md), STRACE (0; 1 adds a round under strace counting the
# WAL's fdatasync calls, i.e. group commits).
#
# BACKEND=postgres runs all of it on a throw-away PostgreSQL server
# (tests/pg-server.sh: initdb + pg_ctl in a temporary directory, fsync on),
# seeding the case list with psql; the fsync ceiling is then the blob
# store's file system alone (the database's log is PostgreSQL's business).
#
# Prints Markdown tables for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BACKEND=${BACKEND:-sqlite}
if [ "$BACKEND" = postgres ] && [ -z "${ONEHALL_TEST_PG_URL:-}" ]; then
  exec bash tests/pg-server.sh bash "$0" "$@"
fi
dbargs=()
[ "$BACKEND" = postgres ] && dbargs=(--db "$ONEHALL_TEST_PG_URL")
build=${1:-build}
bin=$build/onehall
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-32}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-204800}
THREADS=${THREADS:-32}
CASES=${CASES:-100000}
LIST_DURATION=${LIST_DURATION:-10}
LIST_CONNS=${LIST_CONNS:-16}
ITEM=${ITEM:-440600-GA-0002}
STRACE=${STRACE:-0}

[ -x "$bin" ] || { echo "applications.sh: no $bin (build it: cmake --build $build --target onehall)" >&2; exit 1; }
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ "$BACKEND" = postgres ] && ! command -v psql >/dev/null && need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
command -v vmstat >/dev/null || need+=(procps)
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/include/curl/curl.h ] || [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || need+=(libcurl4-openssl-dev)
[ "$STRACE" = 1 ] && ! command -v strace >/dev/null && need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/onehall-appbench-XXXXXX)
hall_pid=""
vm_pid=""
cleanup() {
  stop_hall
  [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# room for everything the rounds write (kept until the end, see above):
# at most about 3,500 files/s of SIZE per second of all rounds
need_kb=$((ROUNDS * DURATION * 3500 * SIZE / 1024 * 3 / 2))
free_kb=$(df --output=avail -k "$work" | tail -1)
[ "$free_kb" -gt "$need_kb" ] || { echo "applications.sh: $((free_kb / 1024)) MB free under /tmp, want $((need_kb / 1024)) MB (lower DURATION or ROUNDS)" >&2; exit 1; }

cc -O2 -pthread -o "$work/fsync_ceiling" bench/fsync_ceiling.c
cc -O2 -pthread -o "$work/apply_load" bench/apply_load.c -lcurl

port=$(free_port)
hall=http://127.0.0.1:$port
data=$work/data
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; } # kv KEY LINE
load() { cut -d' ' -f1-3 /proc/loadavg; }
db_cpu_ms() { # PostgreSQL's processes (its backends say "postgres:"), 0 on SQLite
  if [ "$BACKEND" = postgres ]; then cpu_sum $(pgrep -f 'postgres:' || true); else echo 0; fi
}
dev=$(basename "$(df --output=source "$work" | tail -1)")
disk() { # writes completed, flushes completed (0 when unknown)
  awk -v d="$dev" '$3==d {print $8, ($18 == "" ? 0 : $18); f=1} END {if (!f) print 0, 0}' /proc/diskstats
}

sql() { # one query on the hall's database, rows as text
  if [ "$BACKEND" = postgres ]; then psql -Atq "$ONEHALL_TEST_PG_URL" -c "$1"; else sqlite3 "$data/onehall.db" "$1"; fi
}

start_hall() { # extra args
  : >"$work/hall.log"
  "$bin" serve "${dbargs[@]}" --listen "127.0.0.1:$port" --data "$data" --access-log off --log-level warn \
    --max-per-ip 0 --max-conns 4096 "$@" >>"$work/hall.log" 2>&1 &
  hall_pid=$!
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$hall/healthz" && return 0
    kill -0 "$hall_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "applications.sh: onehall did not start:" >&2; cat "$work/hall.log" >&2; exit 1
}

echo "load average before: $(load) on $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
"$bin" demo "${dbargs[@]}" --data "$data" >"$work/demo.log" 2>&1
start_hall --threads "$THREADS"

# The materials of ITEM: every one covered by an e-certificate or government
# data says so; the one required material left is the upload (@ID@).
# (asked as the demo's citizen, who has applied for nothing)
read -r cit_login cit_pass < <(sed -n 's/.*citizen .* login \([^ ]*\) *password \([^ ]*\).*/\1 \2/p' "$work/demo.log")
probe=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"username\":\"$cit_login\",\"password\":\"$cit_pass\"}" "$hall/api/v1/session" | jq -r .token)
prep=$(curl -sf -H "Authorization: Bearer $probe" "$hall/api/v1/items/$ITEM/apply")
uploads=$(jq '[.materials[] | select(.required and .covered_by == null)] | length' <<<"$prep")
[ "$uploads" = 1 ] || { echo "applications.sh: $ITEM needs $uploads uploads, not 1" >&2; exit 1; }
materials=$(jq -c '[.materials[] | if .covered_by == "certificate" then {index, source: "certificate"}
  elif .covered_by == "government_data" then {index, source: "government_data"}
  elif .required then {index, upload_id: "@ID@"} else empty end]' <<<"$prep" | sed 's/"@ID@"/@ID@/')
dept=$(jq -r '.item.department // .department // empty' <<<"$prep" 2>/dev/null || true)
read -r adm_login adm_pass < <(sed -n 's/.*system admin .* login \([^ ]*\) *password \([^ ]*\).*/\1 \2/p' "$work/demo.log")
admin=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"username\":\"$adm_login\",\"password\":\"$adm_pass\"}" "$hall/api/v1/session" | jq -r .token)
group() { # transactions commits
  curl -sf -H "Authorization: Bearer $admin" "$hall/api/v1/stats/storage" |
    jq -r '"\(.group_commit.transactions) \(.group_commit.commits)"'
}
[ -n "$dept" ] || dept=$(sql "SELECT department_code FROM catalog_items WHERE code = '$ITEM' LIMIT 1")

# 1 + 2. Ceiling and submissions, round by round.
ceil_line() { # threads
  local d
  d=$(mktemp -d "$work/ceiling-XXXXXX")
  "$work/fsync_ceiling" "$d/blobs" "$1" "$DURATION" "$SIZE"
}
: >"$work/rounds"
for r in $(seq "$ROUNDS"); do
  c32=$(ceil_line "$CLIENTS")
  c1=$(ceil_line 1)
  l0=$(load)
  read -r w0 f0 < <(disk)
  read -r gt0 gc0 < <(group)
  db0=$(db_cpu_ms)
  vmstat 1 >"$work/vmstat.$r" &
  vm_pid=$!
  out=$(SERVER_PID=$hall_pid "$work/apply_load" "$hall" "$CLIENTS" "$DURATION" "$SIZE" "$ITEM" "$materials" "$r") || {
    echo "applications.sh: apply_load failed: $out" >&2; cat "$work/hall.log" >&2; exit 1; }
  kill "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; vm_pid=""
  read -r w1 f1 < <(disk)
  read -r gt1 gc1 < <(group)
  db1=$(db_cpu_ms)
  tpc=$(awk -v t=$((gt1 - gt0)) -v c=$((gc1 - gc0)) 'BEGIN {printf "%.1f", c ? t / c : 0}')
  n=$(kv submissions "$out"); secs=$(kv seconds "$out")
  # vmstat: us sy id wa averaged over the run (first line is since boot)
  vm=$(awk 'NR>3 {us+=$13; sy+=$14; id+=$15; wa+=$16; n++} END {if (n) printf "%d/%d/%d/%d", us/n, sy/n, id/n, wa/n}' "$work/vmstat.$r")
  echo "$r|$(kv files_per_s "$c32")|$(kv files_per_s "$c1")|$(kv per_s "$out")|$(kv p50_ms "$out")|$(kv p99_ms "$out")|$(kv upload_p50_ms "$out")|$(kv apply_p50_ms "$out")|$(kv errors "$out")|$(kv server_cpu_ms "$out")/$(kv driver_cpu_ms "$out")$([ "$BACKEND" = postgres ] && awk -v c=$((db1 - db0)) -v n="$(kv submissions "$out")" 'BEGIN {printf "/%.3f", n ? c / n : 0}')|$(awk -v w=$((w1 - w0)) -v s="$secs" 'BEGIN {printf "%.0f", w / s}')|$(awk -v f=$((f1 - f0)) -v s="$secs" 'BEGIN {printf "%.0f", f / s}')|$vm|$l0|$tpc|$(kv p50_ms "$c32")|$(kv p99_ms "$c32")" >>"$work/rounds"
done

echo
echo "### Submissions on $BACKEND ($CLIENTS clients, ${DURATION}s rounds, $((SIZE / 1024)) KB PDF each, item $ITEM of $dept, server --threads $THREADS)"
echo
echo "| round | ceiling: the loop, 1 thread (files/s) | submissions/s | **of the loop** | ceiling with $CLIENTS threads | of that | p50 pair | p99 pair | p50 upload | p50 apply | errors | CPU ms / submission, server/driver$([ "$BACKEND" = postgres ] && echo "/database") | transactions per commit | disk writes/s | disk flushes/s | vmstat us/sy/id/wa | load before |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
while IFS='|' read -r r c32 c1 ps p50 p99 up50 ap50 err cpu ws fs vm l0 tpc _ _; do
  r1=$(awk -v a="$ps" -v b="$c1" 'BEGIN {printf "%.0f %%", b ? 100 * a / b : 0}')
  r32=$(awk -v a="$ps" -v b="$c32" 'BEGIN {printf "%.0f %%", b ? 100 * a / b : 0}')
  echo "| $r | $c1 | $ps | **$r1** | $c32 | $r32 | $p50 ms | $p99 ms | $up50 ms | $ap50 ms | $err | $cpu | $tpc | $ws | $fs | $vm | $l0 |"
done <"$work/rounds"
m_c32=$(cut -d'|' -f2 "$work/rounds" | median)
m_c1=$(cut -d'|' -f3 "$work/rounds" | median)
m_ps=$(cut -d'|' -f4 "$work/rounds" | median)
echo "| **median** | **$m_c1** | **$m_ps** | **$(awk -v a="$m_ps" -v b="$m_c1" 'BEGIN {printf "%.0f %%", 100 * a / b}')** | $m_c32 | $(awk -v a="$m_ps" -v b="$m_c32" 'BEGIN {printf "%.0f %%", 100 * a / b}') | $(cut -d'|' -f5 "$work/rounds" | median) ms | $(cut -d'|' -f6 "$work/rounds" | median) ms | | | | | $(cut -d'|' -f15 "$work/rounds" | median) | | | | |"

# Cases made by the runs, and group commits if asked (strace on the WAL).
echo
echo "cases in the database after the rounds: $(sql 'SELECT COUNT(*) FROM cases') (uploads: $(sql 'SELECT COUNT(*) FROM uploads'))"
if [ "$STRACE" = 1 ] && [ "$BACKEND" = sqlite ]; then
  strace -f -qq -y -e trace=fsync,fdatasync -p "$hall_pid" -o "$work/strace" &
  st_pid=$!
  sleep 1
  out=$("$work/apply_load" "$hall" "$CLIENTS" "$DURATION" "$SIZE" "$ITEM" "$materials" 90)
  kill -INT "$st_pid"; wait "$st_pid" 2>/dev/null || true
  n=$(kv submissions "$out")
  wal=$(grep -c 'fdatasync(.*onehall.db-wal>' "$work/strace" || true)
  fs=$(grep -c 'fsync(' "$work/strace" || true)
  top=$(grep 'fdatasync(.*onehall.db-wal>' "$work/strace" | awk '{print $1}' | sort | uniq -c | sort -rn | head -1 | awk '{print $1}')
  echo "under strace (slower): $n submissions ($(kv per_s "$out")/s), fsync calls $fs (blob files and directories), fdatasync calls of the WAL $wal, of which ${top:-0} by one thread (the notification outbox's connection); the rest, $((wal - ${top:-0})), carry the $((2 * n)) group-committed transactions (2 per submission): about $(awk -v w="$((wal - ${top:-0}))" -v n="$n" 'BEGIN {printf "%.1f", (w > 0 ? 2 * n / w : 0)}') per commit"
fi
stop_hall

# 3. The staff case list with CASES cases in the database.
db=$data/onehall.db
applicants=$(sql "SELECT string_agg(id::text, ',') FROM (SELECT id FROM accounts WHERE id_number IS NOT NULL ORDER BY id LIMIT 64) a" 2>/dev/null ||
  sql "SELECT group_concat(id) FROM (SELECT id FROM accounts WHERE id_number IS NOT NULL ORDER BY id LIMIT 64)")
t0=$(date +%s%3N)
if [ "$BACKEND" = postgres ]; then
psql -q -v ON_ERROR_STOP=1 "$ONEHALL_TEST_PG_URL" <<SQL
CREATE TEMP TABLE its AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS k, code, version
  FROM catalog_items WHERE department_code = '$dept' AND status = 'published';
CREATE TEMP TABLE who AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id
  FROM unnest(ARRAY[$applicants]::bigint[]) AS id;
INSERT INTO cases (number, item_code, item_version, department_code, applicant_id, state, version,
                   form, prefilled, materials, due_statutory, due_promised, due_sort,
                   created_at, submitted_at, updated_at)
SELECT '29' || lpad(i::text, 10, '0'), its.code, its.version, '$dept', who.id,
       CASE i % 10 WHEN 0 THEN 'submitted' WHEN 1 THEN 'submitted' WHEN 2 THEN 'submitted'
         WHEN 3 THEN 'accepted' WHEN 4 THEN 'accepted' WHEN 5 THEN 'accepted'
         WHEN 6 THEN 'under_review' WHEN 7 THEN 'under_review' WHEN 8 THEN 'concluded'
         ELSE 'supplement' END,
       1 + i % 4, '{}', '{}', '[]',
       CASE WHEN i % 10 < 3 THEN NULL ELSE to_char(current_date + ((i * 7919) % 120 - 40)::int, 'YYYY-MM-DD') END,
       CASE WHEN i % 10 < 3 THEN NULL ELSE to_char(current_date + ((i * 7919) % 90 - 30)::int, 'YYYY-MM-DD') END,
       CASE WHEN i % 10 < 3 THEN '9999-12-31' ELSE to_char(current_date + ((i * 7919) % 90 - 30)::int, 'YYYY-MM-DD') END,
       to_char(now() AT TIME ZONE 'Asia/Shanghai' - make_interval(mins => i::int), 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
       to_char(now() AT TIME ZONE 'Asia/Shanghai' - make_interval(mins => i::int), 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
       to_char(now() AT TIME ZONE 'Asia/Shanghai' - make_interval(mins => i::int), 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
FROM generate_series(1, $CASES) AS i
     JOIN its ON its.k = i % (SELECT COUNT(*) FROM its)
     JOIN who ON who.k = i % (SELECT COUNT(*) FROM who);
-- what autovacuum does soon after a bulk load: statistics, and the
-- visibility map that lets the list read its index alone
VACUUM ANALYZE cases;
SQL
else
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL;
CREATE TEMP TABLE its AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS k, code, version
  FROM catalog_items WHERE department_code = '$dept' AND status = 'published';
CREATE TEMP TABLE who AS SELECT ROW_NUMBER() OVER (ORDER BY value) - 1 AS k, value AS id
  FROM json_each('[$applicants]');
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CASES)
INSERT INTO cases (number, item_code, item_version, department_code, applicant_id, state, version,
                   form, prefilled, materials, due_statutory, due_promised, due_sort,
                   created_at, submitted_at, updated_at)
SELECT printf('29%010d', i), its.code, its.version, '$dept', who.id,
       CASE i % 10 WHEN 0 THEN 'submitted' WHEN 1 THEN 'submitted' WHEN 2 THEN 'submitted'
         WHEN 3 THEN 'accepted' WHEN 4 THEN 'accepted' WHEN 5 THEN 'accepted'
         WHEN 6 THEN 'under_review' WHEN 7 THEN 'under_review' WHEN 8 THEN 'concluded'
         ELSE 'supplement' END,
       1 + i % 4, '{}', '{}', '[]',
       CASE WHEN i % 10 < 3 THEN NULL ELSE date('now', printf('%+d days', (i * 7919) % 120 - 40)) END,
       CASE WHEN i % 10 < 3 THEN NULL ELSE date('now', printf('%+d days', (i * 7919) % 90 - 30)) END,
       CASE WHEN i % 10 < 3 THEN '9999-12-31' ELSE date('now', printf('%+d days', (i * 7919) % 90 - 30)) END,
       strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', printf('-%d minutes', i)),
       strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', printf('-%d minutes', i)),
       strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', printf('-%d minutes', i))
FROM n JOIN its ON its.k = i % (SELECT COUNT(*) FROM its)
       JOIN who ON who.k = i % (SELECT COUNT(*) FROM who);
COMMIT;
ANALYZE;
SQL
fi
seed_ms=$(($(date +%s%3N) - t0))
total_cases=$(sql "SELECT COUNT(*) FROM cases")
dept_cases=$(sql "SELECT COUNT(*) FROM cases WHERE department_code = '$dept'")
echo "$CASES cases seeded for $dept in $seed_ms ms on $BACKEND; $total_cases cases in the database, $dept_cases of $dept"

printf 'bench-clerk-pass-01\n' | "$bin" user create --username benchclerk --name 压测窗口 \
  --department "$dept" --role staff --password-stdin "${dbargs[@]}" --data "$data" >/dev/null
start_hall
token=$(curl -sf -H 'Content-Type: application/json' \
  -d '{"username":"benchclerk","password":"bench-clerk-pass-01"}' "$hall/api/v1/session" | jq -r .token)
cat >"$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
paths=("/api/v1/applications?per_page=20" "/api/v1/applications?per_page=20&overdue=1"
  "/api/v1/applications?per_page=20&page=50")
list_table() { # title
for conns in $LIST_CONNS; do
echo
echo "### Staff case list on $BACKEND, $1 ($CASES seeded cases of $dept; wrk -t2 -c$conns -d${LIST_DURATION}s; server default threads)"
echo
echo "| GET | total in answer | body | requests/s, median (rounds) | p50, median | p99, median (rounds) | CPU per request: onehall / the database's processes | load before |"
echo "|---|---|---|---|---|---|---|---|"
for p in "${paths[@]}"; do
  body=$(curl -sf -H "Authorization: Bearer $token" "$hall$p")
  tot=$(jq .total <<<"$body"); size=${#body}
  rps=() p50s=() p99s=() cpus=() dbs=()
  l0=$(load)
  for r in $(seq "$ROUNDS"); do
    c0=$(cpu_ms "$hall_pid"); d0=$(db_cpu_ms)
    out=$(wrk -t2 -c"$conns" -d"${LIST_DURATION}s" --timeout 30s --latency -s "$work/auth.lua" "$hall$p")
    c1=$(cpu_ms "$hall_pid"); d1=$(db_cpu_ms)
    grep -q 'Non-2xx' <<<"$out" && { echo "applications.sh: errors from $p" >&2; echo "$out" >&2; }
    rps+=("$(awk '/^Requests\/sec/ {print $2}' <<<"$out")")
    p50s+=("$(awk '$1=="50%" {print $2}' <<<"$out")")
    p99s+=("$(awk '$1=="99%" {print $2}' <<<"$out")")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    cpus+=("$(awk -v c=$((c1 - c0)) -v n="$reqs" 'BEGIN {printf "%.2f", n ? c / n : 0}')")
    dbs+=("$(awk -v c=$((d1 - d0)) -v n="$reqs" 'BEGIN {printf "%.2f", n ? c / n : 0}')")
  done
  ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms$/,"",v); else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f\n", v}'; }
  m_rps=$(printf '%s\n' "${rps[@]}" | median)
  m_p50=$(printf '%s\n' "${p50s[@]}" | ms | median)
  m_p99=$(printf '%s\n' "${p99s[@]}" | ms | median)
  m_cpu=$(printf '%s\n' "${cpus[@]}" | median)
  m_db=$(printf '%s\n' "${dbs[@]}" | median)
  [ "$BACKEND" = postgres ] || m_db="(in onehall)"
  echo "| \`$p\` | $tot | $size B | $m_rps ($(IFS=/; echo "${rps[*]}")) | $m_p50 ms | **$m_p99 ms** ($(printf '%s\n' "${p99s[@]}" | ms | paste -sd/)) | $m_cpu ms / $m_db | $l0 |"
done
done
}
list_table "as the schema is"
if [ "${EXTRA_INDEXES:-0}" = 1 ]; then
  # the suggestion of docs/PERFORMANCE.md: an index in the list's order
  # (NULL dues last) and a covering one for the COUNT(*)
  stop_hall
  sql "CREATE INDEX bench_cases_department_due ON cases(department_code, (due_promised IS NULL), due_promised, id);
    CREATE INDEX bench_cases_department_state ON cases(department_code, state, assigned_to, due_promised); ANALYZE;"
  start_hall
  list_table "with two more indexes (suggested)"
fi
echo
echo "load average after: $(load); onehall $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $build"
