#!/usr/bin/python3
"""Cluster set-up steps for cluster-up.sh, over one librados session each.

A `ceph` CLI call costs about half a second of start-up; these steps need a dozen commands, so they
go through python3-rados (Debian's /usr/bin/python3 sees it; a pyenv python may not).

  cluster-admin.py CONF osd-new UUID SECRET     register osd.0 with its cephx secret
  cluster-admin.py CONF setup FS DIR            pools, the file system, client keys (DIR/*.keyring, *.key)
  cluster-admin.py CONF fs-set FS VAR VALUE     `ceph fs set FS VAR VALUE`
  cluster-admin.py CONF wait-ready FS [N]       until the MDS is active (and N standbys are up), PGs are clean,
                                                `fs volume ls` answers
"""
import json
import os
import sys
import time

import rados

TIMEOUT = 30


def connect(conf):
    cluster = rados.Rados(conffile=conf, name="client.admin")
    cluster.conf_set("client_mount_timeout", str(TIMEOUT))
    cluster.connect(timeout=TIMEOUT)
    return cluster


def command(cluster, target, prefix, inbuf=b"", **args):
    args["prefix"] = prefix
    args.setdefault("format", "json")
    send = cluster.mon_command if target == "mon" else cluster.mgr_command
    ret, out, err = send(json.dumps(args), inbuf, timeout=TIMEOUT)
    if ret != 0:
        raise RuntimeError(f"{prefix}: {os.strerror(-ret)} ({err.strip()})")
    return out


def write_secret(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def osd_new(cluster, uuid, secret):
    command(cluster, "mon", "osd new", json.dumps({"cephx_secret": secret}).encode(), uuid=uuid, id=0)


# (entity, caps) of the clients the tests and the CSI plugin use, besides client.admin
CLIENTS = [
    ("client.csi-cephfs-provisioner",
     ["mon", "allow r", "mgr", "allow rw", "osd", "allow rw tag cephfs metadata=*"]),
    ("client.csi-cephfs-node",
     ["mon", "allow r", "mgr", "allow rw", "osd", "allow rw tag cephfs *=*", "mds", "allow rw"]),
]


def setup(cluster, fs, directory):
    command(cluster, "mon", "osd pool create", pool=f"{fs}_metadata", pg_num=8, pgp_num=8)
    command(cluster, "mon", "osd pool create", pool=f"{fs}_data", pg_num=16, pgp_num=16)
    command(cluster, "mon", "fs new", fs_name=fs, metadata=f"{fs}_metadata", data=f"{fs}_data")
    keyrings = {"client.fsuser": command(cluster, "mon", "fs authorize", filesystem=fs,
                                         entity="client.fsuser", caps=["/", "rw"], format="plain")}
    for entity, caps in CLIENTS:
        keyrings[entity] = command(cluster, "mon", "auth get-or-create", entity=entity, caps=caps, format="plain")
    for entity, keyring in keyrings.items():
        write_secret(f"{directory}/ceph.{entity}.keyring", keyring)
        key = next(line.split("=", 1)[1].strip() for line in keyring.decode().splitlines()
                   if line.strip().startswith("key"))
        write_secret(f"{directory}/{entity}.key", key.encode())


def fs_set(cluster, fs, var, value):
    command(cluster, "mon", "fs set", fs_name=fs, var=var, val=value)


def wait_ready(cluster, fs, standbys="0", limit=120):
    start = time.monotonic()

    def until(what, ready):
        while time.monotonic() - start < limit:
            try:
                if ready():
                    print(f"[cluster] {what} after {time.monotonic() - start:.1f} s", file=sys.stderr)
                    return
            except (RuntimeError, rados.Error, KeyError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}")

    def mds_active():
        dump = json.loads(command(cluster, "mon", "fs dump"))
        return any(info["state"] == "up:active"
                   for f in dump["filesystems"] if f["mdsmap"]["fs_name"] == fs
                   for info in f["mdsmap"]["info"].values())

    def pgs_clean():
        stat = json.loads(command(cluster, "mon", "pg stat"))
        stat = stat.get("pg_summary", stat)
        states = {s["name"]: s["num"] for s in stat["num_pg_by_state"]}
        return stat["num_pgs"] > 0 and states.get("active+clean", 0) == stat["num_pgs"]

    def standbys_up():
        dump = json.loads(command(cluster, "mon", "fs dump"))
        following = sum(1 for f in dump["filesystems"] if f["mdsmap"]["fs_name"] == fs
                        for info in f["mdsmap"]["info"].values() if info["state"] == "up:standby-replay")
        return len(dump["standbys"]) + following >= int(standbys)

    until("mds active", mds_active)
    if int(standbys) > 0:
        until(f"{standbys} standby mds", standbys_up)
    until("pgs active+clean", pgs_clean)
    until("mgr available", lambda: json.loads(command(cluster, "mon", "mgr stat"))["available"])
    until("volumes module answering", lambda: command(cluster, "mgr", "fs volume ls") is not None)


def main():
    conf, step, *args = sys.argv[1:]
    cluster = connect(conf)
    try:
        {"osd-new": osd_new, "setup": setup, "fs-set": fs_set, "wait-ready": wait_ready}[step](cluster, *args)
    except RuntimeError as e:
        sys.exit(f"cluster-admin {step}: {e}")
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main()
