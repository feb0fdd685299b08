using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace VoxScheduler.Loader;

/// <summary>
/// The module's own assembly load context. The engine and every third-party assembly it uses
/// (Microsoft.Data.Sqlite, SQLitePCLRaw, LZ4, …) live in the module's <c>Dependencies</c> folder,
/// where PowerShell's default probing never looks, and load here, so another module that ships
/// a different version of them in the same session cannot clash with ours (the pattern of Az and
/// PowerShellEditorServices; "Resolving PowerShell module assembly dependency conflicts").
/// Only this loader and the cmdlet assembly (cmdlets, provider, output types PowerShell must see)
/// are in the default context; the default context reaches the engine through
/// <see cref="Register"/>'s handler.
/// Native libraries of the dependencies (e_sqlite3, libSkiaSharp) resolve from <c>Dependencies/runtimes/&lt;rid&gt;/native</c>.
/// </summary>
internal sealed class VoxLoadContext : AssemblyLoadContext
{
    /// <summary>The folder beside the module's dll that holds the isolated assemblies.</summary>
    public const string DependenciesFolder = "Dependencies";

    private const string BridgedPrefix = "VoxScheduler.";

    private static readonly object s_gate = new();
    private static VoxLoadContext? s_instance;
    private static HashSet<string>? s_bridged;

    private readonly string _directory;

    private VoxLoadContext(string directory)
        : base("VoxScheduler", isCollectible: false)
    {
        _directory = directory;
    }

    /// <summary>The context, or null when the module runs without a Dependencies folder (tests hosting the cmdlets directly).</summary>
    public static VoxLoadContext? Instance => s_instance;

    /// <summary>
    /// Creates the context and lets the default context find, through it, the assemblies this
    /// assembly references from the Dependencies folder (the engine). Idempotent: assemblies never
    /// unload, so a re-import must not register a second handler.
    /// </summary>
    public static void Register()
    {
        lock (s_gate)
        {
            if (s_instance is not null) return;
            var moduleDirectory = Path.GetDirectoryName(typeof(VoxLoadContext).Assembly.Location);
            if (string.IsNullOrEmpty(moduleDirectory)) return;
            var directory = Path.Combine(moduleDirectory, DependenciesFolder);
            if (!Directory.Exists(directory)) return;

            // Only the module's own assemblies (the engine, which the cmdlet assembly references)
            // are bridged to the default context, so a request from another module for, say,
            // SQLitePCLRaw.core is never answered with ours.
            s_bridged = Directory.EnumerateFiles(directory, BridgedPrefix + "*.dll")
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            s_instance = new VoxLoadContext(directory);
            Default.Resolving += ResolveFromDefault;
        }
    }

    private static Assembly? ResolveFromDefault(AssemblyLoadContext context, AssemblyName name)
    {
        var instance = s_instance;
        if (instance is null || name.Name is null || s_bridged?.Contains(name.Name) != true) return null;
        return instance.LoadFromAssemblyName(name);
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // A file of ours loads here; anything else (System.*, PowerShell's own assemblies) falls
        // back to the default context and is shared. Returning null is the documented way to say
        // "not mine" (PowerShell-Docs #8481).
        if (assemblyName.Name is null) return null;
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeCandidates(_directory, unmanagedDllName))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        // Not ours (a system library): the runtime's default probing takes over.
        return IntPtr.Zero;
    }

    /// <summary>The files a native library may be in, most specific runtime identifier first.</summary>
    internal static IEnumerable<string> NativeCandidates(string directory, string libraryName)
    {
        var names = FileNames(libraryName).ToList();
        foreach (var rid in RuntimeIdentifiers())
        {
            foreach (var file in names)
            {
                yield return Path.Combine(directory, "runtimes", rid, "native", file);
            }
        }
    }

    private static IEnumerable<string> FileNames(string libraryName)
    {
        // DllImport names come bare (e_sqlite3), prefixed (libSkiaSharp) or with their extension.
        var (prefix, extension) = OperatingSystem.IsWindows() ? ("", ".dll") : OperatingSystem.IsMacOS() ? ("lib", ".dylib") : ("lib", ".so");
        if (libraryName.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            yield return libraryName;
            yield break;
        }

        yield return libraryName + extension;
        if (!libraryName.StartsWith(prefix, StringComparison.Ordinal)) yield return prefix + libraryName + extension;
    }

    private static IEnumerable<string> RuntimeIdentifiers()
    {
        // RuntimeIdentifier gives e.g. linux-musl-x64 on Alpine; the portable <os>-<arch> is the fallback.
        yield return RuntimeInformation.RuntimeIdentifier;
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        yield return $"{os}-{arch}";
        if (OperatingSystem.IsMacOS()) yield return "osx"; // Skia ships one universal macOS library
    }
}
