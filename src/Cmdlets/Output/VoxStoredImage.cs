using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>
/// An image too large to be handed out whole (at or above the streaming threshold): it stays in
/// the store and is described from its header (kind, size, spacing) and one streamed pass over its
/// voxels (min, max), never loaded. Save-VoxResult writes it as .nii/.nii.gz streamed from the
/// store, or (.png, .jpg) reads it once.
/// </summary>
public sealed class VoxStoredImage
{
    private readonly IResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StoredImage _header;
    private (float Min, float Max, long Count)? _statistics;

    private VoxStoredImage(IResultStore store, NodeId nodeId, StoredImage header)
    {
        _store = store;
        _nodeId = nodeId;
        _header = header;
    }

    /// <summary>The voxel kind (boolean, float32, rgb float32, rgba float32).</summary>
    public string Kind => _header.Kind.DisplayName();

    /// <summary>Voxels along x, y (and z).</summary>
    public int[] Size => _header.Geometry.Dimensions == 2 ? [_header.Geometry.Width, _header.Geometry.Height]
        : [_header.Geometry.Width, _header.Geometry.Height, _header.Geometry.Depth];

    /// <summary>Voxel spacing along x, y (and z), in millimetres.</summary>
    public double[] Spacing => _header.Geometry.Dimensions == 2 ? [_header.Geometry.Spacing.X, _header.Geometry.Spacing.Y]
        : [_header.Geometry.Spacing.X, _header.Geometry.Spacing.Y, _header.Geometry.Spacing.Z];

    /// <summary>Bytes of voxels.</summary>
    public long Bytes => _header.VoxelBytes;

    /// <summary>The smallest voxel value (NaN skipped; for a boolean image 1 when every voxel is true).</summary>
    public float Min => Statistics().Min;

    /// <summary>The largest voxel value (for a boolean image 1 when any voxel is true).</summary>
    public float Max => Statistics().Max;

    /// <summary>The one-line summary, as an image in memory shows it.</summary>
    public string Summary => _header.Summary(Statistics());

    /// <inheritdoc />
    public override string ToString() => Summary;

    /// <summary>
    /// How a result object opens a large value: an image description when the stored value is an
    /// image (looked at once, from its tag), else a byte stream opened on first read.
    /// </summary>
    internal static Func<object> Opener(IResultStore store, NodeId nodeId, long encodedLength)
    {
        var probed = false;
        VoxStoredImage? image = null;
        return () =>
        {
            if (!probed)
            {
                image = TryOpen(store, nodeId);
                probed = true;
            }

            return image is not null ? image : new LazyResultStream(store, nodeId, encodedLength);
        };
    }

    /// <summary>The stored value as an image description when it is one, else null (the caller falls back to a byte stream).</summary>
    internal static VoxStoredImage? TryOpen(IResultStore store, NodeId nodeId) =>
        Task.Run(async () =>
        {
            await using var stream = await store.OpenReadAsync(nodeId, CancellationToken.None).ConfigureAwait(false);
            if (stream is null) return null;
            var header = await StoredImage.ReadHeaderAsync(stream, CancellationToken.None).ConfigureAwait(false);
            return header is null ? null : new VoxStoredImage(store, nodeId, header);
        }).GetAwaiter().GetResult();

    /// <summary>Writes the image to <paramref name="output"/>: NIfTI streamed from the store, any other file form (<paramref name="writer"/>) from the image read once.</summary>
    internal async Task WriteAsync(Stream output, string target, Values.ValueFileWriter writer, CancellationToken cancellationToken)
    {
        await using var stream = await OpenVoxelsAsync(cancellationToken).ConfigureAwait(false);
        if (target.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || target.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            await _header.WriteNiftiAsync(stream, output, target.EndsWith(".gz", StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);
            return;
        }

        writer.Write(output, target, await _header.LoadAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    private (float Min, float Max, long Count) Statistics() =>
        _statistics ??= Task.Run(async () =>
        {
            await using var stream = await OpenVoxelsAsync(CancellationToken.None).ConfigureAwait(false);
            return await _header.StatisticsAsync(stream, CancellationToken.None).ConfigureAwait(false);
        }).GetAwaiter().GetResult();

    private async Task<Stream> OpenVoxelsAsync(CancellationToken cancellationToken)
    {
        var stream = await _store.OpenReadAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The image is no longer in the store.", _nodeId);
        if (await StoredImage.ReadHeaderAsync(stream, cancellationToken).ConfigureAwait(false) is null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new StorageException("The stored result is no longer an image.", _nodeId);
        }

        return stream;
    }
}
