using VoxScheduler.Operations;

namespace VoxScheduler.VoxHost;

/// <summary>
/// Operations of the <c>rel</c> namespace, used only by the reliability suite (VoxHost and
/// tests/Reliability): a plain addition and a variadic sum for DAG recipes that must not depend
/// on the language's primitives, and operations that misbehave on purpose (throw, hang with or
/// without honouring cancellation, allocate impossibly much, return values the codec cannot store).
/// </summary>
internal static class ReliabilityOperations
{
    /// <summary>Adds the <c>rel</c> operations to a registry (replacing earlier ones).</summary>
    public static OperationRegistry AddTo(OperationRegistry registry)
    {
        registry.RegisterRange(All(), replace: true);
        return registry;
    }

    /// <summary>Every <c>rel</c> operation.</summary>
    public static IEnumerable<Operation> All()
    {
        yield return Operation.Create("rel.add", 2, 2, c => c.Number(0) + c.Number(1), description: "a + b");
        yield return Operation.Create("rel.sum", 0, -1, c =>
        {
            var total = 0.0;
            for (var i = 0; i < c.Count; i++) total += c.Number(i);
            return total;
        }, description: "sum of any number of numbers");
        yield return Operation.Create("rel.noise", 2, 2, c =>
        {
            // Incompressible, deterministic bytes: stored raw, so tests can find them on disk.
            var bytes = new byte[(int)(c.Number(1) * 1024)];
            new Random((int)c.Number(0)).NextBytes(bytes);
            return bytes;
        }, description: "kb kilobytes of seeded random bytes");
        yield return Operation.Create("rel.length", 1, 1, c => (double)c.Bytes(0).Length, description: "length of bytes");
        yield return Operation.Create("rel.throw", 1, 1, c => throw new InvalidOperationException($"rel.throw was asked to fail: {c.Text(0)}"),
            description: "always throws");
        yield return Operation.CreateAsync("rel.hang", 0, 1, async c =>
        {
            await Task.Delay(Timeout.Infinite, c.CancellationToken);
            return OperationResult.FromValue(0.0);
        }, description: "waits until cancelled");
        yield return Operation.Create("rel.hang_uncooperative", 1, 1, c =>
        {
            // Ignores its token, like a native call that cannot be interrupted.
            Thread.Sleep(TimeSpan.FromMilliseconds(c.Number(0)));
            return 1.0;
        }, description: "blocks its thread for n ms, ignoring cancellation");
        yield return Operation.Create("rel.alloc_overflow", 0, 1, c =>
        {
            // Beyond the largest array .NET can index: refused at once, nothing is allocated.
            var big = new byte[(long)Array.MaxLength + 1024L];
            return (double)big.LongLength;
        }, description: "asks for an array larger than .NET allows");
        yield return Operation.Create("rel.alloc_loop", 2, 2, c =>
        {
            // Holds on to `count` arrays of `mb` MiB each, touching every page: in a process with a
            // GC heap limit this ends in OutOfMemoryException long before the machine is exhausted.
            var held = new List<byte[]>();
            for (var i = 0; i < (int)c.Number(1); i++)
            {
                c.CancellationToken.ThrowIfCancellationRequested();
                var block = new byte[(int)c.Number(0) * 1024 * 1024];
                for (var p = 0; p < block.Length; p += 4096) block[p] = 1;
                held.Add(block);
            }

            return (double)held.Count;
        }, description: "allocates count × mb MiB and keeps it");
        yield return Operation.Create("rel.wrong_type", 1, 1, c => c.Number(0) switch
        {
            0 => new object(),
            1 => new FileInfo("/etc/passwd"),
            2 => Task.FromResult(1),
            3 => CyclicSequence(),
            4 => (Action)(() => { }),
            _ => new object?[] { 1.0, new object?[] { "ok", new FileInfo("/etc/hostname") } },
        }, description: "returns a CLR object that is not a runtime value");
    }

    private static object?[] CyclicSequence()
    {
        var items = new object?[2];
        items[0] = 1.0;
        items[1] = items;
        return items;
    }
}
