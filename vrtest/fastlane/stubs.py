"""Stand-ins for systemctl, service and sudo, written into each sandbox's /usr/local/sbin.

systemctl records every call in /var/log/vrtest-services.log and starts or stops the
real daemons (from the package cache) inside the sandbox's PID namespace; units it
does not manage (apache2, cloud-password-server@..., xl2tpd) are only recorded.
"""

from __future__ import annotations

SERVICES_LOG = "/var/log/vrtest-services.log"

SYSTEMCTL = r"""#!/bin/bash
# vrtest fast-lane stand-in for systemctl (runs inside the sandbox only)
echo "systemctl $*" >> /var/log/vrtest-services.log
op=$1; shift
while [ "${1#-}" != "$1" ]; do shift; done
unit=${1%.service}
mkdir -p /run/vrtest
pidf=/run/vrtest/$unit.pid
log=/var/log/vrtest-daemons.log
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
managed() {
  case $unit in dnsmasq|keepalived|conntrackd|haproxy|ipsec|strongswan*|xl2tpd|ssh) return 0;; esac
  return 1
}
waitpid() { for _ in $(seq 50); do p=$(pgrep -n -x "$1") && break; sleep 0.01; done
            [ -n "$p" ] && echo "$p" > "$pidf"; }
start() {
  case $unit in
    dnsmasq) /usr/sbin/dnsmasq -x "$pidf" \
               --conf-dir=/etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new 2>>"$log" ;;
    keepalived) /usr/sbin/keepalived --vrrp -f /etc/keepalived/keepalived.conf -p "$pidf" \
                  --vrrp_pid=/run/vrtest/vrrp.pid -l ;;
    conntrackd) /usr/sbin/conntrackd -C /etc/conntrackd/conntrackd.conf -d >/dev/null 2>&1
                waitpid conntrackd ;;
    haproxy) [ -f /etc/haproxy/haproxy.cfg ] && \
               /usr/sbin/haproxy -D -p "$pidf" -f /etc/haproxy/haproxy.cfg ;;
    ipsec|strongswan*) /usr/sbin/ipsec start >/dev/null 2>&1; waitpid starter ;;
    xl2tpd) mkdir -p /var/run/xl2tpd
            /usr/sbin/xl2tpd -c /etc/xl2tpd/xl2tpd.conf -p "$pidf" 2>>"$log" ;;
    ssh) mkdir -p /run/sshd; key=/etc/ssh/ssh_host_ed25519_key
         [ -f $key ] || ssh-keygen -q -t ed25519 -N '' -f $key
         /usr/sbin/sshd -p 3922 -h $key -o PidFile="$pidf" 2>>"$log" ;;
    *) : ;;
  esac
}
stop() {
  case $unit in ipsec|strongswan*) /usr/sbin/ipsec stop >/dev/null 2>&1 ;; esac
  if running; then
    p=$(cat "$pidf"); kill "$p" 2>/dev/null
    for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.01; done
  fi
  rm -f "$pidf"; return 0
}
case $op in
  start) running || start ;;
  stop) stop ;;
  restart|force-reload) stop; start ;;
  reload|reload-or-restart) if running; then kill -HUP "$(cat "$pidf")"; else start; fi ;;
  is-active|status)
    if running; then echo active; exit 0; fi
    if managed; then echo inactive; exit 3; fi
    echo active; exit 0 ;;
  *) : ;;
esac
exit 0
"""

SERVICE = """#!/bin/bash
# vrtest fast-lane stand-in for service(8): forwards to systemctl
exec systemctl "$2" "$1"
"""

SUDO = """#!/bin/bash
# vrtest fast-lane stand-in for sudo: the sandbox already runs as root
exec "$@"
"""

STUBS: dict[str, str] = {"systemctl": SYSTEMCTL, "service": SERVICE, "sudo": SUDO}
