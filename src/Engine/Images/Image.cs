using System.Runtime.InteropServices;
using VoxScheduler.Values;

namespace VoxScheduler.Images;

/// <summary>
/// An image value (IMAGES.md §1): a 2-D or 3-D grid of voxels, x fastest in memory, with its
/// geometry. Immutable: the factories take ownership of the array they are given (the caller
/// must not write to it afterwards), and every accessor is read-only. One buffer backs the image;
/// typed views (<see cref="Numbers"/>, <see cref="Booleans"/>, <see cref="Components"/>) and the
/// raw bytes of the stored form are views of it, never copies.
/// <para>
/// An image made by a kernel has a pooled buffer (<see cref="VoxelBufferPool"/>): the scheduler
/// counts where it keeps the image (<see cref="IPooledValue"/>) and the buffer returns to the
/// pool when the last of them lets go, unless the image was shared (a goal, the value cache,
/// another execution, code outside the engine). After that the image's voxels are gone: every
/// accessor throws <see cref="ObjectDisposedException"/> rather than show another image's voxels.
/// </para>
/// </summary>
public sealed class Image : IPooledValue
{
    /// <summary>Largest voxel buffer an image can have, in bytes (one .NET array).</summary>
    public static long MaxBytes => Array.MaxLength;

    private ReadOnlyMemory<byte> _raw;
    private ReadOnlyMemory<float> _floats;
    private (float Min, float Max, long Count)? _statistics;

    // The pooled buffer (tag and header, then the voxels) and its pool; null for an image whose
    // buffer the garbage collector owns. _holders: places the scheduler keeps the image.
    private byte[]? _pooled;
    private readonly VoxelBufferPool? _pool;
    private int _holders;
    private volatile bool _shared;
    private volatile bool _returned;

    private Image(VoxelKind kind, ImageGeometry geometry, ReadOnlyMemory<byte> raw, ReadOnlyMemory<float> floats)
    {
        Kind = kind;
        Geometry = geometry;
        _raw = raw;
        _floats = floats;
    }

    private Image(VoxelKind kind, ImageGeometry geometry, byte[] pooled, VoxelBufferPool pool, int voxelBytes)
        : this(kind, geometry, pooled.AsMemory(VoxelBufferPool.Prefix, voxelBytes), default)
    {
        if (kind != VoxelKind.Boolean) _floats = new CastMemoryManager<byte, float>(pooled.AsMemory(VoxelBufferPool.Prefix, voxelBytes)).Memory;
        _pooled = pooled;
        _pool = pool;
        // The stored form's tag and header, written once before anyone sees the image: a store
        // write then takes the whole array (TryGetEncoded) and no writer ever touches it again.
        pooled[0] = ImageValueKind.ImageTag;
        ImageHeader.Write(pooled.AsSpan(1, ImageHeader.Length), this);
    }

    /// <summary>What each voxel holds.</summary>
    public VoxelKind Kind { get; }

    /// <summary>Size, spacing, origin, direction (and NIfTI orientation) of the image.</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Number of voxels.</summary>
    public long VoxelCount => Geometry.VoxelCount;

    /// <summary>The voxel buffer as bytes, little endian: what the stored form holds after its header.</summary>
    public ReadOnlySpan<byte> RawBytes => Raw.Span;

    /// <summary>The voxel buffer as bytes (see <see cref="RawBytes"/>), for use across awaits and parallel loops.</summary>
    public ReadOnlyMemory<byte> RawMemory => Raw;

    /// <summary>The voxels of a boolean image, one byte each (0 or 1).</summary>
    /// <exception cref="InvalidOperationException">The image is not boolean.</exception>
    public ReadOnlySpan<byte> Booleans => BooleanMemory.Span;

    /// <summary>The voxels of a boolean image (see <see cref="Booleans"/>).</summary>
    /// <exception cref="InvalidOperationException">The image is not boolean.</exception>
    public ReadOnlyMemory<byte> BooleanMemory => Kind == VoxelKind.Boolean ? Raw : throw WrongKind("boolean");

    /// <summary>The voxels of a number image.</summary>
    /// <exception cref="InvalidOperationException">The image is not a number image.</exception>
    public ReadOnlySpan<float> Numbers => NumberMemory.Span;

    /// <summary>The voxels of a number image (see <see cref="Numbers"/>).</summary>
    /// <exception cref="InvalidOperationException">The image is not a number image.</exception>
    public ReadOnlyMemory<float> NumberMemory => Kind == VoxelKind.Number ? Floats : throw WrongKind("a number image");

