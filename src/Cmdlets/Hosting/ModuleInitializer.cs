using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// Runs when the module is imported: teaches the runtime where the module's own native libraries
/// (SQLite, Skia for PNG/JPEG images) live. A module has no deps.json, so without this a published
/// module fails with DllNotFoundException 'e_sqlite3' or 'libSkiaSharp': the runtime only probes
/// the application's folders.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // Assemblies never unload, so OnImport runs again on re-import while the resolver set the
    // first time is still registered; a second SetDllImportResolver on one assembly throws.
    private static int s_resolverRegistered;

    /// <summary>The native libraries the module ships under runtimes/RID/native.</summary>
    private static readonly string[] NativeLibraries = ["e_sqlite3", "libSkiaSharp"];

    /// <inheritdoc />
    public void OnImport()
    {
        if (Interlocked.Exchange(ref s_resolverRegistered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, ResolveNative);
            NativeLibrary.SetDllImportResolver(typeof(SkiaSharp.SKImage).Assembly, ResolveNative);
        }
    }

    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // Other runspaces of this process may still use the engine: it lives until the process ends.
    }

    private static IntPtr ResolveNative(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!NativeLibraries.Contains(libraryName, StringComparer.Ordinal))
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in NativeCandidates(libraryName))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        // Let the default probing (and its DllNotFoundException) take over.
        return IntPtr.Zero;
    }

    /// <summary>The files the native library may be in, most specific runtime identifier first.</summary>
    internal static IEnumerable<string> NativeCandidates(string libraryName)
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? AppContext.BaseDirectory;
        // e_sqlite3 is libe_sqlite3.so on Unix; libSkiaSharp keeps its name everywhere (libSkiaSharp.dll on Windows).
        var unixName = libraryName.StartsWith("lib", StringComparison.Ordinal) ? libraryName : "lib" + libraryName;
        var fileName = OperatingSystem.IsWindows() ? $"{libraryName}.dll"
            : OperatingSystem.IsMacOS() ? $"{unixName}.dylib"
            : $"{unixName}.so";
        foreach (var rid in RuntimeIdentifiers())
        {
            yield return Path.Combine(moduleDirectory, "runtimes", rid, "native", fileName);
        }

        yield return Path.Combine(moduleDirectory, fileName);
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
