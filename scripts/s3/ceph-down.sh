#!/usr/bin/env bash
# Stops the test Ceph cluster started by ceph-up.sh and removes its folder.
DIR=${KSBB_CEPH_DIR:-/tmp/ksbb-ceph}
for pattern in "radosgw -c $DIR/" "ceph-osd -c $DIR/" "ceph-mon -c $DIR/"; do
  pkill -f "$pattern" 2>/dev/null
  for _ in $(seq 1 20); do pgrep -f "$pattern" >/dev/null || break; sleep 0.5; done
  pkill -9 -f "$pattern" 2>/dev/null
done
rm -rf "$DIR"
