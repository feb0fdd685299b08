namespace VoxScheduler;

/// <summary>Base of every error the engine raises on purpose.</summary>
public class DynamicSchedulerException : Exception
{
    public DynamicSchedulerException(string message) : base(message) { }

    public DynamicSchedulerException(string message, Exception? inner) : base(message, inner) { }
}
