#!/bin/bash
# usage: mk.sh NAME  -- builds route state like vr-outputs/<name> inside a fresh netns and dumps ip -j
set -e
name=$1; ns=vrtck$$-$name
ip netns add $ns
trap "ip netns del $ns" EXIT
X="ip netns exec $ns"
rt=$(mktemp); printf '255 local\n254 main\n253 default\n0 unspec\n100 Table_eth0\n101 Table_eth1\n102 Table_eth2\n103 Table_eth3\n' > $rt
for i in 0 1 2; do $X ip link add eth$i type veth peer name p$i; $X ip link set p$i up; done
$X ip link set lo up
case $name in
vpc-router|redundant-vpc-primary|redundant-vpc-backup)
  c=169.254.3.10; g=10.1.1.1
  [ $name = redundant-vpc-primary ] && c=169.254.3.11 && g=10.1.1.2
  [ $name = redundant-vpc-backup ] && c=169.254.3.12 && g=10.1.1.3
  $X ip addr add $c/16 dev eth0; $X ip addr add 172.16.0.10/24 dev eth1; $X ip addr add $g/24 dev eth2
  [ $name = redundant-vpc-primary ] && $X ip addr add 10.1.1.1/24 dev eth2
  for i in 0 2; do $X ip link set eth$i up; done
  [ $name != redundant-vpc-backup ] && $X ip link set eth1 up
  $X ip route add throw 10.1.1.0/24 table 101 proto static
  $X ip route add throw 172.16.0.0/24 table 101 proto static
  $X ip route add throw 10.1.1.0/24 table 102 proto static
  [ $name = vpc-router ] && $X ip route add default via 172.16.0.1 dev eth1 table 101 proto static
  [ $name != redundant-vpc-backup ] && $X ip route add default via 172.16.0.1 dev eth1
  ;;
isolated-router)
  $X ip addr add 10.2.2.1/24 dev eth0; $X ip addr add 169.254.3.20/16 dev eth1; $X ip addr add 172.16.0.20/24 dev eth2
  for i in 0 1 2; do $X ip link set eth$i up; done
  $X ip route add throw 10.2.2.0/24 table 100 proto static
  $X ip route add default via 172.16.0.1 dev eth2 table 102 proto static
  $X ip route add throw 10.2.2.0/24 table 102 proto static
  $X ip route add throw 169.254.0.0/16 table 102 proto static
  $X ip route add throw 172.16.0.0/24 table 102 proto static
  $X ip route add default via 172.16.0.1 dev eth2
  ;;
vpc-router-no-default)
  $X ip addr add 169.254.3.10/16 dev eth0; $X ip addr add 172.16.0.10/24 dev eth1; $X ip addr add 10.1.1.1/24 dev eth2
  for i in 0 1 2; do $X ip link set eth$i up; done
  $X ip route add throw 10.1.1.0/24 table 101 proto static
  $X ip route add throw 172.16.0.0/24 table 101 proto static
  $X ip route add throw 10.1.1.0/24 table 102 proto static
  ;;
esac
# iproute2 reads table names from /etc/iproute2/rt_tables: give this process a private view
unshare -m sh -c "mount --bind $rt /etc/iproute2/rt_tables; ip netns exec $ns ip -j route show table all > $name.route.json; ip netns exec $ns ip route show table all > $name.route.txt; ip netns exec $ns ip -j addr show > $name.addr.json"
rm $rt
