using System.Globalization;
using System.Text.RegularExpressions;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>The specification's ExecutionConfig; every field is honoured.</summary>
public sealed record ExecutionConfig
{
    /// <summary>
    /// Most nodes of this execution in flight at once (computing, or waiting on I/O). Nodes
    /// computing are bounded process-wide too (<see cref="DynamicScheduler.MaxWorkers"/>).
    /// </summary>
    public int MaxConcurrentNodes { get; init; } = 4;

    /// <summary>
    /// <c>hybrid</c>, <c>sqlite</c>, <c>filesystem</c>, <c>none</c> (memory only), or <c>auto</c>
    /// (default): the backend of the store already in <see cref="StoragePath"/>, else hybrid.
    /// </summary>
    public string StorageBackend { get; init; } = Storage.StoreFactory.AutoBackend;

    /// <summary>Folder of the store.</summary>
    public string StoragePath { get; init; } = "./voxlogica_storage";

    /// <summary>Bound on values kept in memory beyond their last consumer, e.g. <c>512MB</c>.</summary>
    public string CacheSize { get; init; } = "512MB";

    /// <summary>
    /// Bytes of live values (results held in memory for consumers that have not run yet, and the
    /// outputs of running nodes, reserved when they start) above which ready nodes that would
    /// start new work wait, while those finishing work already begun run first (the earliest
    /// begun case's first); 0 (default): no budget. A dataset then peaks near the memory of a few
    /// cases, not of all of them. Never a deadlock: a node with a live input always runs, and
    /// when nothing is running the next node runs even over the budget.
    /// </summary>
    public long MemoryBudget { get; init; }

    /// <summary>Compress this execution's stored results (data that does not shrink is stored raw regardless).</summary>
    public bool Compression { get; init; } = true;

    /// <summary>The codec of this execution's compressed results: <c>lz4</c> (fast, the default), <c>brotli</c> (smaller, slower) or <c>none</c>.</summary>
    public string CompressionCodec { get; init; } = "lz4";

    /// <summary>This execution's results at or above this many bytes are streamed to the store (hybrid: kept as files; filesystem: uncompressed).</summary>
    public long StreamingThreshold { get; init; } = 100L * 1024 * 1024;

    /// <summary>
    /// How this execution's results are written (<see cref="Compression"/>, <see cref="CompressionCodec"/>,
    /// <see cref="StreamingThreshold"/>): the store applies them to each of the execution's writes,
    /// whatever options it was opened with or another execution on it uses.
    /// </summary>
    public ResultWriteOptions WriteOptions => new() { Compression = Compression, CompressionCodec = CompressionCodec, StreamingThreshold = StreamingThreshold };

    /// <summary>Retry failed nodes (as <see cref="RetryPolicy"/> says); false tries every node once.</summary>
    public bool RetryFailedNodes { get; init; } = true;

    /// <summary>
    /// When and after how long a failed node is tried again: retries, base delay, backoff
    /// factor, cap and the kinds of failure retried (default <see cref="Scheduling.RetryPolicy.Default"/>).
    /// </summary>
    public RetryPolicy RetryPolicy { get; init; } = RetryPolicy.Default;

    /// <summary>
    /// Retries after the first try (so at most MaxRetries + 1 tries): the specification's field,
    /// kept in <see cref="RetryPolicy"/> (setting it changes the policy's <see cref="RetryPolicy.MaxRetries"/>).
    /// </summary>
    public int MaxRetries
    {
        get => RetryPolicy.MaxRetries;
        init => RetryPolicy = RetryPolicy with { MaxRetries = value };
    }

    /// <summary>True when a node is tried again after <paramref name="failedTries"/> failed tries, the last with <paramref name="error"/>.</summary>
    public bool ShouldRetry(Exception error, int failedTries) => RetryFailedNodes && RetryPolicy.ShouldRetry(error, failedTries);

    /// <summary>A node running longer than this is cancelled and fails (null: no limit).</summary>
    public TimeSpan? NodeTimeout { get; init; }

    /// <summary>Default of <see cref="MaxNodes"/>.</summary>
    public const int DefaultMaxNodes = 10_000_000;

    /// <summary>
    /// Most nodes the execution's plan may hold, the DAG's own plus everything run-time loops
    /// expand into (the execution node budget); an expansion past it fails its node with a
    /// <see cref="BudgetExceededException"/> and is not retried.
    /// </summary>
    public int MaxNodes { get; init; } = DefaultMaxNodes;

    /// <summary>Parses <see cref="CacheSize"/> (<c>512MB</c>, <c>1GiB</c>, <c>0</c>, <c>1048576</c>) into bytes.</summary>
    public long CacheSizeBytes => ParseSize(CacheSize);

    /// <summary>Parses a size with an optional unit (B, KB, MB, GB, TB; KiB… accepted; powers of 1024).</summary>
    /// <exception cref="ValidationException">The text is not a size.</exception>
    public static long ParseSize(string text)
    {
        var m = Regex.Match(text ?? string.Empty, @"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*$", RegexOptions.IgnoreCase);
        if (!m.Success)
        {
            throw new ValidationException($"'{text}' is not a size (examples: 512MB, 1GB, 65536).", "InvalidSize");
        }

        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var scale = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "K" => 1024d,
            "M" => 1024d * 1024,
            "G" => 1024d * 1024 * 1024,
            "T" => 1024d * 1024 * 1024 * 1024,
            _ => 1d,
        };
        return (long)(number * scale);
    }

    /// <summary>Checks the fields, listing every problem.</summary>
    /// <exception cref="ValidationException">A field is out of range.</exception>
    public void Validate()
    {
        var problems = new List<ValidationProblem>();
        if (MaxConcurrentNodes < 1 || MaxConcurrentNodes > 4096)
            problems.Add(new("InvalidConfig", $"max_concurrent_nodes must be between 1 and 4096, not {MaxConcurrentNodes}."));
        if (RetryPolicy is null) problems.Add(new("InvalidConfig", "retry_policy is required."));
        else problems.AddRange(RetryPolicy.Validate());
        if (!ResultWriteOptions.Codecs.Contains(CompressionCodec?.Trim().ToLowerInvariant() ?? string.Empty))
            problems.Add(new("InvalidConfig", $"compression_codec must be one of {string.Join(", ", ResultWriteOptions.Codecs)}, not '{CompressionCodec}'."));
        if (StreamingThreshold < 1)
            problems.Add(new("InvalidConfig", $"streaming_threshold must be positive, not {StreamingThreshold}."));
        if (MemoryBudget < 0)
            problems.Add(new("InvalidConfig", $"memory_budget must not be negative, not {MemoryBudget}."));
        if (MaxNodes < 1)
            problems.Add(new("InvalidConfig", $"max_execution_nodes must be positive, not {MaxNodes}."));
        if (NodeTimeout is { } t && t <= TimeSpan.Zero)
            problems.Add(new("InvalidConfig", $"node timeout must be positive, not {t}."));
        try
        {
            _ = CacheSizeBytes;
        }
        catch (ValidationException e)
        {
            problems.AddRange(e.Problems);
        }

        if (problems.Count > 0) throw new ValidationException(problems);
    }
}
