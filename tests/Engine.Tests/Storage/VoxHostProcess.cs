using System.Diagnostics;
using System.Threading.Channels;

namespace VoxScheduler.Tests.Storage;

/// <summary>A running tests/VoxHost child process (started with <c>dotnet VoxHost.dll</c>), its stdout as lines.</summary>
internal sealed class VoxHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly System.Text.StringBuilder _stderr = new();

    private VoxHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.Writer.TryComplete();
            else _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data);
        };
    }

    /// <summary>The built VoxHost dll: tests/VoxHost/bin/{configuration}/{tfm}/ next to this test project's output.</summary>
    public static string HostDll
    {
        get
        {
            var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var tfm = Path.GetFileName(testBin);
            var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
            var testsFolder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(testBin)!)!)!)!;
            var dll = Path.Combine(testsFolder, "VoxHost", "bin", configuration, tfm, "VoxHost.dll");
            Assert.True(File.Exists(dll), $"VoxHost is not built at {dll} (it is built with the test project)");
            return dll;
        }
    }

    public static VoxHostProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HostDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var host = new VoxHostProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var received in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (received == line) return;
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Fail($"VoxHost did not print '{line}' within {timeout}; stderr: {Stderr}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the redirected streams
        if (_process.ExitCode != 0) Assert.Fail($"VoxHost exited with {_process.ExitCode}; stderr: {Stderr}");
        return _process.ExitCode;
    }

    private string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
