using System.Management.Automation;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Language;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// The DAG inputs shared by Submit-VoxDag, ConvertTo-VoxDag and Measure-VoxDag: program files
/// (wildcards, or FileInfo/PSPath from the pipeline), program text, a DAG object/hashtable/JSON,
/// or New-VoxNode objects collected from the pipeline.
/// </summary>
public abstract class VoxDagInputCmdlet : VoxAsyncCmdlet
{
    /// <summary>Program files with wildcards.</summary>
    protected const string PathSet = "Path";

    /// <summary>Program files taken literally (FileInfo objects from Get-ChildItem bind here through PSPath).</summary>
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>Program text.</summary>
    protected const string ProgramSet = "Program";

    /// <summary>A DAG object, hashtable or JSON text.</summary>
    protected const string DagSet = "Dag";

    /// <summary>Node objects from New-VoxNode.</summary>
    protected const string NodeSet = "Node";

    /// <summary>Anything from the pipeline: files, paths, JSON text, DAG objects, hashtables, node objects.</summary>
    protected const string InputObjectSet = "InputObject";

    private readonly List<VoxNode> _nodes = [];

    /// <summary>VoxLogicA program files (.imgql); wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>Program files taken literally; binds FileInfo objects from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>VoxLogicA program text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProgramSet)]
    [ValidateNotNullOrEmpty]
    public string Program { get; set; } = string.Empty;

    /// <summary>A DAG: the output of ConvertTo-VoxDag, a hashtable or custom object (dag_id, nodes, goals), or JSON text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DagSet)]
    [ValidateNotNull]
    public object Dag { get; set; } = null!;

    /// <summary>Nodes from New-VoxNode; together they form one DAG.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NodeSet)]
    [ValidateNotNull]
    public VoxNode[] Node { get; set; } = [];

    /// <summary>
    /// Pipeline input: FileInfo objects or path strings (programs), JSON text (starting with '{'),
    /// DAG objects or hashtables, or New-VoxNode objects (all collected into one DAG).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    /// <summary>With node objects: the nodes whose values are reported (default: nodes nothing depends on, or those made with -Goal).</summary>
    [Parameter(ParameterSetName = NodeSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Goal { get; set; }

    /// <summary>
    /// Program parameters, e.g. @{ threshold = 0.5 }: each replaces the program's top-level
    /// declaration of that name with the value (part of the node ids); a name the program does not
    /// declare is an error. Programs only: a DAG has no declarations.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public System.Collections.IDictionary? Parameter { get; set; }

    private IReadOnlyDictionary<string, object?>? _programParameters;

    /// <summary>Reads the DAGs of the current pipeline input (none yet for node objects, which are collected until the end).</summary>
    internal IEnumerable<DagInput> ReadInputs()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (var input in ReadFiles(ResolveFiles(Path, literal: false))) yield return input;
                break;
            case LiteralPathSet:
                foreach (var input in ReadFiles(ResolveFiles(LiteralPath, literal: true))) yield return input;
                break;
            case ProgramSet:
                if (CompileText(Program) is { } program) yield return program;
                break;
            case DagSet:
                if (ConvertDag(Dag) is { } dag) yield return dag;
                break;
            case NodeSet:
                _nodes.AddRange(Node);
                break;
            case InputObjectSet:
                foreach (var input in ReadPipelineObject(InputObject))
                {
                    yield return input;
                }

                break;
        }
    }

