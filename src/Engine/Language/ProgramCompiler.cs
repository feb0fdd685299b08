using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using VoxScheduler.Dag;
using VoxScheduler.Language.Reduction;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language;

/// <summary>Parses and reduces VoxLogicA programs (docs/language.md) to DAGs.</summary>
public static class ProgramCompiler
{
    /// <summary>Stack of the compiling thread: deep (but bounded) nesting is parsed and reduced recursively.</summary>
    private const int CompilerStackSize = 256 * 1024 * 1024;

    /// <summary>Programs at least this long (characters) are parsed and reduced at the same time.</summary>
    internal const int PipelineThreshold = 64 * 1024;

    /// <summary>Commands handed from the parser to the reducer at a time.</summary>
    private const int PipelineBatch = 256;

    /// <summary>The file name used in diagnostics for program text.</summary>
    public const string ProgramTextName = "<program>";

    /// <summary>Reduces program text.</summary>
    /// <exception cref="ValidationException">Syntax or reduction errors, all of them, each with file:line:col.</exception>
    /// <exception cref="BudgetExceededException">The reduction went past <see cref="CompileOptions.MaxNodes"/> or <see cref="CompileOptions.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while compiling.</exception>
    public static CompiledProgram Compile(string source, OperationRegistry operations, CompileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(operations);
        options ??= new CompileOptions();
        ValidateBudget(options);
        cancellationToken.ThrowIfCancellationRequested();
        return OnCompilerThread(() => CompileCore(source, operations, options, cancellationToken));
    }

    /// <summary>Reads and reduces a program file.</summary>
    /// <exception cref="ValidationException">Unreadable file, syntax or reduction errors.</exception>
    public static CompiledProgram CompileFile(string path, OperationRegistry operations, CompileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(operations);
        options ??= new CompileOptions();
        var full = Path.GetFullPath(Path.Combine(options.WorkingDirectory, path));
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ValidationException([new ValidationProblem("UnreadableProgram", $"{path}: cannot read the program: {e.Message}", path)]);
        }

        return Compile(text, operations, options with { FilePath = path }, cancellationToken);
    }

    private static void ValidateBudget(CompileOptions options)
    {
        if (options.MaxNodes < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxNodes, "CompileOptions.MaxNodes must be positive.");
        if (options.Timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), t, "CompileOptions.Timeout must be positive.");
    }

    private static CompiledProgram CompileCore(string source, OperationRegistry operations, CompileOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var display = options.FilePath ?? ProgramTextName;
        string? fullPath = null;
        if (options.FilePath is not null)
        {
            fullPath = Path.GetFullPath(Path.Combine(options.WorkingDirectory, options.FilePath));
        }

        // About one node per 16 characters of source (a declaration like "let f9 = (f8 + f7) % 97"
        // makes two): tables sized once instead of grown by doubling, without reserving for
        // nodes that never come. Denser programs grow them as usual.
        var expectedNodes = Math.Max(16, source.Length / 16);
        var builder = new DagBuilder(expectedNodes);
        var diagnostics = new Diagnostics();
        var budget = new CompileBudget(options.MaxNodes, options.Timeout, cancellationToken);
        var reducer = new Reducer(builder, operations, diagnostics, options, budget, expectedNodes);
        var scope = reducer.CreateFileScope(display, fullPath);
        if (source.Length < PipelineThreshold)
        {
            var commands = Parser.ParseProgram(source, display, diagnostics);
            diagnostics.ThrowIfAny(); // reduction errors after a syntax error would mostly be echoes of it
            reducer.ReduceProgram(commands, scope);
        }
        else
        {
            ParseWhileReducing(source, display, reducer, scope);
        }

        reducer.CheckParameters(display);
        diagnostics.ThrowIfAny();

        var metadata = new Dictionary<string, object?>
        {
            ["source"] = options.FilePath ?? "program text",
            ["language"] = "voxlogica",
        };
        var dag = builder.Build(metadata: metadata);
        return new CompiledProgram(dag, clock.Elapsed);
    }

    /// <summary>
    /// A large program is parsed on a second thread while the commands parsed so far are reduced
    /// (reduction, which hashes every node, is the longer half). Only syntax errors are reported
    /// when there are any, as in the sequential path: reduction problems found meanwhile would
    /// mostly be echoes of them.
    /// </summary>
    private static void ParseWhileReducing(string source, string display, Reducer reducer, FileScope scope)
    {
        var parseDiagnostics = new Diagnostics();
        using var stop = new CancellationTokenSource();
        using var batches = new BlockingCollection<List<Command>>(boundedCapacity: 64);
        ExceptionDispatchInfo? parseFailure = null;
        var parser = new Thread(() =>
        {
            try
            {
                Parser.ParseProgram(source, display, parseDiagnostics, batch => batches.Add(batch, stop.Token), PipelineBatch);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The reducer failed and stopped consuming; its exception is the one reported.
            }
            catch (Exception e)
            {
                parseFailure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                batches.CompleteAdding();
            }
        }, CompilerStackSize)
        {
            Name = "VoxLogicA parser",
            IsBackground = true,
        };
        parser.Start();
        try
        {
            reducer.BeginProgram(scope);
            foreach (var batch in batches.GetConsumingEnumerable())
            {
                reducer.ReduceMainCommands(batch, scope);
            }
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            parser.Join();
        }

        parseFailure?.Throw();
        parseDiagnostics.ThrowIfAny();
    }

    /// <summary>Runs the compiler on a thread with a large stack; exceptions surface to the caller unchanged.</summary>
    private static T OnCompilerThread<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, CompilerStackSize)
        {
            Name = "VoxLogicA compiler",
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
