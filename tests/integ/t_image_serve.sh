# siteboot image serve: the media server BMCs fetch virtual media from.
# curl plays the BMC: whole files, byte ranges, HEAD, refusals, the log,
# and the server stopping by itself when its time is up.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "curl is needed (make deps)"
M=$T/media
mkdir -p "$M"
head -c 3000000 /dev/urandom >"$M/proxmox-ve.iso"
echo secret >"$T/outside.txt"
ln -s "$T/outside.txt" "$M/link.iso"
serve() {	# LOGNAME ARGS...
	local log=$1; shift
	rm -f "$T/port"
	"$SITEBOOT" image serve --dir "$M" --listen 127.0.0.1 --port 0 --port-file "$T/port" --log "$T/$log" "$@" &
	track $!
	SRV=$!
	wait_for test -s "$T/port" || { fail "the server did not start"; return 1; }
	PORT=$(cat "$T/port")
}
serve log1 --allow 127.0.0.0/8 --for 60s
U=http://127.0.0.1:$PORT
curl -sf -o "$T/got" "$U/proxmox-ve.iso" && cmp -s "$T/got" "$M/proxmox-ve.iso" && pass "GET: the whole image, byte for byte" || fail "GET"
curl -sf -r 1048576-2097151 -o "$T/part" -D "$T/h" "$U/proxmox-ve.iso"
cmp -s "$T/part" <(tail -c +1048577 "$M/proxmox-ve.iso" | head -c 1048576) && pass "a byte range, as BMCs read ISOs" || fail "range bytes"
expect_in "$T/h" "206" "206 Partial Content"
expect_in "$T/h" "bytes 1048576-2097151/3000000" "Content-Range"
code=$(curl -s -o /dev/null -w '%{http_code}' -r 5000000- "$U/proxmox-ve.iso"); [ "$code" = 416 ] && pass "a range past the end: 416" || fail "range past end: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$U/proxmox-ve.iso"); [ "$code" = 200 ] && pass "HEAD" || fail "HEAD: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/missing.iso"); [ "$code" = 404 ] && pass "a missing file: 404" || fail "missing: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$U/../outside.txt"); [ "$code" = 404 ] && pass "no way out of the folder (..)" || fail "traversal: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/link.iso"); [ "$code" = 404 ] && pass "symbolic links are not followed" || fail "symlink: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data x "$U/proxmox-ve.iso"); [ "$code" = 405 ] && pass "PUT: 405" || fail "PUT: $code"
kill $SRV; wait $SRV 2>/dev/null
expect_in "$T/log1" "127.0.0.1 GET /proxmox-ve.iso 200 bytes 0-2999999 of 3000000" "every fetch is logged"
expect_in "$T/log1" "127.0.0.1 GET /proxmox-ve.iso 206 bytes 1048576-2097151 of 3000000" "ranges are logged"
expect_in "$T/log1" "stopped after" "stops on SIGTERM and says so"

# a client outside the allowed networks gets nothing
serve log2 --allow 10.20.0.0/24 --for 60s
curl -sf -o /dev/null "http://127.0.0.1:$PORT/proxmox-ve.iso" && fail "a client outside the BMC network was served" || pass "a client outside the BMC network is refused"
kill $SRV; wait $SRV 2>/dev/null
expect_in "$T/log2" "127.0.0.1 refused: not in the allowed networks" "refusals are logged"

# the BOM's BMC network, and a bounded time
serve log3 --site "$TOP/bom/examples/edge-accra.yaml" --for 2s
expect_in "$T/log3" "to 1 network(s)" "--site allows the BOM's BMC network"
for _ in $(seq 1 50); do kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
kill -0 $SRV 2>/dev/null && fail "still serving after --for 2s" || pass "it stops by itself when --for is up"
sb image serve --dir "$M" --listen 127.0.0.1; expect_rc 2 "nobody allowed"
sb image serve --dir "$M" --listen 127.0.0.1 --allow 10.0.0.0/33; expect_rc 2 "a bad CIDR"
