using System.Runtime.InteropServices;

namespace VoxScheduler.Images;

/// <summary>
/// The voxel buffer of an image being made: a kernel writes its output here, then
/// <see cref="Image"/> takes the buffer over (<see cref="Image.FromRented"/>). Disposing it
/// before that (a kernel that failed or was cancelled) gives the buffer back to its pool; after
/// that, disposing does nothing. Use with <c>using</c>.
/// </summary>
internal sealed class RentedVoxels : IDisposable
{
    private readonly VoxelBufferPool _pool;
    private readonly int _voxelBytes;
    private byte[]? _array;

    private RentedVoxels(VoxelBufferPool pool, VoxelKind kind, long voxelCount)
    {
        _pool = pool;
        Kind = kind;
        VoxelCount = voxelCount;
        var bytes = voxelCount * kind.BytesPerVoxel();
        _array = pool.Rent(bytes);
        _voxelBytes = (int)bytes;
    }

    /// <summary>What the voxels will be.</summary>
    public VoxelKind Kind { get; }

    /// <summary>Number of voxels.</summary>
    public long VoxelCount { get; }

    /// <summary>The voxels as bytes (a boolean image's voxels).</summary>
    public Span<byte> Bytes => Buffer.AsSpan(VoxelBufferPool.Prefix, _voxelBytes);

    /// <summary>The voxels as floats (a number image's, or a colour image's interleaved components).</summary>
    public Span<float> Floats => MemoryMarshal.Cast<byte, float>(Bytes);

    private byte[] Buffer => _array ?? throw new ObjectDisposedException(nameof(RentedVoxels), "The voxel buffer was given away or returned.");

    /// <summary>A buffer for <paramref name="voxelCount"/> boolean voxels from the shared pool.</summary>
    public static RentedVoxels Booleans(long voxelCount) => new(VoxelBufferPool.Shared, VoxelKind.Boolean, voxelCount);

    /// <summary>A buffer for <paramref name="voxelCount"/> number voxels from the shared pool.</summary>
    public static RentedVoxels Numbers(long voxelCount) => new(VoxelBufferPool.Shared, VoxelKind.Number, voxelCount);

    /// <summary>A buffer for <paramref name="voxelCount"/> voxels of <paramref name="kind"/> from <paramref name="pool"/>.</summary>
    public static RentedVoxels Of(VoxelBufferPool pool, VoxelKind kind, long voxelCount) => new(pool, kind, voxelCount);

    /// <summary>Hands the buffer over (to the image that takes it); the caller no longer owns it.</summary>
    internal (byte[] Array, VoxelBufferPool Pool, int VoxelBytes) Take()
    {
        var array = Buffer;
        _array = null;
        return (array, _pool, _voxelBytes);
    }

    public void Dispose()
    {
        if (_array is { } array)
        {
            _array = null;
            _pool.Return(array);
        }
    }
}