    /// <summary>The components of a colour image, interleaved per voxel (RGB or RGBA).</summary>
    /// <exception cref="InvalidOperationException">The image is not a colour image.</exception>
    public ReadOnlySpan<float> Components => ComponentMemory.Span;

    /// <summary>The components of a colour image (see <see cref="Components"/>).</summary>
    /// <exception cref="InvalidOperationException">The image is not a colour image.</exception>
    public ReadOnlyMemory<float> ComponentMemory => Kind is VoxelKind.Rgb or VoxelKind.Rgba ? Floats : throw WrongKind("a colour image");

    /// <summary>Bytes the image holds in memory (its buffer and a small fixed overhead).</summary>
    public long SizeInBytes => Geometry.VoxelCount * Kind.BytesPerVoxel() + 256;

    /// <summary>A number image; takes ownership of <paramref name="voxels"/> (one float per voxel).</summary>
    /// <exception cref="ArgumentException">The array's length is not the geometry's voxel count.</exception>
    public static Image FromNumbers(ImageGeometry geometry, float[] voxels) => FromFloats(VoxelKind.Number, geometry, voxels);

    /// <summary>A colour image; takes ownership of <paramref name="components"/> (3 or 4 floats per voxel, interleaved).</summary>
    /// <exception cref="ArgumentException">The kind is not a colour, or the array's length is not voxels × components.</exception>
    public static Image FromColours(ImageGeometry geometry, VoxelKind kind, float[] components)
    {
        if (kind is not (VoxelKind.Rgb or VoxelKind.Rgba)) throw new ArgumentException($"{kind} is not a colour kind.", nameof(kind));
        return FromFloats(kind, geometry, components);
    }

