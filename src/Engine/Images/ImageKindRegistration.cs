using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using VoxScheduler.Values;

namespace VoxScheduler.Images;

/// <summary>Registers the image kind when the engine assembly loads.</summary>
internal static class ImageKindRegistration
{
    // Every front end (module, server, tests, bench) decodes stored values, and each has its own
    // start-up path; registering when the assembly loads means none of them can forget it, and the
    // Values layer still never names images.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The engine's own value kinds must exist before any stored value is decoded, whoever loads the engine.")]
    internal static void Register() => ValueKinds.Register(ImageValueKind.Instance);
}