    // One funnel for pipeline input, so binding never has to choose between parameter sets.
    private IEnumerable<DagInput> ReadPipelineObject(object item)
    {
        var value = PSValue.Unwrap(item);
        switch (value)
        {
            case VoxNode node:
                _nodes.Add(node);
                break;
            case FileSystemInfo file:
                foreach (var input in ReadFiles(ResolveFiles([file.FullName], literal: true))) yield return input;
                break;
            case PathInfo pathInfo:
                foreach (var input in ReadFiles(ResolveFiles([pathInfo.ProviderPath], literal: true))) yield return input;
                break;
            case string text when text.TrimStart().StartsWith('{'):
                if (ConvertDag(text) is { } json) yield return json;
                break;
            case string text:
                foreach (var input in ReadText(text)) yield return input;
                break;
            default:
                if (PathProperty(item) is { } byName)
                {
                    foreach (var input in ReadFiles(ResolveFiles([byName.Path], byName.Literal))) yield return input;
                }
                else if (ConvertDag(item) is { } dag)
                {
                    yield return dag;
                }

                break;
        }
    }

    private IEnumerable<DagInput> ReadFiles(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            if (CompileFile(file) is { } input) yield return input;
        }
    }

    // Text from the pipeline: existing files (wildcards allowed) are programs to read; anything
    // else is program text, except a lone word that can only be a missing file (a clear error,
    // never a confusing syntax error or silence).
    private IEnumerable<DagInput> ReadText(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && !trimmed.Contains('\n', StringComparison.Ordinal) && ExistingFiles(trimmed) is { Count: > 0 } files)
        {
            foreach (var input in ReadFiles(files)) yield return input;
            yield break;
        }

        if (LooksLikePath(trimmed))
        {
            Error(VoxErrors.ProgramNotFound, ErrorCategory.ObjectNotFound, text,
                $"Cannot find program file '{trimmed}' (text from the pipeline that is not a file is read as a program; this one looks like a file name).");
            yield break;
        }

        if (CompileText(text) is { } program) yield return program;
    }

    private List<string>? ExistingFiles(string path)
    {
        try
        {
            var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            return provider.Name.Equals("FileSystem", StringComparison.OrdinalIgnoreCase) ? resolved.Where(File.Exists).ToList() : null;
        }
        catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException
            or PSArgumentException or ArgumentException or NotSupportedException or IOException or WildcardPatternException)
        {
            return null;
        }
    }

    private static bool LooksLikePath(string text) =>
        text.Length > 0 && !text.Any(char.IsWhiteSpace) && !text.Contains('"', StringComparison.Ordinal)
        && (text.EndsWith(".imgql", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal));

    // Objects that carry a path bind by property name, as FileSystem cmdlets do: LiteralPath,
    // PSPath and FullName literally, Path with wildcards. A DAG object (with nodes) is a DAG.
    private static (string Path, bool Literal)? PathProperty(object item)
    {
        var ps = PSObject.AsPSObject(item);
        if (ps.BaseObject is System.Collections.IDictionary) return null;
        if (ps.Properties["nodes"] is not null) return null;
        foreach (var (name, literal) in new[] { ("LiteralPath", true), ("PSPath", true), ("FullName", true), ("Path", false) })
        {
            if (ps.Properties[name]?.Value is { } v && PSValue.Unwrap(v) is string path && path.Length > 0) return (path, literal);
        }

        return null;
    }

    /// <summary>The DAG made of every node object received, once the pipeline input has ended.</summary>
    internal DagInput? ReadCollectedNodes()
    {
        if (_nodes.Count == 0) return null;
        if (RefuseParameters(_nodes)) return null;
        try
        {
            return new DagInput(UserDagConverter.FromNodes(_nodes, Goal, VoxEngineHost.Operations), "dag", "nodes", null);
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.DagInvalid, _nodes)) WriteError(record);
            return null;
        }
    }

    private IEnumerable<string> ResolveFiles(string[] paths, bool literal)
    {
        foreach (var p in paths)
        {
            List<string> resolved = [];
            try
            {
                if (literal)
                {
                    resolved.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(p));
                }
                else
                {
                    resolved.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider));
                    if (!provider.Name.Equals("FileSystem", StringComparison.OrdinalIgnoreCase))
                    {
                        Error(VoxErrors.ProgramNotFound, ErrorCategory.InvalidArgument, p, $"'{p}' is not a file (provider {provider.Name}).");
                        continue;
                    }

                    if (resolved.Count == 0)
                    {
                        // A wildcard that matches nothing is an error, never silence.
                        Error(VoxErrors.ProgramNotFound, ErrorCategory.ObjectNotFound, p, $"No program file matches '{p}'.");
                        continue;
                    }
                }
            }
            catch (ItemNotFoundException e)
            {
                Error(VoxErrors.ProgramNotFound, ErrorCategory.ObjectNotFound, p, $"Cannot find program file '{p}'.", e);
                continue;
            }

            foreach (var file in resolved)
            {
                if (!File.Exists(file))
                {
                    Error(VoxErrors.ProgramNotFound, ErrorCategory.ObjectNotFound, p, $"Cannot find program file '{file}'.");
                    continue;
                }

                yield return file;
            }
        }
    }

    private CompileOptions CompileOptionsFor(string? file) => new()
    {
        FilePath = file,
        WorkingDirectory = CallerDirectory,
        OutputRoot = CallerDirectory,
        LibraryPaths = LibraryPaths,
        Parameters = _programParameters ??= ProgramParameters.Convert(Parameter, this),
    };

    // -Parameter binds program declarations; a DAG has none to bind.
    private bool RefuseParameters(object target)
    {
        if (Parameter is null) return false;
        Error(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, target,
            "-Parameter binds declarations of a program; a DAG (JSON, hashtable, New-VoxNode objects) has none. Use -Parameter with -Path, -LiteralPath or -Program.");
        return true;
    }

    private static IReadOnlyList<string> LibraryPaths
    {
        get
        {
            var lib = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(VoxDagInputCmdlet).Assembly.Location) ?? ".", "lib");
            return Directory.Exists(lib) ? [lib] : [];
        }
    }

    private DagInput? CompileFile(string file)
    {
        if (IsDagFile(file)) return ConvertDagFile(file);
        try
        {
            var compiled = ProgramCompiler.CompileFile(file, VoxEngineHost.Operations, CompileOptionsFor(file), StopToken);
            return new DagInput(compiled.Dag, file, file, file);
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.ProgramInvalid, file)) WriteError(record);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(VoxErrors.ProgramNotFound, ErrorCategory.ReadError, file, $"Cannot read program file '{file}': {e.Message}", e);
            return null;
        }
    }

    // A DAG file: .json, or content whose first non-blank character is '{' (a program never starts so).
    private static bool IsDagFile(string file)
    {
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            using var reader = new StreamReader(file);
            int c;
            while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c))
            {
            }

            return c == '{';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // reported when the file is read as a program
        }
    }

    private DagInput? ConvertDagFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(VoxErrors.ProgramNotFound, ErrorCategory.ReadError, file, $"Cannot read DAG file '{file}': {e.Message}", e);
            return null;
        }

        try
        {
            return new DagInput(UserDagConverter.Convert(text, VoxEngineHost.Operations), file, file, file);
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.DagInvalid, file)) WriteError(record);
            return null;
        }
    }

    private DagInput? CompileText(string text)
    {
        try
        {
            var compiled = ProgramCompiler.Compile(text, VoxEngineHost.Operations, CompileOptionsFor(null), StopToken);
            return new DagInput(compiled.Dag, "program text", text, null);
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.ProgramInvalid, "program text")) WriteError(record);
            return null;
        }
    }

    private DagInput? ConvertDag(object dag)
    {
        if (RefuseParameters(dag)) return null;
        try
        {
            var unwrapped = PSValue.Unwrap(dag);
            var source = unwrapped is VoxDag v ? v.Source ?? "dag" : "dag";
            return new DagInput(UserDagConverter.Convert(dag, VoxEngineHost.Operations), source, dag, null);
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.DagInvalid, dag)) WriteError(record);
            return null;
        }
    }

    /// <summary>A DAG read from one input, with where it came from.</summary>
    internal sealed record DagInput(DagDefinition Dag, string Source, object Target, string? FilePath);
}
