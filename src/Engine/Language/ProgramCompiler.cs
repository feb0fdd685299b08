using System.Diagnostics;
using System.Runtime.ExceptionServices;
using VoxScheduler.Dag;
using VoxScheduler.Language.Reduction;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language;

/// <summary>Parses and reduces VoxLogicA programs (LANGUAGE.md) to DAGs.</summary>
public static class ProgramCompiler
{
    /// <summary>Stack of the compiling thread: deep (but bounded) nesting is parsed and reduced recursively.</summary>
    private const int CompilerStackSize = 256 * 1024 * 1024;

    /// <summary>The file name used in diagnostics for program text.</summary>
    public const string ProgramTextName = "<program>";

    /// <summary>Reduces program text.</summary>
    /// <exception cref="ValidationException">Syntax or reduction errors, all of them, each with file:line:col.</exception>
    public static CompiledProgram Compile(string source, OperationRegistry operations, CompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(operations);
        options ??= new CompileOptions();
        return OnCompilerThread(() => CompileCore(source, operations, options));
    }

    /// <summary>Reads and reduces a program file.</summary>
    /// <exception cref="ValidationException">Unreadable file, syntax or reduction errors.</exception>
    public static CompiledProgram CompileFile(string path, OperationRegistry operations, CompileOptions? options = null)
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

        return Compile(text, operations, options with { FilePath = path });
    }

    private static CompiledProgram CompileCore(string source, OperationRegistry operations, CompileOptions options)
    {
        var clock = Stopwatch.StartNew();
        var display = options.FilePath ?? ProgramTextName;
        string? fullPath = null;
        if (options.FilePath is not null)
        {
            fullPath = Path.GetFullPath(Path.Combine(options.WorkingDirectory, options.FilePath));
        }

        var diagnostics = new Diagnostics();
        var commands = Parser.ParseProgram(source, display, diagnostics);
        diagnostics.ThrowIfAny(); // reduction errors after a syntax error would mostly be echoes of it

        // About one node per 16 characters of source (a declaration like "let f9 = (f8 + f7) % 97"
        // makes two): tables sized once instead of grown by doubling, without reserving for
        // nodes that never come. Denser programs grow them as usual.
        var expectedNodes = Math.Max(16, source.Length / 16);
        var builder = new DagBuilder(expectedNodes);
        var reducer = new Reducer(builder, operations, diagnostics, options, expectedNodes);
        var scope = reducer.CreateFileScope(display, fullPath);
        reducer.ReduceProgram(commands, scope);
        diagnostics.ThrowIfAny();

        var metadata = new Dictionary<string, object?>
        {
            ["source"] = options.FilePath ?? "program text",
            ["language"] = "voxlogica",
        };
        var dag = builder.Build(metadata: metadata);
        return new CompiledProgram(dag, clock.Elapsed);
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
