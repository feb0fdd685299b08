using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace VoxScheduler.Tests.Support;

/// <summary>
/// A real child process (<c>dotnet VoxHost.dll mode …</c>, or any command) whose output lines
/// the test awaits with a timeout, and which the test can kill hard: Process.Kill with the
/// whole tree is SIGKILL on Unix, TerminateProcess on Windows — no finalizers, no flush.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<(string Line, DateTime At)> _errorLines = Channel.CreateUnbounded<(string, DateTime)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<string> _output = [];
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(ProcessStartInfo info)
    {
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                _outputClosed.TrySetResult();
                return;
            }

            lock (_output) _output.Add(e.Data);
            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _errorLines.Writer.TryComplete();
                _errorClosed.TrySetResult();
                return;
            }

            lock (_error) _error.AppendLine(e.Data);
            _errorLines.Writer.TryWrite((e.Data, DateTime.UtcNow));
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Description = $"{info.FileName} {string.Join(' ', info.ArgumentList)}";
    }

    /// <summary>The command line, for messages.</summary>
    public string Description { get; }

    /// <summary>The OS process id.</summary>
    public int Id => _process.Id;

    /// <summary>Every stdout line so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return _output.ToArray();
        }
    }

    /// <summary>Everything written to stderr so far.</summary>
    public string Error
    {
        get
        {
            lock (_error) return _error.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet exec VoxHost.dll</c> with the given arguments.</summary>
    public static HostProcess StartVoxHost(params string[] arguments) =>
        Start(DotnetPath(), ["exec", VoxHostDll, .. arguments]);

    /// <summary>Starts <c>dotnet exec VoxHost.dll</c> with extra environment variables.</summary>
    public static HostProcess StartVoxHost(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(DotnetPath(), ["exec", VoxHostDll, .. arguments], environment: environment);

    /// <summary>Starts any program.</summary>
    public static HostProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach (var (k, v) in environment) info.Environment[k] = v;
        }

        return new HostProcess(info);
    }

    /// <summary>The <c>dotnet</c> executable running this test (so children use the same runtime).</summary>
    public static string DotnetPath()
    {
        var fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli)) return fromCli;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        return "dotnet";
    }

    /// <summary>The built VoxHost.dll (copied beside the tests by the project reference), or a clear error.</summary>
    public static string VoxHostDll
    {
        get
        {
            var candidates = new[]
            {
                Environment.GetEnvironmentVariable("VOX_HOST_DLL"),
                Path.Combine(AppContext.BaseDirectory, "VoxHost.dll"),
                Path.Combine(RepoPaths.Root, "tests", "VoxHost", "bin", RepoPaths.Configuration, "net10.0", "VoxHost.dll"),
            };
            foreach (var c in candidates)
            {
                if (!string.IsNullOrEmpty(c) && File.Exists(c) && File.Exists(Path.ChangeExtension(c, ".runtimeconfig.json"))) return c;
            }

            throw new InvalidOperationException("VoxHost.dll was not built; looked at: " + string.Join(", ", candidates.Where(c => c is not null)));
        }
    }

    /// <summary>Waits for a stdout line matching <paramref name="predicate"/>; null when the process ended without one.</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>.</exception>
    public async Task<string?> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (predicate(line)) return line;
                }
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching line from '{Description}' within {timeout}. Output so far:\n{Tail()}\nstderr:\n{Error}");
        }
    }

    /// <summary>
    /// Waits for a stderr line matching <paramref name="predicate"/> (lines are read once, in order)
    /// and returns it with the time it arrived; null when the process ended without one.
    /// </summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>.</exception>
    public async Task<(string Line, DateTime At)?> WaitForErrorLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _errorLines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_errorLines.Reader.TryRead(out var entry))
                {
                    if (predicate(entry.Line)) return entry;
                }
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching stderr line from '{Description}' within {timeout}. stderr:\n{Error}");
        }
    }

    /// <summary>True when a matching stdout line arrives within <paramref name="wait"/>; false when the time passes first (or the output ends).</summary>
    public async Task<bool> TryWaitForLineAsync(Func<string, bool> predicate, TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (predicate(line)) return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    /// <summary>Kills the process and its children at once (SIGKILL on Unix) and waits until it is gone.</summary>
    public async Task KillHardAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Waits for the process to exit and for its output to be drained; kills it and throws on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            await KillHardAsync();
            throw new TimeoutException($"'{Description}' did not exit within {timeout}. Output:\n{Tail()}\nstderr:\n{Error}");
        }

        return _process.ExitCode;
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 40)
    {
        var all = Output;
        return string.Join('\n', all.Skip(Math.Max(0, all.Count - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillHardAsync();
        }

        _process.Dispose();
    }
}
