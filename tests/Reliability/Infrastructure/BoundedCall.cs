namespace VoxScheduler.Tests.Infrastructure;

/// <summary>Runs a synchronous call on its own thread with a deadline, so a hang fails the test instead of stalling it.</summary>
internal static class BoundedCall
{
    /// <summary>
    /// Runs <paramref name="body"/>; returns its exception (null when it returned). Fails the test
    /// when it does not return within <paramref name="timeout"/> (the thread is left behind, as
    /// there is no safe way to abort it; the failure names the input).
    /// </summary>
    public static Exception? Run(Action body, TimeSpan timeout, Func<string> describe)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, maxStackSize: 16 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "bounded-call",
        };
        thread.Start();
        if (!thread.Join(timeout))
        {
            Assert.Fail($"Hang: no answer within {timeout} for {describe()}");
        }

        return error;
    }
}
