#!/usr/bin/env bash
# A one-node Ceph cluster with an S3 gateway on 127.0.0.1, for the storage tests and the
# two-node check: one monitor, one OSD on an in-memory object store (nothing reaches the
# disk), pool size 1, authentication off, radosgw (beast) on KSBB_S3_PORT (7480), and a
# user with fixed test keys. Installs Debian's packages when missing. Idempotent: when the
# gateway already answers, it only prints the URL.
#
#   scripts/s3/ceph-up.sh      start (prints the KSBB_STORAGE_URL to use)
#   scripts/s3/ceph-down.sh    stop and forget everything
set -euo pipefail

DIR=${KSBB_CEPH_DIR:-/tmp/ksbb-ceph}
PORT=${KSBB_S3_PORT:-7480}
ACCESS=${KSBB_S3_ACCESS:-ksbbtestaccess}
SECRET=${KSBB_S3_SECRET:-ksbbtestsecretksbbtestsecret}
BUCKET=${KSBB_S3_BUCKET:-ksbb-test}
URL="s3://$ACCESS:$SECRET@127.0.0.1:$PORT/$BUCKET?region=default&secure=0"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if answers; then
  echo "$URL"
  exit 0
fi

if ! command -v radosgw >/dev/null 2>&1 || ! command -v ceph-osd >/dev/null 2>&1; then
  echo "installing Ceph (radosgw, ceph-mon, ceph-osd, ceph-common)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd ceph-common \
    >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq \
      --no-install-recommends radosgw ceph-mon ceph-osd ceph-common >/dev/null; }
fi

rm -rf "$DIR"
mkdir -p "$DIR"/{mon,osd,rgw,run,log}
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF="$DIR/ceph.conf"
cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:16789
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind ipv6 = false
public addr = 127.0.0.1
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
keyring = $DIR/keyring
[mon.a]
mon data = $DIR/mon
[osd.0]
osd data = $DIR/osd
osd journal size = 0
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw dns name = 127.0.0.1
rgw thread pool size = 64
CONF

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v1:127.0.0.1:16789]" --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon -c "$CONF" -i a 2>/dev/null
C=(ceph -c "$CONF" --connect-timeout 20)
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
"${C[@]}" osd new "$OSD_UUID" 0 >/dev/null
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
ceph-osd -c "$CONF" -i 0 2>/dev/null
radosgw -c "$CONF" -n client.rgw.a

for _ in $(seq 1 90); do answers && break; sleep 1; done
answers || { echo "radosgw did not start; logs in $DIR/log" >&2; exit 1; }
radosgw-admin -c "$CONF" user create --uid=ksbb --display-name="KSBB tests" \
  --access-key="$ACCESS" --secret="$SECRET" >/dev/null 2>&1 || true
echo "$URL"
