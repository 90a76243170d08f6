# Sourced by tests/demo.sh and tests/integ/t_edge_site.sh: the appliance's
# own places for a run of a tier checklist on the lab, in directory $1, for
# the lab in $2 (docs/appliance.md, "The appliance's places"):
#   $1/etc     SITEBOOT_ETC: the lab's BMC credentials, root's password hash
#              for the answer files, the core site's Besu network (besu/)
#   $1/images  SITEBOOT_IMAGES: a stand-in Besu release (besu.tar.gz), the
#              Java runtime's repository (java-repo.tar, an index only) and
#              a stand-in prepared installer with the site's catalog of it
#   $1/catalog.yaml  SITEBOOT_CATALOG: the image catalog plus that release
# Needs $SB (the siteboot binary), $TOP (the source tree) and $ST (from
# sb_standins_setup: the hash of the network's block 0 goes there, for the
# RPC stand-in to answer as a node on that genesis would).
sb_appliance_setup() {
	local w=$1 lab=$2 i pub chain
	export SITEBOOT_ETC=$w/etc SITEBOOT_IMAGES=$w/images SITEBOOT_CATALOG=$w/catalog.yaml
	install -d -m 0700 "$SITEBOOT_ETC" "$SITEBOOT_ETC/besu"
	install -d -m 0755 "$SITEBOOT_IMAGES"
	install -m 0600 "$lab/credentials.yaml" "$SITEBOOT_ETC/credentials.yaml"
	(umask 077; openssl passwd -6 "$(head -c 18 /dev/urandom | base64)" >"$SITEBOOT_ETC/root-password.hash")
	# the core site's QBFT network as the core checklist leaves it in
	# /etc/siteboot/besu: four validators, keys made here with OpenSSL
	for i in 1 2 3 4; do
		pub=$(openssl ecparam -name secp256k1 -genkey -noout 2>/dev/null |
			openssl ec -pubout -outform DER 2>/dev/null | tail -c 64 | od -An -tx1 | tr -d ' \n')
		"$SB" besu address --pubkey "$pub" >>"$SITEBOOT_ETC/besu/validators.txt" || return 1
		echo "enode://$pub@10.10.1.1$i:30303" >>"$SITEBOOT_ETC/besu/nodes.txt"
	done
	head -1 "$SITEBOOT_ETC/besu/nodes.txt" >"$SITEBOOT_ETC/besu/bootnodes.txt"
	chain=$("$SB" bom show "$lab/site.yaml" --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["besu"]["chain_id"])') || return 1
	"$SB" besu genesis --validators "$SITEBOOT_ETC/besu/validators.txt" --chain-id "$chain" \
		-o "$SITEBOOT_ETC/besu/genesis.json" >/dev/null || return 1
	"$SB" --json besu genesis --validators "$SITEBOOT_ETC/besu/validators.txt" --chain-id "$chain" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["genesis_hash"])' >"$ST/genesis-hash" || return 1
	# a stand-in Besu release (its bin/besu is the lab's stand-in), listed
	# in this copy of the catalog so that the checklist's SHA-256 check
	# before the upload passes for it and would fail for anything else
	mkdir -p "$w/rel/besu-standin/bin"
	cp "$TOP/tests/lab/standins/standin" "$w/rel/besu-standin/bin/besu"
	tar -czf "$SITEBOOT_IMAGES/besu.tar.gz" -C "$w/rel" besu-standin
	# the prepared Proxmox VE installer and the site's catalog of it
	# (docs/proxmox.md): on an IPMI-only site only its catalog check runs
	printf 'the lab stand-in for the prepared Proxmox VE installer ISO\n' >"$SITEBOOT_IMAGES/proxmox-ve-auto.iso"
	printf 'catalog: 1\nimages:\n  - name: proxmox-ve-auto\n    version: "8.2-2-partition"\n    filename: proxmox-ve-auto.iso\n    sha256: %s\n    source: the lab stand-in (tests/lab/appliance_setup.sh)\n' \
		"$(sha256sum "$SITEBOOT_IMAGES/proxmox-ve-auto.iso" | cut -c1-64)" >"$SITEBOOT_IMAGES/catalog.yaml"
	# the Java runtime's repository as `make image` packs it: here an index
	# naming the package, which the apt-get stand-in installs from
	mkdir -p "$w/java-repo"
	printf 'Package: openjdk-17-jre-headless\nVersion: 17.0.13+11-1~deb12u1\nArchitecture: amd64\nFilename: ./openjdk-17-jre-headless_17.0.13+11-1~deb12u1_amd64.deb\n\n' \
		>"$w/java-repo/Packages"
	tar -cf "$SITEBOOT_IMAGES/java-repo.tar" -C "$w/java-repo" .
	{ cat "$TOP/images/catalog.yaml"; cat <<CAT

  - name: besu
    version: "0-standin"
    filename: besu.tar.gz
    sha256: $(sha256sum "$SITEBOOT_IMAGES/besu.tar.gz" | cut -c1-64)
    source: the lab's stand-in release (tests/lab/appliance_setup.sh); not Besu
CAT
	} >"$SITEBOOT_CATALOG"
}

