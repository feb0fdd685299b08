#!/usr/bin/env python3
"""Dask peer for `VoxScheduler.Bench compare` and `cluster` (BENCHMARKS.md §1-2, §6).

Builds exactly the recipe graphs (same emission order, so the same graph_sha256) and runs them
on Dask's threaded and synchronous schedulers, or on Dask distributed (a LocalCluster of
--workers processes with --threads threads each, Debian's python3-distributed), with trivial
tasks (64-bit wrapping add of the node's constant and its inputs; with --sleep-ms each task
first sleeps that long). Prints one JSON line per engine on stdout.

usage: dask_bench.py --shape chain|wide|fib|layered|vox|voxnary [--n N] [--L L --W W --seed S]
                     [--E E --B B] [--scheduler threaded|sync|both|distributed] [--workers 2]
                     [--threads 1] [--sleep-ms 0] [--repeat 3]
"""
import argparse
import hashlib
import json
import sys
import time

from peak_rss import peak_rss_mb  # this folder: the scripts run by path

MASK = (1 << 64) - 1



def chain(n):
    c, deps = [], []
    for i in range(n):
        c.append(1)
        deps.append([] if i == 0 else [i - 1])
    return c, deps, n & MASK


def wide(n):
    c = list(range(n)) + [0]
    deps = [[] for _ in range(n)] + [list(range(n))]
    return c, deps, (n * (n - 1) // 2) & MASK


def fib(n):
    c, deps = [], []
    for i in range(n):
        if i == 0:
            c.append(0); deps.append([])
        elif i == 1:
            c.append(1); deps.append([])
        else:
            c.append(0); deps.append([i - 1, i - 2])
    a, b = 0, 1
    for _ in range(n - 1):
        a, b = b, (a + b) & MASK
    return c, deps, a


def layered(layers, width, seed):
    s = seed
    def nxt():
        nonlocal s
        s = (6364136223846793005 * s + 1442695040888963407) & MASK
        return s >> 33
    c, deps = [], []
    for l in range(layers):
        for k in range(width):
            if l == 0:
                c.append(k + 1); deps.append([])
                continue
            r = nxt()
            extra = 1 + (r % 2)
            chosen = [k]
            for _ in range(extra):
                while True:
                    p = nxt() % width
                    if p not in chosen:
                        break
                chosen.append(p)
            c.append(0); deps.append([(l - 1) * width + q for q in chosen])
    c.append(0); deps.append([(layers - 1) * width + k for k in range(width)])
    return c, deps, evaluate(c, deps)


def vox(e, b):
    c, deps = [], []
    def emit(value, d):
        c.append(value); deps.append(d)
        return len(c) - 1
    total = None
    for i in range(e):
        first = add = None
        for j in range(b):
            work = emit(i * 1_000_000 + j, [])
            if j == 0:
                first = work
            elif j == 1:
                add = emit(0, [first, work])
            else:
                add = emit(0, [add, work])
        body = first if b == 1 else add
        total = body if i == 0 else emit(0, [total, body])
    return c, deps, vox_result(e, b)


def voxnary(e, b):
    c, deps = [], []
    def emit(value, d):
        c.append(value); deps.append(d)
        return len(c) - 1
    bodies = []
    for i in range(e):
        works = []
        for j in range(b):
            idx = emit(i * 1_000_000 + j, [])
            works.append(emit(0, [idx]))
        bodies.append(emit(0, works))
    emit(0, bodies)
    return c, deps, vox_result(e, b)


def vox_result(e, b):
    return (1_000_000 * b * (e * (e - 1) // 2) + e * (b * (b - 1) // 2)) & MASK


def evaluate(c, deps):
    values = []
    for i in range(len(c)):
        v = c[i]
        for d in deps[i]:
            v += values[d]
        values.append(v & MASK)
    return values[-1]


def graph_sha256(c, deps):
    h = hashlib.sha256()
    for i in range(len(c)):
        h.update(f"{i} {c[i]} {','.join(str(d) for d in deps[i])}\n".encode())
    return h.hexdigest()


def add(c, *inputs):
    v = c
    for x in inputs:
        v += x
    return v & MASK


def add_sleeping(ms, c, *inputs):
    time.sleep(ms / 1000.0)
    return add(c, *inputs)


def run_distributed(a, dsk, key):
    """Dask distributed: a LocalCluster on this machine (worker processes, no dashboard); the
    cluster's start-up is not measured, each pass is client.get of the whole graph."""
    import logging
    from dask.distributed import Client, LocalCluster
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with LocalCluster(n_workers=a.workers, threads_per_worker=a.threads, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.get({"warm": (add, 1, 2)}, "warm")
        walls, result = [], None
        for p in range(max(1, a.repeat)):
            # Keys of its own per pass: the scheduler releases a pass's keys asynchronously, and a
            # pass sent with the same keys before that was served the previous results (a 10 ms
            # graph "ran" at 13,767 nodes/s, above its 2,400 ceiling).
            pass_dsk, pass_key = with_prefix(dsk, f"p{p}"), f"p{p}{key}"
            t = time.perf_counter()
            result = client.get(pass_dsk, pass_key)
            walls.append(time.perf_counter() - t)
    return sorted(walls)[len(walls) // 2], result


def with_prefix(dsk, prefix):
    """The same graph with every key (and every reference to one) prefixed."""
    def ref(x):
        return prefix + x if isinstance(x, str) and x in dsk else x
    return {prefix + k: (v[0],) + tuple(ref(x) for x in v[1:]) for k, v in dsk.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", required=True)
    ap.add_argument("--n", type=int)
    ap.add_argument("--L", type=int, default=100)
    ap.add_argument("--W", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--E", type=int, default=150)
    ap.add_argument("--B", type=int, default=1000)
    ap.add_argument("--scheduler", default="both")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sleep-ms", type=float, default=0.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.shape == "chain":
        c, deps, expected = chain(a.n or 100_000)
    elif a.shape == "wide":
        c, deps, expected = wide(a.n or 100_000)
    elif a.shape == "fib":
        c, deps, expected = fib(a.n or 10_000)
    elif a.shape == "layered":
        c, deps, expected = layered(a.L, a.W, a.seed)
    elif a.shape == "vox":
        c, deps, expected = vox(a.E, a.B)
    elif a.shape == "voxnary":
        c, deps, expected = voxnary(a.E, a.B)
    else:
        sys.exit(f"unknown shape {a.shape}")

    import dask
    import dask.threaded
    sha = graph_sha256(c, deps)
    t0 = time.perf_counter()
    if a.sleep_ms > 0:
        dsk = {f"n{i}": (add_sleeping, a.sleep_ms, c[i], *[f"n{d}" for d in deps[i]]) for i in range(len(c))}
    else:
        dsk = {f"n{i}": (add, c[i], *[f"n{d}" for d in deps[i]]) for i in range(len(c))}
    build_s = time.perf_counter() - t0
    key = f"n{len(c) - 1}"
    if a.scheduler == "distributed":
        import distributed
        wall, result = run_distributed(a, dsk, key)
        print(json.dumps({
            "engine": "dask-distributed", "shape": a.shape, "nodes": len(c), "edges": sum(len(d) for d in deps),
            "graph_sha256": sha, "result": result, "ok": result == expected, "build_s": round(build_s, 4),
            "wall_s": round(wall, 4), "nodes_per_s": round(len(c) / wall, 1),
            "peak_rss_mb": peak_rss_mb(),
            "store": "none", "workers": a.workers, "threads_per_worker": a.threads, "concurrency": a.workers * a.threads,
            "sleep_ms": a.sleep_ms, "dask": dask.__version__, "distributed": distributed.__version__,
        }), flush=True)
        return
    schedulers = ["threaded", "sync"] if a.scheduler == "both" else [a.scheduler]
    for name in schedulers:
        walls, result = [], None
        for _ in range(max(1, a.repeat)):
            t = time.perf_counter()
            if name == "threaded":
                result = dask.threaded.get(dsk, key, num_workers=a.workers)
            else:
                result = dask.get(dsk, key)
            walls.append(time.perf_counter() - t)
        wall = sorted(walls)[len(walls) // 2]
        print(json.dumps({
            "engine": f"dask-{name}", "shape": a.shape, "nodes": len(c), "edges": sum(len(d) for d in deps),
            "graph_sha256": sha, "result": result, "ok": result == expected, "build_s": round(build_s, 4),
            "wall_s": round(wall, 4), "nodes_per_s": round(len(c) / wall, 1),
            "peak_rss_mb": peak_rss_mb(),
            "store": "none", "concurrency": a.workers if name == "threaded" else 1, "dask": dask.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
