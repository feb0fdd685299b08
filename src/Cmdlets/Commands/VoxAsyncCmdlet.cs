using System.Management.Automation;
using System.Threading.Channels;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// Base of the streaming cmdlets. Engine work runs on the thread pool and posts what it wants
/// written to a bounded channel; the pipeline thread drains the channel and makes the real
/// <c>Write*</c> calls (PowerShell throws when they come from any other thread). The
/// bound applies back-pressure when the consumer is slow (e.g. a pipe into Out-Host).
/// </summary>
public abstract class VoxAsyncCmdlet : VoxCmdletBase
{
    private const int QueueCapacity = 256;

    /// <summary>
    /// Runs <paramref name="body"/> on the thread pool and drains what it posts on the calling
    /// (pipeline) thread until it returns. A stop cancels the token given to the body and ends
    /// the drain with <see cref="PipelineStoppedException"/>; exceptions of the body surface here,
    /// on the pipeline thread.
    /// </summary>
    internal void RunAndDrain(Func<IPipelineSink, CancellationToken, Task> body)
    {
        var channel = Channel.CreateBounded<PipelineRecord>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var sink = new ChannelSink(channel.Writer);

        // The body also ends when the drain ends early (a downstream Select-Object -First, a
        // failing write), so it never waits for ever on a channel nobody reads.
        using var drainEnded = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        var token = drainEnded.Token;
        var work = Task.Run(async () =>
        {
            try
            {
                await body(sink, token).ConfigureAwait(false);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        var reader = channel.Reader;
        try
        {
            while (reader.WaitToReadAsync(token).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var record))
                {
                    Dispatch(record);
                }
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            drainEnded.Cancel();
            throw new PipelineStoppedException();
        }
        catch
        {
            drainEnded.Cancel();
            throw;
        }

        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (TerminatingErrorException e)
        {
            ThrowTerminatingError(e.ErrorRecord);
        }
    }

    private void Dispatch(PipelineRecord record)
    {
        switch (record.Kind)
        {
            case PipelineRecordKind.Output:
                WriteObject(record.Payload);
                break;
            case PipelineRecordKind.Error:
                WriteError((ErrorRecord)record.Payload!);
                break;
            case PipelineRecordKind.Progress:
                WriteProgress((ProgressRecord)record.Payload!);
                break;
            case PipelineRecordKind.Verbose:
                WriteVerbose((string)record.Payload!);
                break;
            case PipelineRecordKind.Warning:
                WriteWarning((string)record.Payload!);
                break;
        }
    }

    private enum PipelineRecordKind
    {
        Output,
        Error,
        Progress,
        Verbose,
        Warning,
    }

    private readonly record struct PipelineRecord(PipelineRecordKind Kind, object? Payload);

    private sealed class ChannelSink(ChannelWriter<PipelineRecord> writer) : IPipelineSink
    {
        public ValueTask OutputAsync(object? value, CancellationToken cancellationToken) =>
            writer.WriteAsync(new(PipelineRecordKind.Output, value), cancellationToken);

        public ValueTask ErrorAsync(ErrorRecord error, CancellationToken cancellationToken) =>
            writer.WriteAsync(new(PipelineRecordKind.Error, error), cancellationToken);

        public ValueTask ProgressAsync(ProgressRecord progress, CancellationToken cancellationToken) =>
            writer.WriteAsync(new(PipelineRecordKind.Progress, progress), cancellationToken);

        public ValueTask VerboseAsync(string message, CancellationToken cancellationToken) =>
            writer.WriteAsync(new(PipelineRecordKind.Verbose, message), cancellationToken);

        public ValueTask WarningAsync(string message, CancellationToken cancellationToken) =>
            writer.WriteAsync(new(PipelineRecordKind.Warning, message), cancellationToken);
    }

    /// <summary>Thrown by a body to end the call with a terminating error, raised on the pipeline thread.</summary>
    internal sealed class TerminatingErrorException(ErrorRecord errorRecord) : Exception(errorRecord.Exception.Message)
    {
        public ErrorRecord ErrorRecord { get; } = errorRecord;
    }
}
