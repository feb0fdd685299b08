using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>What engine-side code may do with the pipeline: post records, which the cmdlet writes on its own thread.</summary>
internal interface IPipelineSink
{
    ValueTask OutputAsync(object? value, CancellationToken cancellationToken);

    ValueTask ErrorAsync(ErrorRecord error, CancellationToken cancellationToken);

    ValueTask ProgressAsync(ProgressRecord progress, CancellationToken cancellationToken);

    ValueTask VerboseAsync(string message, CancellationToken cancellationToken);

    ValueTask WarningAsync(string message, CancellationToken cancellationToken);
}
