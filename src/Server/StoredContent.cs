using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Server;

/// <summary>Serves one result as a download: bytes as-is, text as UTF-8, images as <see cref="ImageContent"/> says, any other value as JSON.</summary>
internal static class StoredContent
{
    /// <summary>
    /// Streams the result from <paramref name="store"/> when it holds it, else serves
    /// <paramref name="valueInHand"/>; null when neither is available.
    /// </summary>
    public static async Task<IResult?> ServeAsync(IResultStore? store, NodeId nodeId, bool hasValueInHand, object? valueInHand,
        string downloadName, CancellationToken cancellationToken, ImageContent? image = null)
    {
        image ??= ImageContent.Default;
        if (store is not null && await store.OpenReadAsync(nodeId, cancellationToken) is { } stream)
        {
            // The stored form is one tag byte then the payload; bytes and strings are streamed as they are.
            var tag = new byte[1];
            if (await stream.ReadAsync(tag, cancellationToken) == 1)
            {
                if (image.AsksForImage && tag[0] != ImageValueKind.ImageTag)
                {
                    await stream.DisposeAsync();
                    throw ImageContent.NotAnImage();
                }

                switch ((ValueTag)tag[0])
                {
                    case (ValueTag)ImageValueKind.ImageTag when !image.Png:
                    {
                        // A NIfTI download streams from the store a voxel chunk at a time: never the whole image in memory.
                        var header = await StoredImage.ReadHeaderAsync(stream, tagRead: true, cancellationToken);
                        return TypedResults.Stream(async body =>
                        {
                            await using (stream) await header!.WriteNiftiAsync(stream, body, compressed: true, CancellationToken.None);
                        }, "application/gzip", ImageContent.NiftiName(downloadName));
                    }

                    case (ValueTag)ImageValueKind.ImageTag:
                        using (var voxels = new MemoryStream())
                        {
                            await stream.CopyToAsync(voxels, cancellationToken);
                            await stream.DisposeAsync();
                            // The buffer is handed over, not copied: the image keeps it.
                            var stored = (Image)ImageValueKind.Instance.ReadPayload(voxels.GetBuffer().AsMemory(0, (int)voxels.Length), 0)!;
                            return image.Serve(stored, downloadName);
                        }

                    case ValueTag.Bytes:
                        return TypedResults.Stream(new PayloadStream(stream, 1), "application/octet-stream", downloadName);
                    case ValueTag.String:
                        return TypedResults.Stream(new PayloadStream(stream, 1), "text/plain; charset=utf-8");
                    default:
                        using (var buffer = new MemoryStream())
                        {
                            buffer.WriteByte(tag[0]);
                            await stream.CopyToAsync(buffer, cancellationToken);
                            await stream.DisposeAsync();
                            return Json(ValueCodec.Decode(buffer.ToArray()));
                        }
                }
            }

            await stream.DisposeAsync();
        }

        if (!hasValueInHand) return null;
        if (image.AsksForImage && valueInHand is not Image) throw ImageContent.NotAnImage();
        return valueInHand switch
        {
            Image inHand => image.Serve(inHand, downloadName),
            byte[] bytes => TypedResults.File(bytes, "application/octet-stream", downloadName),
            string text => TypedResults.Text(text, "text/plain", Encoding.UTF8),
            var other => Json(other),
        };
    }

    // Streamed: a two-million-item sequence is written item by item, never built as one JSON tree or string.
    private static IResult Json(object? value) =>
        TypedResults.Stream(stream => ValueJson.WriteAsync(stream, value, CancellationToken.None), "application/json");
}
