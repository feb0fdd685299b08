using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// The <c>test</c> namespace (docs/language.md §7), for benchmarks and fault tests:
/// <c>spin(x, rounds)</c>, <c>sleep(x, ms)</c>, <c>blob(seed, mb)</c>, <c>fail(message)</c>,
/// <c>flaky(x, n, key)</c>, <c>sha256(x)</c>.
/// </summary>
/// <remarks>
/// Purity: spin, sleep, blob and sha256 are pure (their value is a function of their arguments). fail
/// is pure too: it always fails, and it fails with a permanent <see cref="NodeExecutionException"/>, a
/// deliberate verdict the scheduler does not retry. flaky is also pure: its value (x) is a
/// function of its arguments and only its failures are transient, which is exactly what a
/// retry is for; being pure, a success is stored and reused like any other result, while the
/// failures (a plain <see cref="IOException"/>) are retried within the execution.
/// </remarks>
public static class TestNamespace
{
    /// <summary>Bytes hashed by one round of <c>spin</c>.</summary>
    public const int SpinBlockSize = 1024 * 1024;

    /// <summary>Largest <c>blob</c>, in MiB (4 GiB: enough for large-result tests, not a disk-filler).</summary>
    public const int MaxBlobMegabytes = 4 * 1024;

    /// <summary>Longest <c>sleep</c>, in milliseconds (ten minutes).</summary>
    public const double MaxSleepMilliseconds = 10 * 60 * 1000;

    /// <summary>Most <c>flaky</c> keys remembered; past it the counts start over, so the table cannot grow without bound.</summary>
    public const int MaxFlakyKeys = 10_000;

    /// <summary>Most <c>spin</c> rounds (each hashes 1 MiB, about a millisecond).</summary>
    public const long MaxSpinRounds = 1_000_000;

    private static readonly byte[] SpinBlock = CreateSpinBlock();
    private static readonly ConcurrentDictionary<string, int> FlakyCounts = new(StringComparer.Ordinal);

    /// <summary>Adds the namespace's operations to <paramref name="registry"/>.</summary>
    public static void Register(OperationRegistry registry, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.RegisterRange(Create(), replace);
    }

    /// <summary>The namespace's operations.</summary>
    public static IReadOnlyList<Operation> Create() =>
    [
        Operation.Create("test.spin", 2, 2, Spin, description: "spin(x, rounds): x, after rounds SHA-256 passes over 1 MiB (CPU load)."),
        Operation.CreateAsync("test.sleep", 2, 2, SleepAsync, description: "sleep(x, ms): x, after waiting ms milliseconds (cancellable)."),
        Operation.CreateAsync("test.blob", 2, 2, BlobAsync, description: "blob(seed, mb): mb MiB of deterministic bytes derived from seed, streamed to the store."),
        Operation.Create("test.fail", 1, 1, Fail, description: "fail(message): always fails with message."),
        Operation.Create("test.flaky", 3, 3, Flaky, description: "flaky(x, n, key): fails the first n times per key in this process, then returns x."),
        Operation.CreateAsync("test.sha256", 1, 1, Sha256Async,
            description: "sha256(x): the hex SHA-256 of x's byte form (for bytes, the bytes), read as a stream: a stored x is never loaded whole.")
            .WithStreamedArguments(0),
    ];

    /// <summary>Chunk in which <c>sha256</c> reads its input.</summary>
    private const int HashChunkBytes = 1024 * 1024;

    /// <summary>How many keys test.flaky remembers now (at most <see cref="MaxFlakyKeys"/>).</summary>
    internal static int FlakyKeysRemembered => FlakyCounts.Count;

    /// <summary>Forgets the failure counts of test.flaky (for tests that reuse keys).</summary>
    public static void ResetFlaky() => FlakyCounts.Clear();

    private static object? Spin(OperationContext context)
    {
        var rounds = Count(context, 1, "rounds");
        if (rounds > MaxSpinRounds) throw context.Fail($"rounds must be at most {MaxSpinRounds}, not {rounds}.");
        Span<byte> digest = stackalloc byte[32];
        for (long i = 0; i < rounds; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            SHA256.HashData(SpinBlock, digest);
        }

