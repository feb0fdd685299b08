using System.Text.Json;
using VoxScheduler.Tests.Support;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Images;

/// <summary>The committed image fixtures (tests/fixtures/images) and their nibabel-computed expectations.</summary>
internal static class ImageFixtures
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "tests", "fixtures", "images");

    public static string File(params string[] parts) => Path.Combine([Folder, .. parts]);

    public static JsonElement Expected(string folder, string name)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(folder, "expected.json")));
        return doc.RootElement.GetProperty(name).Clone();
    }

    /// <summary>Reads a file the way <c>load</c> does: through the reader the value kinds register for its extension.</summary>
    public static object Load(string path)
    {
        var reader = ValueKinds.ReaderFor(path) ?? throw new InvalidOperationException("no reader for " + path);
        return reader.Read(path, System.IO.File.ReadAllBytes(path));
    }

    /// <summary>Writes a value the way <c>save</c> does, into memory.</summary>
    public static byte[] Save(string path, object value)
    {
        var (_, writer) = ValueKinds.WriterFor(path) ?? throw new InvalidOperationException("no writer for " + path);
        using var output = new MemoryStream();
        writer.Write(output, path, value);
        return output.ToArray();
    }

    /// <summary>Reads bytes as the file <paramref name="path"/> (the extension picks the reader).</summary>
    public static object Read(string path, byte[] content) => ValueKinds.ReaderFor(path)!.Read(path, content);
}
