using System.Text.RegularExpressions;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Support;

namespace VoxScheduler.Tests.Scheduling;

public sealed partial class ExecutionStatusTests
{
    [Theory]
    [InlineData(ExecutionStatus.Pending, false)]
    [InlineData(ExecutionStatus.Running, false)]
    [InlineData(ExecutionStatus.Completed, true)]
    [InlineData(ExecutionStatus.Failed, true)]
    [InlineData(ExecutionStatus.Cancelled, true)]
    // Its process ended: nothing will ever move it on (resuming is a new submission).
    [InlineData(ExecutionStatus.Interrupted, true)]
    public void Is_terminal_exactly_for_the_statuses_that_can_no_longer_change(ExecutionStatus status, bool terminal) =>
        Assert.Equal(terminal, status.IsTerminal());

    [Fact]
    public void Every_status_is_classified()
    {
        // A status added later must be decided here, not fall silently on one side.
        Assert.Equal(6, Enum.GetValues<ExecutionStatus>().Length);
    }

    [Fact]
    public void No_source_file_writes_its_own_copy_of_is_terminal()
    {
        // Five hand-written copies once disagreed about Interrupted; every front end must ask
        // IsTerminal(). A pattern joining two end statuses with `or` (or `||`) is such a copy.
        var source = Path.Combine(RepoPaths.Root, "src");
        var owner = Path.Combine("Scheduling", "ExecutionStatusExtensions.cs");
        var copies = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            if (file.EndsWith(owner, StringComparison.Ordinal) || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (HandWrittenTerminal().IsMatch(lines[i]))
                {
                    copies.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(copies.Count == 0, "hand-written terminal-status checks (use IsTerminal()):\n" + string.Join('\n', copies));
    }

    [GeneratedRegex(@"ExecutionStatus\.(Completed|Failed|Cancelled|Interrupted)\b\s*(or|\|\|)\s*(\w+\s*(==|is)\s*)?ExecutionStatus\.(Completed|Failed|Cancelled|Interrupted)\b")]
    private static partial Regex HandWrittenTerminal();
}
