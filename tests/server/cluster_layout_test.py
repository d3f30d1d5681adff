#!/usr/bin/env python3
"""deploy/cluster: the three-host layout render.sh writes is one cluster.

Renders every host of a three-host cluster and checks that the files agree with each other
(the same etcd membership, Patroni scope and --storage string on every host, each host's own
addresses), keep the settings docs/cluster.md gives reasons for, carry no secret, and that
bad input is refused. scripts/cluster.sh renders the same templates for the loopback cluster
the storage and failover tests boot, so those tests run this configuration for real.
"""
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1]
RENDER = os.path.join(ROOT, "deploy/cluster/render.sh")
HOSTS = ["10.20.0.11", "10.20.0.12", "10.20.0.13"]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def render(node, out, **extra):
    env = dict(os.environ, NODE=str(node), HOSTS=" ".join(HOSTS), **extra)
    return subprocess.run([RENDER, out], env=env, capture_output=True, text=True)


def env_file(path):
    values = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("ETCD_"):
            key, value = line.rstrip("\n").split("=", 1)
            values[key] = value
    return values


with tempfile.TemporaryDirectory() as tmp:
    nodes = []
    for node in range(3):
        out = os.path.join(tmp, f"host{node}")
        result = render(node, out)
        check(result.returncode == 0, f"render of host {node} failed: {result.stderr}")
        text = open(os.path.join(out, "patroni.yml"), encoding="utf-8").read()
        settings = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        check("@" not in settings, f"host {node}: a placeholder left")
        check("password:" not in settings,
              f"host {node}: patroni.yml must not carry a password (env.conf does)")
        nodes.append({
            "patroni": yaml.safe_load(text),
            "etcd": env_file(os.path.join(out, "etcd.env")),
            "storage": open(os.path.join(out, "storage.txt"), encoding="utf-8").read().strip(),
        })

    for node, n in enumerate(nodes):
        host, p, e = HOSTS[node], n["patroni"], n["etcd"]
        check(p["scope"] == "branchline", f"host {node}: scope")
        check(p["name"] == f"pg{node}", f"host {node}: name {p['name']}")
        check(p["postgresql"]["connect_address"] == f"{host}:5432", f"host {node}: connect_address")
        check(p["restapi"]["connect_address"] == f"{host}:8008", f"host {node}: restapi")
        check(p["etcd3"]["hosts"] == ",".join(f"{h}:2379" for h in HOSTS),
              f"host {node}: etcd3.hosts {p['etcd3']['hosts']}")
        dcs = p["bootstrap"]["dcs"]
        check(dcs["synchronous_mode"] is True and dcs["synchronous_mode_strict"] is True,
              f"host {node}: strict synchronous mode")
        check(dcs["retry_timeout"] * 2 < dcs["ttl"], f"host {node}: retry_timeout < ttl / 2")
        check(dcs["postgresql"]["use_pg_rewind"] is True, f"host {node}: use_pg_rewind")
        check({"locale": "C"} in p["bootstrap"]["initdb"], f"host {node}: locale C")
        check("host all all 10.20.0.0/24 scram-sha-256" in p["postgresql"]["pg_hba"],
              f"host {node}: pg_hba {p['postgresql']['pg_hba']}")
        check(e["ETCD_NAME"] == f"e{node}", f"host {node}: etcd name")
        check(e["ETCD_LISTEN_PEER_URLS"] == f"http://{host}:2380", f"host {node}: etcd peer URL")
        check(e["ETCD_ADVERTISE_CLIENT_URLS"] == f"http://{host}:2379", f"host {node}: etcd client")
        check(e["ETCD_INITIAL_CLUSTER"] == nodes[0]["etcd"]["ETCD_INITIAL_CLUSTER"],
              f"host {node}: etcd membership differs from host 0")
        check(n["storage"] == nodes[0]["storage"], f"host {node}: --storage differs")
    check(nodes[0]["etcd"]["ETCD_INITIAL_CLUSTER"] ==
          ",".join(f"e{i}=http://{h}:2380" for i, h in enumerate(HOSTS)), "etcd membership")
    storage = nodes[0]["storage"]
    check(storage.startswith("postgresql://branchline@" + ",".join(f"{h}:5432" for h in HOSTS)),
          f"--storage names every host: {storage}")
    check("target_session_attrs=read-write" in storage, "--storage follows the primary")
    check("passfile=/etc/branchline/pgpass" in storage, "--storage reads its password from a file")

    # With the role's password file (the local cluster), the string carries it instead.
    secret = os.path.join(tmp, "password")
    with open(secret, "w", encoding="utf-8") as f:
        f.write("s3cret\n")
    result = render(0, os.path.join(tmp, "pw"), PASSWORD_FILE=secret)
    check(result.returncode == 0, "render with PASSWORD_FILE")
    check(open(os.path.join(tmp, "pw/storage.txt")).read().startswith("postgresql://branchline:s3cret@"),
          "PASSWORD_FILE goes into the string")

    # The edge in front: the three servers take calls at once, each client address on one of
    # them (a consistent hash); nginx accepts the rendered file.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=edge", "-days", "1",
                    "-keyout", os.path.join(tmp, "key.pem"), "-out", os.path.join(tmp, "cert.pem")],
                   check=True, capture_output=True)
    edge = dict(os.environ, PREFIX=tmp, LISTEN="127.0.0.1:1", UPSTREAM=f"{HOSTS[0]}:50051",
                PEER_UPSTREAMS=f"{HOSTS[1]}:50051 {HOSTS[2]}:50051",
                UPSTREAM_CA=os.path.join(tmp, "cert.pem"),
                TLS_CERT=os.path.join(tmp, "cert.pem"), TLS_KEY=os.path.join(tmp, "key.pem"))
    conf = subprocess.run([os.path.join(ROOT, "deploy/nginx/render.sh")], env=edge, check=True,
                          capture_output=True, text=True).stdout
    servers = [l.strip() for l in conf.splitlines() if l.strip().startswith("server 10.")]
    check(servers == [f"server {h}:50051;" for h in HOSTS], f"nginx upstreams: {servers}")
    check("hash $binary_remote_addr consistent;" in conf, "calls spread by client address")
    # Servers on other hosts speak TLS (they refuse plaintext off loopback): the edge verifies
    # them against UPSTREAM_CA.
    for line in ["grpc_pass grpcs://branchline;",
                 f"grpc_ssl_trusted_certificate {os.path.join(tmp, 'cert.pem')};",
                 "grpc_ssl_verify on;", "grpc_ssl_name branchline;"]:
        check(line in conf, f"edge to other hosts: {line}")
    with open(os.path.join(tmp, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write(conf)
    result = subprocess.run(["/usr/sbin/nginx", "-t", "-q", "-p", tmp, "-e",
                             os.path.join(tmp, "error.log"), "-c", os.path.join(tmp, "nginx.conf")],
                            capture_output=True, text=True)
    check(result.returncode == 0, f"nginx -t: {result.stderr}")

    # Bad input is refused, naming what is wrong.
    for node, hosts, needle in [(3, HOSTS, "NODE"), (0, HOSTS[:2], "three")]:
        env = dict(os.environ, NODE=str(node), HOSTS=" ".join(hosts))
        result = subprocess.run([RENDER, os.path.join(tmp, "bad")], env=env,
                                capture_output=True, text=True)
        check(result.returncode == 2 and needle in result.stderr,
              f"NODE={node} HOSTS={hosts}: rc {result.returncode}, {result.stderr!r}")

for failure in failures:
    print("FAIL:", failure)
print(f"cluster layout: {len(failures)} failures")
sys.exit(1 if failures else 0)