    /// <summary>A boolean image; takes ownership of <paramref name="voxels"/> (one byte per voxel, 0 or 1).</summary>
    /// <exception cref="ArgumentException">The array's length is not the geometry's voxel count.</exception>
    public static Image FromBooleans(ImageGeometry geometry, byte[] voxels)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(voxels);
        CheckLength(VoxelKind.Boolean, geometry, voxels.LongLength);
        return new Image(VoxelKind.Boolean, geometry, voxels, default);
    }

    /// <summary>
    /// An image over a raw little-endian voxel buffer (the stored form after its header); the
    /// memory is kept, not copied, so the caller must never modify it.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer's length does not match kind and geometry.</exception>
    public static Image FromRaw(VoxelKind kind, ImageGeometry geometry, ReadOnlyMemory<byte> raw)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (!kind.IsDefined()) throw new ArgumentException($"Unknown voxel kind {(int)kind}.", nameof(kind));
        CheckLength(kind, geometry, raw.Length);
        if (kind == VoxelKind.Boolean) return new Image(kind, geometry, raw, default);
        if (!BitConverter.IsLittleEndian)
        {
            // The stored form is little endian; a big-endian host converts once.
            var floats = new float[raw.Length / 4];
            for (var i = 0; i < floats.Length; i++) floats[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.Span[(4 * i)..]);
            return new Image(kind, geometry, raw, floats);
        }

        var view = new CastMemoryManager<byte, float>(MemoryMarshal.AsMemory(raw)).Memory;
        return new Image(kind, geometry, raw, view);
    }

    /// <summary>An image of the rented buffer's kind over it (written by a kernel); takes the buffer over.</summary>
    /// <exception cref="ArgumentException">The buffer's voxel count is not the geometry's.</exception>
    internal static Image FromRented(ImageGeometry geometry, RentedVoxels voxels)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(voxels);
        if (voxels.VoxelCount != geometry.VoxelCount)
        {
            throw new ArgumentException($"An image of {geometry.SizeText} voxels needs {geometry.VoxelCount} voxels, not {voxels.VoxelCount}.");
        }

        var kind = voxels.Kind;
        var (array, pool, voxelBytes) = voxels.Take();
        return new Image(kind, geometry, array, pool, voxelBytes);
    }

    /// <summary>An image of the rented buffer's kind with this image's geometry; takes the buffer over.</summary>
    internal Image WithRented(RentedVoxels voxels) => FromRented(Geometry, voxels);

    /// <summary>True when the image's buffer came from a pool (and may go back to it).</summary>
    internal bool IsPooled => _pool is not null;

    /// <summary>True once the buffer went back to its pool: the image has no voxels any more.</summary>
    internal bool IsReturned => _returned;

    /// <summary>True once the image was handed where holders are not counted: its buffer never returns.</summary>
    internal bool IsShared => _shared;

    /// <summary>
    /// The stored form (tag, header, voxels) as the pooled buffer holds it, with no copy; false
    /// for an image without a pooled buffer.
    /// </summary>
    internal bool TryGetEncoded(out ReadOnlyMemory<byte> encoded)
    {
        var pooled = _pooled;
        if (pooled is null || _returned)
        {
            encoded = default;
            return false;
        }

        encoded = pooled;
        return true;
    }

    void IPooledValue.Retain()
    {
        // Retaining a returned image is an accounting bug; its accessors then throw rather than show other voxels.
        if (_pool is null) return;
        Interlocked.Increment(ref _holders);
    }

    void IPooledValue.Release()
    {
        if (_pool is null) return;
        var left = Interlocked.Decrement(ref _holders);
        if (left > 0) return;
        if (left < 0)
        {
            // Released more often than retained: an accounting bug; the buffer went back already (or never will).
            Interlocked.Increment(ref _holders);
            return;
        }

        if (_shared) return;
        var array = Interlocked.Exchange(ref _pooled, null);
        if (array is null) return;
        _returned = true;
        _raw = default;
        _floats = default;
        _pool.Return(array);
    }

    void IPooledValue.Share() => _shared = true;

    /// <summary>A number image with this image's geometry; takes ownership of <paramref name="voxels"/>.</summary>
    public Image WithNumbers(float[] voxels) => FromNumbers(Geometry, voxels);

    /// <summary>A boolean image with this image's geometry; takes ownership of <paramref name="voxels"/>.</summary>
    public Image WithBooleans(byte[] voxels) => FromBooleans(Geometry, voxels);

    /// <summary>A colour image with this image's geometry; takes ownership of <paramref name="components"/>.</summary>
    public Image WithColours(VoxelKind kind, float[] components) => FromColours(Geometry, kind, components);

    /// <summary>
    /// Smallest and largest value over all voxels and components (NaN ignored; both NaN when
    /// every value is NaN), and the number of true voxels of a boolean image (else the voxel count).
    /// Computed once.
    /// </summary>
    public (float Min, float Max, long Count) Statistics() => _statistics ??= ComputeStatistics();

    /// <summary>The one-line summary: <c>Image 240×240×155 float32, min 0 max 812, 35.7 MB</c>.</summary>
    public override string ToString() => ImageSummary.Of(this);

    private ReadOnlyMemory<byte> Raw => _returned ? throw Returned() : _raw;

    private ReadOnlyMemory<float> Floats => _returned ? throw Returned() : _floats;

    private ObjectDisposedException Returned() => new(nameof(Image), "The image's voxel buffer went back to its pool: nothing holds this image any more.");

    private (float Min, float Max, long Count) ComputeStatistics()
    {
        if (Kind == VoxelKind.Boolean)
        {
            long count = 0;
            foreach (var b in Raw.Span) count += b != 0 ? 1 : 0;
            var any = count > 0;
            var all = count == VoxelCount;
            return (all ? 1 : 0, any ? 1 : 0, count);
        }

        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var seen = false;
        foreach (var v in Floats.Span)
        {
            if (float.IsNaN(v)) continue;
            seen = true;
            if (v < min) min = v;
            if (v > max) max = v;
        }

        return seen ? (min, max, VoxelCount) : (float.NaN, float.NaN, VoxelCount);
    }

    private static Image FromFloats(VoxelKind kind, ImageGeometry geometry, float[] values)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(values);
        CheckLength(kind, geometry, (long)values.LongLength * 4);
        var raw = new CastMemoryManager<float, byte>(values).Memory;
        return new Image(kind, geometry, raw, values);
    }

    private static void CheckLength(VoxelKind kind, ImageGeometry geometry, long bytes)
    {
        var expected = geometry.VoxelCount * kind.BytesPerVoxel();
        if (expected > MaxBytes) throw new ArgumentException($"An image of {geometry.SizeText} {kind.DisplayName()} voxels needs {expected} bytes, more than the limit of {MaxBytes}.");
        if (bytes != expected) throw new ArgumentException($"An image of {geometry.SizeText} {kind.DisplayName()} voxels has {expected} bytes of voxels, not {bytes}.");
    }

    private InvalidOperationException WrongKind(string wanted) => new($"The image is {Kind.DisplayName()}, not {wanted}.");
}
