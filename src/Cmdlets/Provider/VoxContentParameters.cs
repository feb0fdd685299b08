using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>The dynamic parameters Get-Content gains on a VoxStore result (as FileSystem has them).</summary>
public sealed class VoxContentParameters
{
    /// <summary>Reads the value's bytes one byte per object (-ReadCount 0: one byte[]); text and other values as their UTF-8 text.</summary>
    [Parameter]
    public SwitchParameter AsByteStream { get; set; }

    /// <summary>Reads the whole value as one object (a byte[], a string, an object[]) instead of in blocks or items.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }
}
