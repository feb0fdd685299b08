using System.Buffers;
using System.IO.Compression;
using VoxScheduler.Images.Nifti;

namespace VoxScheduler.Images;

/// <summary>
/// An image as a store holds it (its value kind's byte form: a tag, a 255-byte header, then the
/// raw voxels), read as a stream so a large image is never loaded just to be described or saved:
/// its kind and geometry come from the header, min and max from one streamed pass over the
/// voxels, and a NIfTI file is written voxel chunk by voxel chunk.
/// </summary>
public sealed class StoredImage
{
    private const int ChunkBytes = 1 << 20;

    private StoredImage(VoxelKind kind, ImageGeometry geometry)
    {
        Kind = kind;
        Geometry = geometry;
    }

    /// <summary>The voxel kind.</summary>
    public VoxelKind Kind { get; }

    /// <summary>Size, spacing, origin, direction (and the NIfTI orientation, when one was read).</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Bytes of voxels.</summary>
    public long VoxelBytes => Geometry.VoxelCount * Kind.BytesPerVoxel();

    /// <summary>
    /// Reads the tag and header of a stored value from <paramref name="stored"/>, leaving it at the
    /// first voxel; null (stream untouched beyond the tag) when the value is not an image.
    /// </summary>
    /// <exception cref="FormatException">The header is damaged.</exception>
    public static ValueTask<StoredImage?> ReadHeaderAsync(Stream stored, CancellationToken cancellationToken) =>
        ReadHeaderAsync(stored, tagRead: false, cancellationToken);

    /// <summary>As <see cref="ReadHeaderAsync(Stream, CancellationToken)"/>; with <paramref name="tagRead"/> the caller already read the image tag.</summary>
    public static async ValueTask<StoredImage?> ReadHeaderAsync(Stream stored, bool tagRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var head = new byte[1 + ImageHeader.Length];
        head[0] = ImageValueKind.ImageTag;
        if (!tagRead && (await stored.ReadAsync(head.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 1 || head[0] != ImageValueKind.ImageTag)) return null;
        try
        {
            await stored.ReadExactlyAsync(head.AsMemory(1), cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("The stored image ends inside its header.", e);
        }

        var (kind, geometry) = ImageHeader.Read(head.AsSpan(1));
        return new StoredImage(kind, geometry);
    }

    /// <summary>Min, max (NaN skipped) and count (true voxels for a boolean image, else all) in one streamed pass over the voxels.</summary>
    public async ValueTask<(float Min, float Max, long Count)> StatisticsAsync(Stream voxels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var seen = false;
        long trueCount = 0;
        await ForEachChunkAsync(voxels, chunk =>
        {
            if (Kind == VoxelKind.Boolean)
            {
                foreach (var b in chunk) trueCount += b != 0 ? 1 : 0;
                return;
            }

            foreach (var v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(chunk))
            {
                if (float.IsNaN(v)) continue;
                seen = true;
                if (v < min) min = v;
                if (v > max) max = v;
            }
        }, cancellationToken).ConfigureAwait(false);
        if (Kind == VoxelKind.Boolean) return (trueCount == Geometry.VoxelCount ? 1 : 0, trueCount > 0 ? 1 : 0, trueCount);
        return seen ? (min, max, Geometry.VoxelCount) : (float.NaN, float.NaN, Geometry.VoxelCount);
    }

    /// <summary>The one-line summary, as an image in memory gives it.</summary>
    public string Summary((float Min, float Max, long Count) statistics) => ImageSummary.Of(Kind, Geometry, VoxelBytes, statistics);

    /// <summary>Writes a single-file NIfTI-1 (gzip-compressed when <paramref name="compressed"/>) from the voxels, a chunk at a time: the same file as <c>save</c> writes.</summary>
    public async ValueTask WriteNiftiAsync(Stream voxels, Stream output, bool compressed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        ArgumentNullException.ThrowIfNull(output);
        var target = compressed ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true) : output;
        try
        {
            using (var header = new MemoryStream())
            {
                NiftiWriter.WriteHeader(header, Kind, Geometry);
                await target.WriteAsync(header.GetBuffer().AsMemory(0, (int)header.Length), cancellationToken).ConfigureAwait(false);
            }

            var converted = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                await ForEachChunkAsync(voxels, null, cancellationToken, async chunk =>
                {
                    var n = NiftiWriter.ConvertStored(Kind, chunk.Span, converted);
                    await target.WriteAsync(converted.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(converted);
            }
        }
        finally
        {
            if (compressed) await target.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the voxels into an image (once), for the file forms that need the whole image (PNG, JPEG).</summary>
    public async ValueTask<Image> LoadAsync(Stream voxels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        var raw = new byte[VoxelBytes];
        try
        {
            await voxels.ReadExactlyAsync(raw, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("The stored image ends before its voxels.", e);
        }

        return Image.FromRaw(Kind, Geometry, raw);
    }

    private ValueTask ForEachChunkAsync(Stream voxels, Action<ReadOnlySpan<byte>> each, CancellationToken cancellationToken) =>
        ForEachChunkAsync(voxels, each, cancellationToken, null);

    // Whole voxels per chunk (the float data is read in multiples of 4 bytes), exactly VoxelBytes in all.
    private async ValueTask ForEachChunkAsync(Stream voxels, Action<ReadOnlySpan<byte>>? each, CancellationToken cancellationToken,
        Func<ReadOnlyMemory<byte>, ValueTask>? eachAsync)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var left = VoxelBytes;
            while (left > 0)
            {
                var want = (int)Math.Min(ChunkBytes, left);
                try
                {
                    await voxels.ReadExactlyAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                }
                catch (EndOfStreamException e)
                {
                    throw new FormatException("The stored image ends before its voxels.", e);
                }

                each?.Invoke(buffer.AsSpan(0, want));
                if (eachAsync is not null) await eachAsync(buffer.AsMemory(0, want)).ConfigureAwait(false);
                left -= want;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
