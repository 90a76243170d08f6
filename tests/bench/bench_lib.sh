# Helpers shared by the benchmarks (sourced by tests/bench/b_*.sh).

# median_ms CMD...: milliseconds of the median of $RUNS runs (output
# discarded)
median_ms() {
	local i s e v=()
	for i in $(seq 1 "$RUNS"); do
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		v+=($(((e - s) / 1000000)))
	done
	printf '%s\n' "${v[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'
}
