#!/bin/bash
# miniature of the VR's postinit.sh (vrtest test tree): base iptables, then the cmd_line databag
[ -e /etc/iptables/rules.v4 ] && iptables-restore < /etc/iptables/rules.v4
/opt/cloud/bin/update_config.py cmd_line.json
date > /var/cache/cloud/boot_up_done
