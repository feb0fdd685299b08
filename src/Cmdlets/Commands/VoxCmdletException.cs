namespace VoxScheduler.Cmdlets.Commands;

/// <summary>An error raised by a VoxScheduler cmdlet itself (not by the engine).</summary>
public sealed class VoxCmdletException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VoxCmdletException(string message, Exception? inner = null) : base(message, inner) { }
}
