namespace VoxScheduler;

/// <summary>The scheduler cannot do what was asked (unknown execution, disposed scheduler, …).</summary>
public class SchedulingException : DynamicSchedulerException
{
    public SchedulingException(string message, Exception? inner = null) : base(message, inner) { }
}
