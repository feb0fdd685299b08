using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using System.Text;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// A script block registered as an operation. It runs in a process-wide runspace pool (never in
/// the caller's runspace, which is busy running the pipeline), receives the node's argument
/// values as positional arguments, and its output becomes the node's value (one object: that
/// value; several: a sequence). The script text is re-parsed in the pool, so it sees only its
/// arguments, not the caller's variables.
/// </summary>
internal sealed class ScriptOperation : Operation
{
    private static readonly Lazy<RunspacePool> s_pool = new(CreatePool, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _script;

    public ScriptOperation(string name, string script, int minArity, int maxArity, int revision, Purity purity, string description)
        : base(name, minArity, maxArity, revision, purity, description)
    {
        _script = script;
    }

    /// <summary>The script's text.</summary>
    public string Script => _script;

    /// <summary>A revision derived from the script text, so editing the script changes the ids of the nodes using it.</summary>
    public static int RevisionOf(string script)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(script.Trim()));
        return (int)(BitConverter.ToUInt32(hash, 0) & 0x3FFF_FFFF) + 1;
    }

    /// <inheritdoc />
    public override async ValueTask<OperationResult> ExecuteAsync(OperationContext context)
    {
        using var ps = PowerShell.Create();
        ps.RunspacePool = s_pool.Value;
        ps.AddScript(_script, useLocalScope: true);
        foreach (var argument in context.Arguments)
        {
            ps.AddArgument(argument);
        }

        // Cancellation (execution stopped, node timeout) stops the script.
        using var registration = context.CancellationToken.Register(static state => ((PowerShell)state!).BeginStop(null, null), ps);
        PSDataCollection<PSObject> output;
        try
        {
            output = await Task.Factory.FromAsync(ps.BeginInvoke(), ps.EndInvoke).ConfigureAwait(false);
        }
        catch (PipelineStoppedException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(context.CancellationToken);
        }
        catch (RuntimeException e)
        {
            throw context.Fail(e.Message);
        }

        if (ps.Streams.Error.Count > 0)
        {
            throw context.Fail(ps.Streams.Error[0].ToString());
        }

        object? value;
        try
        {
            value = output.Count switch
            {
                0 => null,
                1 => PSValue.ToRuntime(output[0]),
                _ => output.Select(o => PSValue.ToRuntime(o)).ToArray(),
            };
        }
        catch (ArgumentException e)
        {
            throw context.Fail($"the script's output cannot be a result: {e.Message}");
        }

        return OperationResult.FromValue(value);
    }

    private static RunspacePool CreatePool()
    {
        var pool = RunspaceFactory.CreateRunspacePool(InitialSessionState.CreateDefault2());
        pool.SetMinRunspaces(1);
        pool.SetMaxRunspaces(Math.Max(2, Environment.ProcessorCount));
        pool.ThreadOptions = PSThreadOptions.ReuseThread;
        pool.Open();
        return pool;
    }
}
