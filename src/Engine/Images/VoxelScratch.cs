using System.Runtime.InteropServices;

namespace VoxScheduler.Images;

/// <summary>
/// Whole-image scratch of a kernel (sort keys, a decoded mask, a pass's intermediate) from the
/// voxel buffer pool rather than the runtime's array pool: sized by the image (so a buffer of
/// <c>4 × voxels</c> bytes is the very buffer a number image of that size uses, and goes back and
/// forth between the two), exact rather than rounded up to a power of two, and let go when idle
/// like the images' own. Use with <c>using</c>; nothing may keep a span of it afterwards.
/// </summary>
internal sealed class VoxelScratch : IDisposable
{
    private readonly VoxelBufferPool _pool;
    private readonly int _bytes;
    private byte[]? _array;

    private VoxelScratch(VoxelBufferPool pool, long bytes)
    {
        _pool = pool;
        _array = pool.Rent(bytes);
        _bytes = (int)bytes;
    }

    /// <summary>Scratch of <paramref name="count"/> elements of <typeparamref name="T"/> from the shared pool; its content is undefined.</summary>
    public static VoxelScratch Of<T>(long count) where T : unmanaged => new(VoxelBufferPool.Shared, count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());

    /// <summary>The scratch as elements of <typeparamref name="T"/> (all of it).</summary>
    public Span<T> As<T>() where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>((_array ?? throw new ObjectDisposedException(nameof(VoxelScratch))).AsSpan(VoxelBufferPool.Prefix, _bytes));

    public void Dispose()
    {
        if (_array is { } array)
        {
            _array = null;
            _pool.Return(array);
        }
    }
}
