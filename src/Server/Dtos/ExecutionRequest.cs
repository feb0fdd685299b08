using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The specification's ExecutionRequest, plus the optional ExecutionConfig fields.</summary>
internal sealed record ExecutionRequest
{
    /// <summary>VoxLogicA program text.</summary>
    [JsonPropertyName("program")]
    public string? Program { get; init; }

    /// <summary><c>sqlite</c> (default), <c>filesystem</c>, <c>hybrid</c> or <c>none</c>.</summary>
    [JsonPropertyName("storage_backend")]
    public string? StorageBackend { get; init; }

    /// <summary>Store folder, relative to the server's data root (default <c>./voxlogica_storage</c>).</summary>
    [JsonPropertyName("storage_path")]
    public string? StoragePath { get; init; }

    [JsonPropertyName("max_concurrent_nodes")]
    public int? MaxConcurrentNodes { get; init; }

    /// <summary>False (default): answer with the goal results; true: answer at once with the execution id.</summary>
    [JsonPropertyName("async_execution")]
    public bool? AsyncExecution { get; init; }

    [JsonPropertyName("max_retries")]
    public int? MaxRetries { get; init; }

    [JsonPropertyName("retry_failed_nodes")]
    public bool? RetryFailedNodes { get; init; }

    /// <summary>Seconds before the first retry (default 1).</summary>
    [JsonPropertyName("retry_base_delay_seconds")]
    public double? RetryBaseDelaySeconds { get; init; }

    /// <summary>Each retry waits this many times longer than the one before (default 2).</summary>
    [JsonPropertyName("retry_backoff_factor")]
    public double? RetryBackoffFactor { get; init; }

    /// <summary>No retry waits longer than this many seconds (default 60).</summary>
    [JsonPropertyName("retry_max_delay_seconds")]
    public double? RetryMaxDelaySeconds { get; init; }

    /// <summary>The kinds of failure retried: any of <c>operation</c>, <c>timeout</c>, <c>storage</c> (default all three; empty: none).</summary>
    [JsonPropertyName("retry_on")]
    public IReadOnlyList<string>? RetryOn { get; init; }

    [JsonPropertyName("cache_size")]
    public string? CacheSize { get; init; }

    /// <summary>Bytes of live values above which new work waits (0: none); default: the server's MemoryBudget.</summary>
    [JsonPropertyName("memory_budget")]
    public long? MemoryBudget { get; init; }

    /// <summary>Compress this execution's stored results (default true).</summary>
    [JsonPropertyName("compression")]
    public bool? Compression { get; init; }

    /// <summary>The codec of this execution's compressed results: <c>lz4</c> (default), <c>brotli</c> or <c>none</c>.</summary>
    [JsonPropertyName("compression_codec")]
    public string? CompressionCodec { get; init; }

    /// <summary>This execution's results of at least this many bytes are streamed to the store (default 100 MiB).</summary>
    [JsonPropertyName("streaming_threshold")]
    public long? StreamingThreshold { get; init; }

    /// <summary>Per-node time limit in seconds.</summary>
    [JsonPropertyName("node_timeout_seconds")]
    public double? NodeTimeoutSeconds { get; init; }

    /// <summary>Wall-clock limit of the whole execution in seconds (at most the server's <c>MaxExecutionSeconds</c>); past it the execution is cancelled.</summary>
    [JsonPropertyName("timeout_seconds")]
    public double? TimeoutSeconds { get; init; }

    /// <summary>A name to find the execution by (unique among running executions).</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }
}
