using System.Collections;
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
/// arguments and the <c>$using:</c> values captured when it was registered (part of its
/// revision, so another captured value is another result id), never the caller's other
/// variables; it runs under <c>Set-StrictMode -Version Latest</c>, so reading a variable that
/// was never set fails the node instead of silently reading $null.
/// </summary>
internal sealed class ScriptOperation : Operation
{
    private static readonly Lazy<RunspacePool> s_pool = new(CreatePool, LazyThreadSafetyMode.ExecutionAndPublication);

    // Runs the operation's script in a scope of its own under strict mode; $__VoxUsing holds the
    // captured $using: values the rewritten script reads (dynamic scoping makes it visible there).
    private const string Wrapper = """
        param([string] $__VoxScript, [hashtable] $__VoxUsing, [object[]] $__VoxArguments)
        Set-StrictMode -Version Latest
        & ([scriptblock]::Create($__VoxScript)) @__VoxArguments
        """;

    private readonly string _script;
    private readonly string _runnable;
    private readonly Hashtable _using;

    public ScriptOperation(string name, string script, int minArity, int maxArity, int revision, Purity purity, string description)
        : this(name, script, script, new Hashtable(StringComparer.OrdinalIgnoreCase), minArity, maxArity, revision, purity, description)
    {
    }

    // runnable: the script with every $using: rewritten to read usingValues (UsingCapture).
    public ScriptOperation(string name, string script, string runnable, Hashtable usingValues, int minArity, int maxArity, int revision, Purity purity, string description)
        : base(name, minArity, maxArity, revision, purity, description)
    {
        _script = script;
        _runnable = runnable;
        _using = usingValues;
    }

    /// <summary>The script's text.</summary>
    public string Script => _script;

    /// <summary>
    /// A revision derived from the script text (and the identity of its captured <c>$using:</c>
    /// values), so editing the script or capturing another value changes the ids of the nodes using it.
    /// </summary>
    public static int RevisionOf(string script, string capturedIdentity = "")
    {
        var text = capturedIdentity.Length == 0 ? script.Trim() : script.Trim() + "\n#using\n" + capturedIdentity;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return (int)(BitConverter.ToUInt32(hash, 0) & 0x3FFF_FFFF) + 1;
    }

    /// <inheritdoc />
    public override async ValueTask<OperationResult> ExecuteAsync(OperationContext context)
    {
        using var ps = PowerShell.Create();
        ps.RunspacePool = s_pool.Value;
        ps.AddScript(Wrapper, useLocalScope: true);
        ps.AddArgument(_runnable);
        ps.AddArgument(_using);
        ps.AddArgument(context.Arguments.ToArray());

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
