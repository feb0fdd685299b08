using System.Globalization;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Server.Dtos;
using VoxScheduler.Values;

namespace VoxScheduler.Server;

/// <summary>Turns engine objects into the snake_case DTOs of the REST API.</summary>
internal sealed class DtoMapper(ServerOptions options, string dataRoot)
{
    public static string Text(ExecutionStatus status) => status.ToString().ToLowerInvariant();

    public static string Text(NodeStatus status) => status.ToString().ToLowerInvariant();

    public static string Text(GoalKind kind) => kind.ToString().ToLowerInvariant();

    public static string Text(DataType type) => type switch
    {
        DataType.LargeObject => "large_object",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static string Text(Purity purity) => purity switch
    {
        Purity.ReadsFiles => "reads_files",
        Purity.NonDeterministic => "non_deterministic",
        _ => "pure",
    };

    public static ProgressDto ToProgress(ExecutionProgress p) => new()
    {
        ExecutionId = p.ExecutionId,
        DagId = p.DagId,
        Status = Text(p.Status),
        TotalNodes = p.TotalNodes,
        CompletedNodes = p.CompletedNodes,
        ComputedNodes = p.ComputedNodes,
        MemoryUsageBytes = p.AllocatedBytes,
        FailedNodes = p.FailedNodes,
        RunningNodes = p.RunningNodes,
        PendingNodes = p.PendingNodes,
        ReadyNodes = p.ReadyNodes,
        CachedNodes = p.CachedNodes,
        SkippedNodes = p.SkippedNodes,
        ProgressPercentage = p.Status.IsTerminal() ? 100 : Math.Round(p.ProgressPercentage, 2),
        NodesPerSecond = Math.Round(p.NodesPerSecond, 3),
        ElapsedSeconds = Math.Round(p.Elapsed.TotalSeconds, 3),
        EstimatedRemainingSeconds = p.EstimatedRemaining is { } r ? Math.Round(r.TotalSeconds, 3) : null,
        EstimatedCompletion = p.EstimatedCompletion?.ToString("O", CultureInfo.InvariantCulture),
        LiveBytes = p.LiveBytes,
        PeakLiveBytes = p.PeakLiveBytes,
        MemoryBudget = p.MemoryBudget,
    };

    public GoalDto ToGoal(string executionId, GoalResult g)
    {
        var hasValue = g.Succeeded;
        var omitted = false;
        System.Text.Json.Nodes.JsonNode? value = null;
        if (hasValue)
        {
            // Large objects arrive without a decoded value: they are only served as a stream.
            if (g.Value is null && g.DataType == DataType.LargeObject)
                omitted = true;
            // A cluster run's value above the inline bound is not read from the store for an answer: only linked.
            else if (g.Value is null && g.Size > options.MaxInlineBytes)
                omitted = true;
            else
                value = ValueJson.ToJson(g.Value, options.MaxInlineBytes, out omitted);
        }

        return new GoalDto
        {
            Name = g.Name,
            Kind = Text(g.Kind),
            Ordinal = g.Ordinal,
            NodeId = g.NodeId.ToString(),
            Status = Text(g.Status),
            DataType = hasValue ? Text(g.DataType) : null,
            Size = g.Size,
            Value = value,
            Encoding = hasValue && !omitted && (g.Value is byte[] || (g.DataType is DataType.Binary or DataType.LargeObject && g.Value is not Images.Image)) ? "base64" : null,
            ValueOmitted = omitted,
            Error = Redact(g.Error),
            DurationMs = Math.Round(g.Duration.TotalMilliseconds, 3),
            MemoryUsageBytes = g.AllocatedBytes,
            Path = g.Path is { } p ? RelativeToDataRoot(p) : null,
            ContentUrl = hasValue ? ContentUrl(executionId, g.Ordinal) : null,
        };
    }

    public ExecutionResultDto ToResult(ServerRun run) => new()
    {
        ExecutionId = run.Execution.ExecutionId,
        Status = Text(run.Execution.Status),
        Goals = run.Execution.GetGoalResults().Select(g => ToGoal(run.Execution.ExecutionId, g)).ToList(),
        Progress = ToProgress(run.Execution.GetProgress()),
        Error = Redact(run.Execution.Error),
        OutputFolder = RelativeToDataRoot(run.OutputFolder),
    };

    public ExecutionSummaryDto ToSummary(ServerRun run) => new()
    {
        ExecutionId = run.Execution.ExecutionId,
        Name = run.Execution.Name,
        DagId = run.Execution.DagId,
        Status = Text(run.Execution.Status),
        SubmittedAt = run.Execution.SubmittedAt,
        CompletedAt = run.Execution.CompletedAt,
        StorageBackend = run.Execution.Config.StorageBackend,
        StoragePath = run.StoragePath is { } s ? StorePathText(run.Execution.Config.StorageBackend, s) : null,
        Progress = ToProgress(run.Execution.GetProgress()),
        Links = ExecutionLinks.For(run.Execution.ExecutionId),
        Error = Redact(run.Execution.Error),
        Coordinator = Coordinator(run.Execution),
    };

    /// <summary>The silo coordinating a cluster run; null for a run on this server.</summary>
    public static string? Coordinator(IExecution execution) => (execution as RemoteExecution)?.Coordinator;

    public ExecutionEventDto ToEvent(ExecutionEvent e) => e.Kind switch
    {
        ExecutionEventKind.NodeFinished or ExecutionEventKind.NodeRetrying => new ExecutionEventDto
        {
            Event = e.Kind == ExecutionEventKind.NodeFinished ? "node-finished" : "node-retrying",
            ExecutionId = e.ExecutionId,
            At = e.At,
            NodeId = e.NodeId.IsEmpty ? null : e.NodeId.ToString(),
            Operator = e.Operator,
            NodeStatus = Text(e.NodeStatus),
            Error = Redact(e.Error),
            DurationMs = Math.Round(e.Duration.TotalMilliseconds, 3),
            MemoryUsageBytes = e.Kind == ExecutionEventKind.NodeFinished ? e.AllocatedBytes : null,
            Attempt = e.Kind == ExecutionEventKind.NodeRetrying ? e.Attempt : null,
        },
        ExecutionEventKind.GoalFinished => new ExecutionEventDto
        {
            Event = "goal-finished",
            ExecutionId = e.ExecutionId,
            At = e.At,
            Goal = e.Goal is { } g ? ToGoal(e.ExecutionId, g) : null,
        },
        ExecutionEventKind.ExecutionFinished => new ExecutionEventDto
        {
            Event = "execution-finished",
            ExecutionId = e.ExecutionId,
            At = e.At,
            Progress = e.Progress is { } p ? ToProgress(p) : null,
            Status = e.Progress is { } q ? Text(q.Status) : null,
        },
        _ => new ExecutionEventDto
        {
            Event = "progress",
            ExecutionId = e.ExecutionId,
            At = e.At,
            Progress = e.Progress is { } p ? ToProgress(p) : null,
        },
    };

    public static OperationDto ToOperation(Operation op) => new()
    {
        Name = op.Name,
        Namespace = op.Namespace,
        ShortName = op.ShortName,
        MinArity = op.MinArity,
        MaxArity = op.MaxArity,
        Arity = op.ArityText,
        Revision = op.Revision,
        Purity = Text(op.Purity),
        Description = op.Description,
    };

    public static string ContentUrl(string executionId, int ordinal) =>
        $"/api/v1/execution/{Uri.EscapeDataString(executionId)}/results/{ordinal.ToString(CultureInfo.InvariantCulture)}/content";

    /// <summary>Messages name the data root as <c>&lt;data-root&gt;</c>, so they do not reveal the server's folder layout.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(message))]
    public string? Redact(string? message) =>
        message is null ? null : message.Replace(dataRoot, "<data-root>", OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Paths are shown relative to the data root, so responses do not reveal the server's folder layout.</summary>
    /// <summary>How a store's location is shown to clients: a postgres namespace as it is, a folder relative to the data root.</summary>
    public string StorePathText(string backend, string location) =>
        ExecutionHost.IsPostgres(backend) ? location : RelativeToDataRoot(location);

    public string RelativeToDataRoot(string path)
    {
        var full = Path.GetFullPath(path, dataRoot);
        return PathConfinement.IsInside(dataRoot, full)
            ? Path.GetRelativePath(dataRoot, full).Replace(Path.DirectorySeparatorChar, '/')
            : Path.GetFileName(full);
    }
}
