# Helpers for tests on the lab's media and stand-ins (sourced after
# lib.sh). The lab's Redfish emulator fetches every image it is given, as
# a BMC does, so the URLs must point at a real server: siteboot's own
# media server (image serve), on 127.0.0.1, serving only loopback.

# start_media_server DIR: serve DIR; sets MEDIA (http://127.0.0.1:PORT)
# and MEDIA_LOG (its fetch log). Stopped on exit like every tracked PID.
start_media_server() {
	local dir=$1 pf=$T/media.port.$RANDOM
	MEDIA_LOG=$T/media-fetch.log
	"$SITEBOOT" image serve --dir "$dir" --listen 127.0.0.1 --port 0 --allow 127.0.0.0/8 \
		--for 30m --log "$MEDIA_LOG" --port-file "$pf" 2>>"$T/media.err" &
	track $!
	for _ in $(seq 1 300); do [ -s "$pf" ] && break; sleep 0.1; done
	[ -s "$pf" ] || { fail "the media server did not start"; cat "$T/media.err"; exit 1; }
	MEDIA="http://127.0.0.1:$(cat "$pf")"
}

# make_iso FILE LABEL [NAME CONTENT]...: a small ISO 9660 image (xorriso)
make_iso() {
	local out=$1 label=$2 d; shift 2
	d=$(mktemp -d "$T/iso.XXXXXX")
	while [ $# -ge 2 ]; do printf '%s\n' "$2" >"$d/$1"; shift 2; done
	[ -n "$(ls -A "$d")" ] || echo "siteboot test medium" >"$d/README"
	xorriso -as mkisofs -quiet -V "$label" -J -o "$out" "$d" >/dev/null 2>&1
}

# standins_up [LAB-UP-ARGS...]: the stand-ins for the Proxmox VE, Ceph and
# Besu commands (tests/lab/standins, set up by appliance_setup.sh) and a
# lab whose SSH hosts find them first on PATH; sets ST (their state), LAB,
# SITE, KEY. $STANDIN_ENV adds NAME=VALUE pairs to the hosts' environment.
standins_up() {
	. "$TOP/tests/lab/appliance_setup.sh"
	sb_standins_setup "$T"
	LAB=$T/lab
	SITEBOOT_LAB_HOST_ENV="$SITEBOOT_LAB_HOST_ENV${STANDIN_ENV:+ $STANDIN_ENV}" \
		"$SITEBOOT" lab up "$@" --dir "$LAB" >"$T/labout" 2>"$T/laberr" || skip "lab up failed: $(cat "$T/laberr")"
	on_exit "'$SITEBOOT' lab down --dir '$LAB'"
	SITE=$LAB/site.yaml
	KEY=$LAB/ssh/id_ed25519
}
