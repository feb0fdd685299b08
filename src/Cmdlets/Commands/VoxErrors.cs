using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// The module's error records: stable, non-localised <c>Vox…</c> ids, the matching category and
/// the offending object as target, so scripts can rely on <c>FullyQualifiedErrorId</c>.
/// </summary>
internal static class VoxErrors
{
    public const string ExecutionNotFound = "VoxExecutionNotFound";
    public const string ProgramInvalid = "VoxProgramInvalid";
    public const string ProgramNotFound = "VoxProgramNotFound";
    public const string DagInvalid = "VoxDagInvalid";
    public const string StoreUnavailable = "VoxStoreUnavailable";
    public const string StoreCorrupt = "VoxStoreCorrupt";
    public const string SubmitFailed = "VoxSubmitFailed";
    public const string ResultNotFound = "VoxResultNotFound";
    public const string GoalFailed = "VoxGoalFailed";
    public const string OperationExists = "VoxOperationExists";
    public const string OperationInvalid = "VoxOperationInvalid";
    public const string OperationNotFound = "VoxOperationNotFound";
    public const string ParameterConflict = "VoxParameterConflict";
    public const string ConfigInvalid = "VoxConfigInvalid";
    public const string ItemNotFound = "VoxItemNotFound";
    public const string PathAmbiguous = "VoxPathAmbiguous";
    public const string SaveFailed = "VoxSaveFailed";
    public const string NotSupported = "VoxNotSupported";
    public const string ExecutionNotLocal = "VoxExecutionNotLocal";
    public const string DiagramTooLarge = "VoxDiagramTooLarge";
    public const string ProgramParameterInvalid = "VoxProgramParameterInvalid";
    public const string ExecutionRunning = "VoxExecutionRunning";
    public const string ExecutionNameTaken = "VoxExecutionNameTaken";
    public const string ClusterUnavailable = "VoxClusterUnavailable";
    public const string ClusterNotConnected = "VoxClusterNotConnected";

    public static ErrorRecord Create(string id, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        new(new VoxCmdletException(message, inner), id, category, target);

    /// <summary>
    /// The non-terminating error of a goal without a value (failed, or skipped after a failed
    /// dependency), so -ErrorAction, $?, try/catch and exit codes see it; the result object is
    /// still written. The message names the goal and the engine's text, which names the failed
    /// node's operator (or user name) and its message.
    /// </summary>
    public static ErrorRecord GoalFailure(Output.VoxResult result)
    {
        var what = result.Status == Execution.NodeStatus.Skipped ? "was skipped" : "failed";
        // The engine refuses writes outside the output root without knowing the cmdlets; the
        // module names the switch that allows them.
        var hint = result.Error.Contains("outside the output root", StringComparison.Ordinal)
            ? " (Submit-VoxDag -AllowWritesOutsideLocation allows save goals to write there.)" : string.Empty;
        var record = Create(GoalFailed, ErrorCategory.InvalidResult, result,
            $"Goal '{result.Goal}' of execution {result.ExecutionId} {what}: {result.Error}{hint}");
        record.ErrorDetails = new ErrorDetails(record.Exception.Message)
        {
            RecommendedAction = "Read the result's Error; fix the program or its inputs and submit again (completed nodes are reused).",
        };
        return record;
    }

    /// <summary>True for a goal result that must also be reported as an error.</summary>
    public static bool IsGoalFailure(Output.VoxResult result) =>
        result.Status is Execution.NodeStatus.Failed or Execution.NodeStatus.Skipped;

    public static ErrorRecord NotFound(string what, object target) =>
        Create(ExecutionNotFound, ErrorCategory.ObjectNotFound, target,
            $"No execution '{what}' was found in this process or in the store's history.");

    /// <summary>Maps an engine exception to a record with the id and category it deserves.</summary>
    public static ErrorRecord FromException(Exception exception, object? target, string fallbackId = SubmitFailed) => exception switch
    {
        StorageCorruptionException e => new ErrorRecord(e, StoreCorrupt, ErrorCategory.InvalidData, target),
        StorageException e => new ErrorRecord(e, StoreUnavailable, ErrorCategory.ResourceUnavailable, target),
        ValidationException e => new ErrorRecord(e, DagInvalid, ErrorCategory.InvalidData, target),
        SchedulingException e => new ErrorRecord(e, fallbackId, ErrorCategory.InvalidOperation, target),
        NodeExecutionException e => new ErrorRecord(e, GoalFailed, ErrorCategory.InvalidResult, target),
        ArgumentException e => new ErrorRecord(e, fallbackId, ErrorCategory.InvalidArgument, target),
        UnauthorizedAccessException e => new ErrorRecord(e, StoreUnavailable, ErrorCategory.PermissionDenied, target),
        IOException e => new ErrorRecord(e, StoreUnavailable, ErrorCategory.ResourceUnavailable, target),
        _ => new ErrorRecord(exception, fallbackId, ErrorCategory.NotSpecified, target),
    };

    /// <summary>At most this many problems of one program or DAG are written as records (then one with the count).</summary>
    public const int MaxReportedProblems = 20;

    /// <summary>One record per problem of a rejected program or DAG, each with its own location (the first <see cref="MaxReportedProblems"/>).</summary>
    public static IEnumerable<ErrorRecord> FromValidation(ValidationException exception, string id, object? target)
    {
        // One id per cause: a name already running and a bad setting are not a bad DAG.
        if (exception.Problems.Count > 0 && exception.Problems.All(p => p.Code == "DuplicateExecutionName")) id = ExecutionNameTaken;
        else if (exception.Problems.Count > 0 && exception.Problems.All(p => p.Code == "InvalidConfig")) id = ConfigInvalid;

        if (exception.Problems.Count == 0)
        {
            yield return new ErrorRecord(exception, id, ErrorCategory.InvalidData, target);
            yield break;
        }

        var shown = 0;
        foreach (var problem in exception.Problems)
        {
            if (shown++ == MaxReportedProblems)
            {
                // A flood (a file that is not a program at all) is cut short: the first ones and a count.
                var more = exception.Problems.Count - MaxReportedProblems;
                var summary = new ErrorRecord(new VoxValidationException(new ValidationProblem("TooManyProblems",
                        $"... and {more} more problem(s), {exception.Problems.Count} in all; fix the first ones and submit again.")),
                    id, ErrorCategory.InvalidData, target);
                yield return summary;
                yield break;
            }

            // The engine says what is refused without knowing the cmdlets; the module names its switch.
            var explained = problem.Code == "PathOutsideOutputRoot"
                ? problem with { Message = problem.Message + " (Submit-VoxDag -AllowWritesOutsideLocation allows save goals to write there)" }
                : problem;
            var record = new ErrorRecord(new VoxValidationException(explained), id, ErrorCategory.InvalidData, problem.File ?? target);
            if (problem.File is not null || problem.Line > 0)
            {
                record.ErrorDetails = new ErrorDetails(problem.Message)
                {
                    RecommendedAction = "Fix the program at the location shown and submit it again.",
                };
            }

            yield return record;
        }
    }
}
