#!/usr/bin/python3
"""deploy/monitoring: the Grafana dashboard's structure, and every metric that a dashboard
expression or an alert rule uses exists on a live server's /metrics.

Usage: monitoring_dashboard_test.py BRANCHLINE_SERVER SOURCE_DIR
Starts the real server on OS-picked ports in a temporary directory, makes one call (so the
per-method call series exist), scrapes /metrics and compares. Names of other exporters
(node_exporter's node_*, Prometheus' own up) are exempt."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

EXEMPT = re.compile(r"^(up|node_\w+)$")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan"}
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def metric_names(expr):
    """The metric names a PromQL expression reads (functions, labels, keywords left out)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)      # strings (label values, regexes)
    e = re.sub(r"\{[^}]*\}", "", e)                      # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                     # ranges, [$__rate_interval]
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    names = set()
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?", e):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in KEYWORDS or re.fullmatch(r"\d", name[0]):
            continue
        names.add(name)
    return names


def check_dashboard(dash):
    for key in ("uid", "title"):
        if not isinstance(dash.get(key), str) or not dash[key]:
            fail(f"dashboard has no {key}")
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 30:
        fail("dashboard schemaVersion missing or older than 30")
    variables = dash.get("templating", {}).get("list", [])
    datasource_vars = [v for v in variables if v.get("type") == "datasource"
                       and v.get("query") == "prometheus"]
    if not datasource_vars:
        fail("no Prometheus datasource variable in templating")
    ds_name = datasource_vars[0]["name"] if datasource_vars else "datasource"
    panels = dash.get("panels", [])
    ids = [p.get("id") for p in panels]
    if len(set(ids)) != len(ids):
        fail("panel ids are not unique")
    exprs = []
    shown = [p for p in panels if p.get("type") != "row"]
    if len(shown) < 10:
        fail(f"only {len(shown)} panels")
    for p in shown:
        title = p.get("title", "?")
        if not p.get("targets"):
            fail(f"panel {title!r} has no targets")
        if p.get("datasource", {}).get("uid") != "${" + ds_name + "}":
            fail(f"panel {title!r} does not use the ${ds_name} variable")
        grid = p.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")):
            fail(f"panel {title!r} has no gridPos")
        for t in p.get("targets", []):
            if not t.get("expr") or not t.get("refId"):
                fail(f"panel {title!r} has a target without expr or refId")
            else:
                exprs.append((f"panel {title!r}", t["expr"]))
    for v in variables:
        query = v.get("query")
        if v.get("type") == "query":
            q = query.get("query") if isinstance(query, dict) else query
            m = re.match(r"label_values\((\w+)", q or "")
            if m:
                exprs.append((f"variable {v['name']}", m.group(1)))
    return exprs


def start_server(binary, tmp, storage=None):
    """A server on RocksDB with scheduled backups, or on `storage` (PostgreSQL), whose
    backups are PostgreSQL's own."""
    log_path = os.path.join(tmp, "server.log")
    log = open(log_path, "w")
    args = [binary, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
            "--data-dir", os.path.join(tmp, "data"), "--admin-password", "admin-password-1",
            "--fast-password-hashing"]
    if storage:
        args += ["--storage", storage]
    else:
        args += ["--backup-dir", os.path.join(tmp, "backups"), "--backup-interval-minutes",
                 "60", "--backup-copy-command", "true"]
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    port = metrics_port = None
    deadline = time.time() + 30
    while time.time() < deadline and not (port and metrics_port):
        text = open(log_path).read()
        m = re.search(r"listening on \S+ \(port (\d+)\)", text)
        port = m and int(m.group(1))
        m = re.search(r"metrics port (\d+)", text)
        metrics_port = m and int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if not (port and metrics_port):
        proc.kill()
        sys.exit("server did not start:\n" + open(log_path).read())
    return proc, port, metrics_port


def one_call(port):
    """One call, so the per-method call series exist (a refused sign-in is a call too)."""
    try:
        import grpc
    except ImportError:
        return
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary("/branchline.v1.AuthService/SignIn")
        try:
            call(b"", timeout=10)
        except grpc.RpcError:
            pass


def live_names(metrics_port):
    body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read()
    names, histograms = set(), set()
    for line in body.decode().splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()[:4]
            names.add(name)
            if kind in ("histogram", "summary"):
                histograms.add(name)
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][\w:]*", line).group(0))
    for h in histograms:
        names |= {h + "_bucket", h + "_sum", h + "_count"}
    return names


def postgres_storage(fixture_env):
    """A fresh database of the storage_postgres fixture as a --storage URI; None (and why)
    when the fixture says PostgreSQL is unavailable."""
    settings = dict(line.rstrip("\n").split("=", 1) for line in open(fixture_env) if "=" in line)
    if "unavailable" in settings:
        return None, settings["unavailable"]
    socket, port = settings["socket"], settings.get("port", "5432")
    name = f"dashboard_{os.getpid()}"
    subprocess.run(["/usr/lib/postgresql/15/bin/createdb", "-h", socket, "-p", port, "-U",
                    "postgres", "-T", "template0", name], check=True)
    return f"postgresql://postgres@/{name}?host={socket}&port={port}", None


def scrape(binary, storage=None):
    with tempfile.TemporaryDirectory() as tmp:
        proc, port, metrics_port = start_server(binary, tmp, storage)
        try:
            one_call(port)
            return live_names(metrics_port)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


def main():
    binary, source, fixture_env = sys.argv[1], sys.argv[2], sys.argv[3]
    monitoring = os.path.join(source, "deploy", "monitoring")
    with open(os.path.join(monitoring, "branchline-dashboard.json")) as f:
        dash = json.load(f)
    exprs = check_dashboard(dash)
    with open(os.path.join(monitoring, "branchline.rules.yml")) as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        for rule in group["rules"]:
            exprs.append((f"alert {rule['alert']}", rule["expr"]))
            for key in ("summary", "description"):
                if not rule.get("annotations", {}).get(key):
                    fail(f"alert {rule['alert']} has no {key}")
            if "for" not in rule or "severity" not in rule.get("labels", {}):
                fail(f"alert {rule['alert']} lacks for: or a severity label")

    # Cluster mode's series (branchline_postgres_*) exist only on a server on PostgreSQL.
    live = scrape(binary)
    storage, unavailable = postgres_storage(fixture_env)
    if storage:
        live |= scrape(binary, storage)
    else:
        print(f"cluster-mode series not checked: PostgreSQL unavailable ({unavailable})")
    used = 0
    for where, expr in exprs:
        for name in sorted(metric_names(expr)):
            used += 1
            if name.startswith("branchline_postgres_") and not storage:
                continue
            if name not in live and not EXEMPT.match(name):
                fail(f"{where}: metric {name} is not on a live server's /metrics")
    print(f"{len(exprs)} expressions, {used} metric uses, {len(live)} live series names")
    if failures:
        sys.exit(f"{len(failures)} problem(s)")
    print("ok")


if __name__ == "__main__":
    main()
