using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Images.Vox1;

/// <summary>Gives the engine the <c>vox1</c> namespace and <c>default</c>'s image meanings when the engine assembly loads.</summary>
internal static class Vox1Registration
{
    // Operations owns the registration points and never names Images (DESIGN.md's layer table):
    // the namespace joins every built-in registry, and default's + - * / comparisons, and/or/not,
    // abs, min and max learn images (IMAGES.md §4), whichever front end loads the engine.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The built-in namespaces must be complete before any registry is created, whoever loads the engine.")]
    internal static void Register()
    {
        BuiltinOperations.Contribute(Vox1Namespace.Register);
        DefaultPrimitiveExtensions.Register(ImageArithmetic.Instance);
    }
}
