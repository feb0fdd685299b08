namespace VoxScheduler.Tests.Infrastructure;

/// <summary>Damages stored bytes on disk the way bit rot and torn writes do, found by content.</summary>
internal static class DiskDamage
{
    /// <summary>
    /// Flips one bit in every occurrence of <paramref name="needle"/> (at its middle) in every file
    /// under <paramref name="folder"/>; returns the files changed. The store must be closed.
    /// </summary>
    public static IReadOnlyList<string> FlipInside(string folder, ReadOnlySpan<byte> needle)
    {
        var changed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var hit = false;
            for (var at = bytes.AsSpan().IndexOf(needle); at >= 0;)
            {
                bytes[at + needle.Length / 2] ^= 0x10;
                hit = true;
                var next = bytes.AsSpan(at + 1).IndexOf(needle);
                at = next < 0 ? -1 : at + 1 + next;
            }

            if (hit)
            {
                File.WriteAllBytes(file, bytes);
                changed.Add(file);
            }
        }

        return changed;
    }

    /// <summary>The files under <paramref name="folder"/> containing <paramref name="needle"/>.</summary>
    public static IReadOnlyList<string> FilesContaining(string folder, ReadOnlySpan<byte> needle)
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0) found.Add(file);
        }

        return found;
    }

    /// <summary>The SQLite database files under a folder (by their header, not their name).</summary>
    public static IReadOnlyList<string> SqliteFiles(string folder)
    {
        var header = "SQLite format 3\0"u8.ToArray();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var s = File.OpenRead(file);
            var buffer = new byte[header.Length];
            if (s.Read(buffer) == buffer.Length && buffer.AsSpan().SequenceEqual(header)) found.Add(file);
        }

        return found;
    }

    /// <summary>Deterministic incompressible bytes (so a store keeps them raw and they can be found on disk).</summary>
    public static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
