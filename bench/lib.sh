# What the benchmark scripts share; sourced by bench/*.sh, never run alone.

# A free port on 127.0.0.1 (a random high one without python3).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

# User + system CPU time of a process so far, ms (steadier under load than wall time).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }
# The same summed over processes (one that is gone counts 0).
cpu_sum() { local t=0 p; for p in "$@"; do t=$((t + $(cpu_ms "$p" 2>/dev/null || echo 0))); done; echo "$t"; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# Stops the hall started as $hall_pid: TERM, up to 5 s, then KILL.
stop_hall() {
  if [ -n "${hall_pid:-}" ]; then
    kill "$hall_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$hall_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$hall_pid" 2>/dev/null || true
    wait "$hall_pid" 2>/dev/null || true
    hall_pid=""
  fi
}
