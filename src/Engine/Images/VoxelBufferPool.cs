using VoxScheduler.Values;

namespace VoxScheduler.Images;

/// <summary>
/// Voxel buffers of images, reused rather than left to the garbage collector: an image made by a
/// kernel takes its buffer from here, and the buffer comes back when the scheduler drops the
/// last reference to the image (<see cref="IPooledValue"/>). A dataset's cases then run in a
/// few buffers of each size instead of a fresh 36 MB array per node, so the process's memory
/// follows the live values (and the memory budget) rather than the garbage the runtime has not
/// collected yet.
/// <para>
/// Arrays are kept by exact length (the images of one dataset have one or two sizes) and laid
/// out as an image is stored: <see cref="Prefix"/> bytes (the value tag and the image header,
/// written when the image is made) and then the voxels, so a store write takes the array as it
/// is. A new array is made only when none of its size is idle, so the pool never holds more
/// than the most buffers of a size in use at once: with a memory budget, about the budget. Idle
/// buffers of a size not asked for during <see cref="IdleTimeout"/> are let go (checked on a
/// timer while any are idle), and at most <see cref="MaxIdleBytes"/> wait at any time. A buffer
/// is returned at most once: a second return of the same array is refused loudly (it would hand
/// one buffer to two images).
/// </para>
/// </summary>
internal sealed class VoxelBufferPool
{
    /// <summary>Bytes in front of the voxels: the value tag and the image header of the stored form.</summary>
    public const int Prefix = 1 + ImageHeader.Length;

    /// <summary>How long idle buffers of a size wait to be asked for before they are let go.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    // Letting go of this much idle memory at once is worth a collection: nothing else would return it to the system soon.
    private const long CollectAfterTrimBytes = 256L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, Bucket> _idle = [];
    private readonly HashSet<byte[]> _idleSet = new(ReferenceEqualityComparer.Instance);
    private long _idleBytes, _created, _reused, _returned, _dropped;
    private ITimer? _trimTimer;

    public VoxelBufferPool(long maxIdleBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdleBytes);
        MaxIdleBytes = maxIdleBytes;
    }

    /// <summary>The process's pool, used by every kernel: at most a quarter of the memory available to the process idle.</summary>
    public static VoxelBufferPool Shared { get; } = new(Math.Max(256L * 1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4));

    /// <summary>Bytes of idle buffers the pool keeps at most.</summary>
    public long MaxIdleBytes { get; set; }

    /// <summary>Bytes of buffers waiting in the pool.</summary>
    public long IdleBytes
    {
        get
        {
            lock (_lock) return _idleBytes;
        }
    }

    /// <summary>Buffers allocated because none of the size was idle.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Rents served by a returned buffer.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Buffers given back.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Returned buffers let go to the collector because the pool was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>A buffer of <see cref="Prefix"/> + <paramref name="voxelBytes"/> bytes; its content is undefined.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The buffer would be larger than an array can be.</exception>
    public byte[] Rent(long voxelBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(voxelBytes);
        if (voxelBytes > Array.MaxLength - Prefix)
        {
            throw new ArgumentOutOfRangeException(nameof(voxelBytes), $"An image of {voxelBytes} bytes of voxels is larger than the limit of {Array.MaxLength - Prefix} bytes.");
        }

        var length = (int)(Prefix + voxelBytes);
        PooledValues.MarkInUse();
        lock (_lock)
        {
            if (_idle.TryGetValue(length, out var bucket) && bucket.Touch().Arrays.TryPop(out var array))
            {
                _idleSet.Remove(array);
                _idleBytes -= length;
                _reused++;
                return array;
            }
        }

        Interlocked.Increment(ref _created);
        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Gives a buffer back; nothing may read or write it afterwards.</summary>
    /// <exception cref="InvalidOperationException">The buffer is already in the pool (returned twice).</exception>
    public void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length < Prefix) throw new ArgumentException("The array is not a voxel buffer of this pool.", nameof(array));
        lock (_lock)
        {
            if (_idleSet.Contains(array)) throw new InvalidOperationException("A voxel buffer was returned to the pool twice.");
            _returned++;
            if (_idleBytes + array.Length > MaxIdleBytes)
            {
                _dropped++;
                return;
            }

            if (!_idle.TryGetValue(array.Length, out var bucket)) _idle[array.Length] = bucket = new Bucket();
            bucket.Touch().Arrays.Push(array);
            _idleSet.Add(array);
            _idleBytes += array.Length;
            _trimTimer ??= TimeProvider.System.CreateTimer(static p => ((VoxelBufferPool)p!).TrimIdle(), this, IdleTimeout, IdleTimeout);
        }
    }

    /// <summary>Lets every idle buffer go to the collector.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _idle.Clear();
            _idleSet.Clear();
            _idleBytes = 0;
            _trimTimer?.Dispose();
            _trimTimer = null;
        }
    }

    /// <summary>Lets go of the idle buffers of every size nobody asked for during <see cref="IdleTimeout"/>.</summary>
    internal void TrimIdle()
    {
        long trimmed = 0;
        lock (_lock)
        {
            var now = Environment.TickCount64;
            foreach (var (length, bucket) in _idle)
            {
                if (now - bucket.LastUse < (long)IdleTimeout.TotalMilliseconds) continue;
                foreach (var array in bucket.Arrays) _idleSet.Remove(array);
                trimmed += (long)length * bucket.Arrays.Count;
                _idle.Remove(length);
            }

            _idleBytes -= trimmed;
            if (_idle.Count == 0)
            {
                _trimTimer?.Dispose();
                _trimTimer = null;
            }
        }

        // Large arrays go back to the system only when a full collection finds them dead.
        if (trimmed >= CollectAfterTrimBytes) GC.Collect(2, GCCollectionMode.Optimized, blocking: false);
    }

    /// <summary>The idle buffers of one size and when that size was last asked for or given back.</summary>
    private sealed class Bucket
    {
        public readonly Stack<byte[]> Arrays = new();
        public long LastUse = Environment.TickCount64;

        public Bucket Touch()
        {
            LastUse = Environment.TickCount64;
            return this;
        }
    }
}
