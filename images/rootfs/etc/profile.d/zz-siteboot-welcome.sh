# The welcome on every interactive login shell of the appliance.
case $- in *i*) ;; *) return 0 2>/dev/null || exit 0 ;; esac
if [ -z "${SB_WELCOMED:-}" ]; then
	export SB_WELCOMED=1
	echo
	echo "  $(cat /etc/siteboot-release 2>/dev/null || echo siteboot appliance)"
	echo
	echo "  Next:  siteboot bom check SITE.yaml      (examples: /usr/local/share/siteboot/examples/)"
	echo "  Docs:  man siteboot   and   /usr/local/share/doc/siteboot/ (start with appliance.md)"
	if grep -q '^persistent' /run/siteboot-data 2>/dev/null; then
		echo "  Inventory: /var/lib/siteboot on $(cut -d' ' -f2 /run/siteboot-data) (persistent)"
	else
		echo
		echo "  ############################################################################"
		echo "  ## WARNING: the inventory database is in RAM and will be LOST at power-off ##"
		echo "  ## Add a 'persistence' partition to the stick: see appliance.md            ##"
		echo "  ############################################################################"
	fi
	echo
fi
