#!/usr/bin/env python3
"""Probe a VoxScheduler REST server build with the requests that used to hurt (issue 14's REST items).

Starts the given server build on loopback (a fresh data root, an API key from the environment),
sends each item's request, and prints one row per request: HTTP status, wall time, and the
server's RSS and open file descriptors (from /proc/<pid>/status and /proc/<pid>/fd) before and
after, plus what the answer showed. Linux only (it reads /proc); standard library only.

    python3 bench/probe-limits.py --server src/Server/bin/Release/net10.0/VoxScheduler.Server.dll --label after
    python3 bench/probe-limits.py --server /tmp/old-e015016/src/Server/bin/Release/net10.0/VoxScheduler.Server.dll --label before

Item 17 (the public single-node executor) is library API with no REST request; it is listed, not probed.
Keep runs short: every request here takes seconds, not minutes.
"""
import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

API_KEY = "probe-limits-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Server:
    def __init__(self, dll, root):
        self.port = free_port()
        self.root = root
        env = dict(os.environ, VOXSERVER_APIKEY=API_KEY, DOTNET_gcServer="0")
        self.log = open(os.path.join(root, "server.log"), "w")
        self.proc = subprocess.Popen(
            ["dotnet", dll, "--port", str(self.port), "--data-root", os.path.join(root, "data")],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.request("GET", "/health")
                return
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log.name}")
                time.sleep(0.2)
        raise RuntimeError("the server did not answer /health within 60 s")

    def request(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", "X-Api-Key": API_KEY})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def as_json(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def measured(server, label, rows, send):
    """Runs send() (which returns (status, note)) and records status, time, RSS and fds around it."""
    pid = server.proc.pid
    rss0, fd0 = rss_mb(pid), fds(pid)
    t0 = time.perf_counter()
    status, note = send()
    elapsed = time.perf_counter() - t0
    rss1, fd1 = rss_mb(pid), fds(pid)
    rows.append((label, status, elapsed, rss0, rss1, fd0, fd1, note))


def run(server, path, program, **fields):
    body = {"program": program, "storage_path": path, **fields}
    return server.request("POST", "/api/v1/execute-dynamic", body)


def item2(server, rows):
    # Finished executions used to be kept by count only: each run pinned its whole plan and values.
    program = 'print "n" length(for i in range(0, 100000) do i * 2)\nprint "big" strings.join(range(0, 200000), ",")'

    def send():
        statuses, rss = [], []
        for k in range(6):
            status, _ = run(server, "p2", program.replace("i * 2", f"i * {k + 2}"), storage_backend="none")
            statuses.append(status)
            rss.append(f"{rss_mb(server.proc.pid):.0f}")
        # Growing with every run: each finished run kept; levelling off: the runtime reuses what they freed.
        return statuses[-1], "statuses " + ",".join(map(str, statuses)) + "; RSS after each run " + ",".join(rss) + " MB"

    measured(server, "2: 6 x (100k-node loop + 1.3 MB string goal), backend none", rows, send)


def item13(server, rows):
    # A store first opened with defaults; a later request asks for no compression.
    program = 'print "s" strings.join(range(0, 20000), ",")'
    run(server, "p13", 'print "warm" 1 + 1', storage_backend="sqlite")

    def send():
        status, raw = run(server, "p13", program, storage_backend="sqlite", compression=False)
        db = os.path.join(server.root, "data", "p13", "voxstore.db")
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            size, stored, codec = c.execute("SELECT size, stored_size, compression FROM results ORDER BY size DESC LIMIT 1").fetchone()
        return status, f"largest result: size {size}, stored {stored}, compression column {codec}"

    measured(server, "13: compression=false on a store opened before with defaults", rows, send)


def item14(server, rows):
    def send():
        status, raw = run(server, "p14", 'print "v" 1 + 2', storage_backend="none", max_concurrent_nodes=64)
        body = as_json(raw) or {}
        return status, "warnings: " + json.dumps(body.get("warnings"))

    measured(server, "14: max_concurrent_nodes 64 (above the process cap)", rows, send)


def item15(server, rows):
    def send():
        status, raw = run(server, "p15", 'print "v" 2 + 3', storage_backend="none", max_retries=2, retry_base_delay_seconds=0.1,
                          retry_backoff_factor=2)
        body = as_json(raw) or {}
        return status, (body.get("detail") or body.get("status") or "")[:90]

    measured(server, "15: retry_base_delay_seconds / retry_backoff_factor", rows, send)


def item16(server, rows):
    program = f'print "s" "{"m" * 3000}" + "w"'

    def send():
        run(server, "p16", program, storage_backend="sqlite")
        status, raw = run(server, "p16", program, storage_backend="sqlite")
        body = as_json(raw) or {}
        progress = (body.get("result") or {}).get("progress") or {}
        _, hist = server.request("GET", "/api/v1/history?storage_path=p16&storage_backend=sqlite")
        records = (as_json(hist) or {}).get("executions") or [{}]
        memory = [r.get("memory_usage_bytes", "absent") for r in records]
        return status, (f"rerun completed {progress.get('completed_nodes')}/{progress.get('total_nodes')}, "
                        f"history memory_usage_bytes {memory}")

    measured(server, "16: a rerun served from the store; history record", rows, send)


def item18(server, rows):
    run(server, "p18", 'print "v" strings.join(range(0, 5000), ",")', storage_backend="sqlite")

    def send():
        s1, r1 = server.request("POST", "/api/v1/store/evict?storage_backend=sqlite&storage_path=p18&max_total_bytes=0")
        s2, r2 = server.request("POST", "/api/v1/store/history/trim?storage_backend=sqlite&storage_path=p18&max_executions=0")
        b1, b2 = as_json(r1) or {}, as_json(r2) or {}
        return s1, f"evict {s1} removed {b1.get('removed', '-')}; trim {s2} removed {b2.get('removed', '-')}"

    measured(server, "18: POST store/evict max_total_bytes=0, store/history/trim", rows, send)


ITEMS = {"2": item2, "13": item13, "14": item14, "15": item15, "16": item16, "18": item18}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="path to VoxScheduler.Server.dll of the build to probe")
    parser.add_argument("--label", default="", help="a name for this build in the output")
    parser.add_argument("--items", default=",".join(ITEMS), help="comma-separated items (default: all)")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="vox-probe-")
    server = Server(os.path.abspath(args.server), root)
    rows = []
    try:
        for item in args.items.split(","):
            ITEMS[item.strip()](server, rows)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"# {args.label} {args.server}")
    print("| request | status | time | RSS before→after | fds before→after | answer |")
    print("|---|---|---|---|---|---|")
    for label, status, elapsed, rss0, rss1, fd0, fd1, note in rows:
        print(f"| {label} | {status} | {elapsed:.2f} s | {rss0:.0f}→{rss1:.0f} MB | {fd0}→{fd1} | {note} |")
    print("| 17: the single-node executor | — | — | — | — | library API (NodeExecutor), no REST request |")


if __name__ == "__main__":
    sys.exit(main())
