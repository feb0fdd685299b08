"""Peak resident set of the peer scripts (bench/image_bench.py, bench/dask_bench.py)."""
import resource


def peak_rss_mb():
    """This process's peak resident set (MiB). Linux keeps getrusage's ru_maxrss across fork and
    exec, so a script the bench starts would report the bench's own peak there (it did: the
    numpy pipeline and Dask lines carried exactly the .NET process's figure); VmHWM in
    /proc/self/status belongs to this process's memory alone. ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