# The stand-ins for Proxmox VE, Ceph and Besu on the lab's hosts
# (tests/lab/standins, docs/recipes.md), in directory $1: sets ST (their
# state: per node, the calls they were asked) and SITEBOOT_LAB_HOST_ENV for
# the next `siteboot lab up`.
sb_standins_setup() {
	local w=$1
	ST=$w/standins-state
	mkdir -p "$ST" "$w/standins" "$w/data"
	cp -a "$TOP/tests/lab/standins/." "$w/standins/"
	cp -a "$TOP/tests/data/recipes/." "$w/data/"
	cp "$TOP/tests/lab/besu_rpc_standin.py" "$w/besu_rpc_standin.py"
	chmod -R a+rX "$w/standins" "$w/data" "$w/besu_rpc_standin.py"
	chmod 1777 "$ST"
	export SITEBOOT_LAB_HOST_ENV="PATH=$w/standins:/usr/sbin:/usr/bin:/sbin:/bin SB_STANDIN_STATE=$ST SB_STANDIN_DATA=$w/data SB_STANDIN_RPC=$w/besu_rpc_standin.py"
}

# Stop the Besu RPC stand-ins that `systemctl enable --now besu` started
# on the hosts (their PIDs are in the stand-ins' state).
sb_standins_stop() {
	local f
	for f in "$ST"/*/besu.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# For integration tests (after lib.sh): a virtual site of BOM $1 (default:
# the edge example) with the stand-ins and the appliance's places, as the
# tier checklists expect it; skips where the lab's hosts cannot be root
# hosts. Sets LAB, SITE, KEY and ST; stops everything when the test ends.
sb_test_site() {
	[ "$(id -u)" = 0 ] || skip "the lab's hosts need root for their mount namespaces"
	command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
	SB=$SITEBOOT
	export PATH="$(dirname "$SITEBOOT"):$PATH"	# local steps run siteboot
	export SITEBOOT_OPERATOR="test-tech" SITEBOOT_RUNS_DIR=$T/runs
	chmod 711 "$T"
	sb_standins_setup "$T"
	LAB=$T/lab
	"$SITEBOOT" lab up ${1:+--site "$1"} --dir "$LAB" >"$T/labout" 2>"$T/laberr" ||
		skip "lab up failed: $(cat "$T/laberr")"
	on_exit "'$SITEBOOT' lab down --dir '$LAB'"
	on_exit "ST='$ST'; sb_standins_stop"
	grep -q '"user": "root"' "$LAB/lab.json" ||
		skip "the lab's hosts are not root hosts here (no mount namespaces)"
	sb_appliance_setup "$T" "$LAB" || { fail "setting up the appliance's files"; exit 1; }
	SITE=$LAB/site.yaml
	KEY=$LAB/ssh/id_ed25519
}