        return context[0];
    }

    private static async ValueTask<OperationResult> SleepAsync(OperationContext context)
    {
        var ms = context.Number(1);
        if (!double.IsFinite(ms) || ms < 0 || ms > MaxSleepMilliseconds)
            throw context.Fail($"ms must be between 0 and {MaxSleepMilliseconds}, not {ms}.");
        if (ms > 0) await Task.Delay(TimeSpan.FromMilliseconds(ms), context.CancellationToken).ConfigureAwait(false);
        return OperationResult.FromValue(context[0]);
    }

    private static async ValueTask<OperationResult> BlobAsync(OperationContext context)
    {
        var seed = context.Number(0);
        var mb = context.Number(1);
        if (!double.IsFinite(mb) || mb < 0 || mb > MaxBlobMegabytes) throw context.Fail($"mb must be between 0 and {MaxBlobMegabytes}, not {mb}.");
        var length = (long)Math.Round(mb * 1024 * 1024);
        var generator = new BlobGenerator(seed);
        if (!context.CanStream)
        {
            if (length > Array.MaxLength) throw context.Fail("a blob this large needs a store to stream into.");
            var bytes = new byte[length];
            generator.Fill(bytes);
            return OperationResult.FromValue(bytes);
        }

        var output = await context.OpenOutputAsync().ConfigureAwait(false);
        var chunk = new byte[(int)Math.Min(length, 1024 * 1024)];
        for (long written = 0; written < length;)
        {
            var n = (int)Math.Min(chunk.Length, length - written);
            generator.Fill(chunk.AsSpan(0, n));
            await output.WriteChunkAsync(chunk.AsMemory(0, n), context.CancellationToken).ConfigureAwait(false);
            written += n;
        }

        return OperationResult.Streamed;
    }

    private static async ValueTask<OperationResult> Sha256Async(OperationContext context)
    {
        await using var input = await context.OpenArgumentStreamAsync(0).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[HashChunkBytes];
        int n;
        while ((n = await input.Content.ReadAsync(chunk, context.CancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(chunk, 0, n);
        }

        return OperationResult.FromValue(Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static object? Fail(OperationContext context) =>
        throw new NodeExecutionException(context[0] as string ?? Convert.ToString(context[0], System.Globalization.CultureInfo.InvariantCulture) ?? "failed",
            context.NodeId, context.Operation.Name, permanent: true);

    private static object? Flaky(OperationContext context)
    {
        var n = Count(context, 1, "n");
        var key = context[2] as string ?? Convert.ToString(context[2], System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        if (FlakyCounts.Count >= MaxFlakyKeys && !FlakyCounts.ContainsKey(key)) FlakyCounts.Clear();
        var call = FlakyCounts.AddOrUpdate(key, 1, static (_, c) => c + 1);
        if (call <= n)
        {
            throw new IOException($"test.flaky: planned failure {call} of {n} for key '{key}'.");
        }

        return context[0];
    }

    private static long Count(OperationContext context, int index, string what)
    {
        var value = context.Number(index);
        if (!double.IsFinite(value) || value < 0 || value != Math.Floor(value))
        {
            throw context.Fail($"{what} must be a non-negative integer, not {value}.");
        }

        return (long)value;
    }

    private static byte[] CreateSpinBlock()
    {
        var block = new byte[SpinBlockSize];
        new BlobGenerator(0).Fill(block);
        return block;
    }

    /// <summary>A fast deterministic byte stream (xorshift64*), the same on every platform.</summary>
    private sealed class BlobGenerator
    {
        private ulong _state;

        public BlobGenerator(double seed)
        {
            _state = BitConverter.DoubleToUInt64Bits(seed) ^ 0x9E3779B97F4A7C15UL;
            if (_state == 0) _state = 0x9E3779B97F4A7C15UL;
        }

        public void Fill(Span<byte> destination)
        {
            var i = 0;
            Span<byte> word = stackalloc byte[8];
            while (i < destination.Length)
            {
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
                var r = _state * 2685821657736338717UL;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(word, r);
                var n = Math.Min(8, destination.Length - i);
                word[..n].CopyTo(destination[i..]);
                i += n;
            }
        }
    }
}
