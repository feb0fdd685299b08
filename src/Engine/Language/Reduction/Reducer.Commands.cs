using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language.Reduction;

/// <summary>Top-level commands: declarations, goals, imports.</summary>
internal sealed partial class Reducer
{
    /// <summary>Reduces the commands of the main program, adding its goals.</summary>
    public void ReduceProgram(List<Command> commands, FileScope scope)
    {
        BeginProgram(scope);
        ReduceMainCommands(commands, scope);
    }

    /// <summary>Starts reducing the main program of <paramref name="scope"/>; its commands follow in <see cref="ReduceMainCommands"/>.</summary>
    public void BeginProgram(FileScope scope)
    {
        if (scope.Path is not null)
        {
            _importStack.Add(scope.Path);
        }
    }

    /// <summary>Reduces the next commands of the main program, in source order.</summary>
    public void ReduceMainCommands(List<Command> commands, FileScope scope) => ReduceCommands(commands, scope, isMain: true);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void ReduceCommands(List<Command> commands, FileScope scope, bool isMain)
    {
        var top = new Env(null, scope, int.MaxValue);
        scope.TopBase ??= TopBaseScope(commands, scope);
        foreach (var command in commands)
        {
            switch (command)
            {
                case Declaration d:
                    Declare(d, scope, isMain);
                    break;
                case GoalCommand g when isMain:
                    AddGoal(g, top);
                    break;
                case GoalCommand:
                    break; // goals of imported files are not goals of the importer
                case ImportCommand i:
                    Import(i, scope);
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void Declare(Declaration d, FileScope scope, bool isMain)
    {
        var top = new Env(null, scope, int.MaxValue);
        if (d.Name.StartsWith('$'))
        {
            Error(top, d.NamePosition, "ReservedName", $"'{d.Name}' is a program variable; program variables ($file, $stem, $dir, $cwd) cannot be declared");
            return;
        }

        if (TryBindParameter(d, scope, isMain))
        {
            return;
        }

        if (d.IsFunction)
        {
            var serial = ++_serial;
            var function = new FunctionValue(d, scope, serial);
            function.Invalid = !CheckFunctionBody(function);
            scope.Bind(d.Name, new RValue(-1, function), serial);
            return;
        }

        var value = ReduceNode(d.Body, top);
        scope.Bind(d.Name, value, ++_serial);
        if (isMain && value.IsNode)
        {
            _builder.TryLabel(d.Name, value.Node);
        }
    }

    private void AddGoal(GoalCommand g, Env env)
    {
        var value = ReduceNode(g.Value, env);
        if (!value.IsNode)
        {
            return;
        }

        if (!g.IsSave)
        {
            _builder.AddGoal(new DagGoal(g.Target, GoalKind.Print, value.Node));
            return;
        }

        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(_options.WorkingDirectory, g.Target));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(env, g.Position, "InvalidPath", $"'{g.Target}' is not a valid path: {e.Message}");
            return;
        }

        if (!_options.AllowWritesOutsideOutputRoot)
        {
            var root = Path.GetFullPath(_options.OutputRoot ?? _options.WorkingDirectory);
            if (!PathContainment.IsWithin(root, full) || Path.GetRelativePath(root, full) == ".")
            {
                // Confined (a server): no absolute path in the message, it would map the server's folders.
                Error(env, g.Position, "PathOutsideOutputRoot", _options.ReadRoot is null
                    ? $"save \"{g.Target}\" would write {full}, outside the output root {root}; allow writes outside the output root to do this"
                    : $"save \"{g.Target}\" would write outside the execution's output folder; save to a relative path inside it");
                return;
            }
        }

        _builder.AddGoal(new DagGoal(g.Target, GoalKind.Save, value.Node, full));
    }

    /// <summary>True when the read root (if any) allows reading <paramref name="fullPath"/>.</summary>
    private bool MayRead(string fullPath) =>
        _options.ReadRoot is null || PathContainment.IsReadableWithin(_options.LibraryPaths.Prepend(_options.ReadRoot), fullPath);

    private void Import(ImportCommand i, FileScope scope)
    {
        var env = new Env(null, scope, int.MaxValue);
        if (_namespaces.Contains(i.Name))
        {
            scope.Namespaces.Add((i.Name, ++_serial));
            if (_operations.TryGetLibrary(i.Name, out var library)) ImportLibrary(library, scope);
            return;
        }

        var candidates = new List<string>();
        var baseDir = scope.Path is not null ? Path.GetDirectoryName(scope.Path)! : _options.WorkingDirectory;
        var folders = new List<string> { baseDir };
        folders.AddRange(_options.LibraryPaths);
        string? found = null;
        foreach (var folder in folders)
        {
            foreach (var name in Path.HasExtension(i.Name) ? [i.Name] : new[] { i.Name, i.Name + ".imgql" })
            {
                string candidate;
                try
                {
                    candidate = Path.GetFullPath(Path.Combine(folder, name));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    continue;
                }

                // Containment before existence: a file outside the read root is not even looked at,
                // so the answer for it is the same as for a file that does not exist.
                if (!MayRead(candidate)) continue;
                candidates.Add(candidate);
                if (found is null && File.Exists(candidate))
                {
                    found = candidate;
                }
            }

            if (found is not null) break;
        }

        if (found is null)
        {
            var known = string.Join(", ", _namespaces.Where(n => n != "default").Order(StringComparer.Ordinal));
            Error(env, i.NamePosition, "MissingImport", _options.ReadRoot is null
                ? $"cannot import \"{i.Name}\": it is not a namespace ({known}) and no file was found (looked for {string.Join(", ", candidates.Distinct())})"
                : $"cannot import \"{i.Name}\": it is not a namespace ({known}) and no readable file of that name was found in the folders programs may read");
            return;
        }

        var cycleStart = _importStack.IndexOf(found);
        if (cycleStart >= 0)
        {
            var cycle = string.Join(" -> ", _importStack.Skip(cycleStart).Append(found).Select(Path.GetFileName));
            Error(env, i.NamePosition, "CyclicImport", $"import cycle: {cycle}");
            return;
        }

        if (!_importedFiles.TryGetValue(found, out var imported))
        {
            string text;
            try
            {
                text = File.ReadAllText(found);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(env, i.NamePosition, "MissingImport", $"cannot read \"{found}\": {e.Message}");
                return;
            }

            imported = CreateFileScope(found, found);
            var commands = ParseGuarded(text, found);
            _importStack.Add(found);
            ReduceCommands(commands, imported, isMain: false);
            _importStack.RemoveAt(_importStack.Count - 1);
            _importedFiles.Add(found, imported);
        }

        var serial = ++_serial;
        foreach (var (name, value) in imported.Exports())
        {
            scope.Bind(name, value, serial);
        }

        scope.Namespaces.AddRange(imported.Namespaces.Select(n => (n.Namespace, serial)));
    }

    /// <summary>
    /// Imports a namespace's embedded ImgQL library (IMAGES.md §5) like a file import: reduced once,
    /// its declarations bound in the importer; the library itself sees its namespace's primitives.
    /// </summary>
    private void ImportLibrary(NamespaceLibrary library, FileScope scope)
    {
        var key = "namespace:" + library.Namespace;
        if (!_importedFiles.TryGetValue(key, out var imported))
        {
            imported = CreateFileScope(library.DisplayName, null);
            imported.Namespaces.Add((library.Namespace, ++_serial));
            ReduceCommands(ParseGuarded(library.Source, library.DisplayName), imported, isMain: false);
            _importedFiles.Add(key, imported);
        }

        var serial = ++_serial;
        foreach (var (name, value) in imported.Exports())
        {
            scope.Bind(name, value, serial);
        }
    }

    private List<Command> ParseGuarded(string text, string file) => Parser.ParseProgram(text, file, _diagnostics);

    /// <summary>A file scope with its program variables.</summary>
    public FileScope CreateFileScope(string displayName, string? path)
    {
        var scope = new FileScope(displayName, path);
        scope.ProgramVariables["$file"] = path is null ? string.Empty : Path.GetFileName(path);
        scope.ProgramVariables["$stem"] = path is null ? string.Empty : Path.GetFileNameWithoutExtension(path);
        var dir = path is null ? _options.WorkingDirectory : Path.GetDirectoryName(path) ?? string.Empty;
        if (_options.ReadRoot is null)
        {
            scope.ProgramVariables["$dir"] = dir;
            scope.ProgramVariables["$cwd"] = _options.WorkingDirectory;
        }
        else
        {
            // Confined (a server): relative to the working directory, where run-time paths resolve,
            // so they work the same and do not print the server's absolute folders.
            scope.ProgramVariables["$dir"] = Path.GetRelativePath(_options.WorkingDirectory, dir).Replace(Path.DirectorySeparatorChar, '/');
            scope.ProgramVariables["$cwd"] = ".";
        }
        return scope;
    }
}
