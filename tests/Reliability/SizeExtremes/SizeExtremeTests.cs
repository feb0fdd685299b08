using System.Text;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.SizeExtremes;

/// <summary>
/// Inputs of extreme size are handled or refused with a clear limit error, never a stack
/// overflow or an out-of-memory crash. Each runs in a VoxHost child: a stack overflow kills a
/// .NET process outright, and here it fails the test instead of the test host.
/// </summary>
public sealed class SizeExtremeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(3);

    public static TheoryData<string, int, string> Dags => new()
    {
        // shape, nodes, expected goal value
        { "chain", 1_000_000, "999999" },
        { "wide", 1_000_000, (333_333L * 333_334L / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        { "fanin", 100_000, (100_000L * 99_999L / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    [Theory]
    [MemberData(nameof(Dags))]
    public async Task Huge_DAGs_run_through_the_scheduler_without_overflowing(string shape, int nodes, string expected)
    {
        await using var host = HostProcess.StartVoxHost("size-dag", "--shape", shape, "--nodes", nodes.ToString());
        var code = await host.WaitForExitAsync(ChildTimeout);
        var text = string.Join('\n', host.Output);
        output.WriteLine(text);
        AssertNoCrash(code, host);
        Assert.True(code == 0, $"size-dag {shape} {nodes} ended {code}:\n{text}\n{host.Error}");
        Assert.Contains($"GOAL result Completed {expected}", text, StringComparison.Ordinal);
    }

    public static TheoryData<string> Programs => new() { "nested-parentheses", "long-sum", "big-string", "nested-arrays", "long-chain-of-lets" };

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Huge_programs_are_handled_or_refused_with_a_clear_limit_error(string kind)
    {
        using var temp = new TempFolder("vox-size");
        var file = temp.Combine(kind + ".imgql");
        string? expectedValue;
        var text = new StringBuilder();
        switch (kind)
        {
            case "nested-parentheses":
                text.Append("print \"deep\" ").Append('(', 20_000).Append('1').Append(')', 20_000).Append('\n');
                expectedValue = "1";
                break;
            case "long-sum":
                text.Append("print \"sum\" 1");
                for (var i = 1; i < 50_000; i++) text.Append(" + 1");
                text.Append('\n');
                expectedValue = "50000";
                break;
            case "big-string":
                text.Append("print \"big\" \"").Append('x', 10 * 1024 * 1024).Append("\"\n");
                expectedValue = null;
                break;
            case "nested-arrays":
                text.Append("print \"arrays\" ").Append('[', 20_000).Append('1').Append(']', 20_000).Append('\n');
                expectedValue = null;
                break;
            default:
                // 20,000 declarations each using the previous one: a deep chain through names.
                text.Append("x0 = 1\n");
                for (var i = 1; i < 20_000; i++) text.Append("x").Append(i).Append(" = x").Append(i - 1).Append(" + 1\n");
                text.Append("print \"last\" x19999\n");
                expectedValue = "20000";
                break;
        }

        await File.WriteAllTextAsync(file, text.ToString());
        await using var host = HostProcess.StartVoxHost("run-program", "--file", file, "--backend", "none");
        var code = await host.WaitForExitAsync(ChildTimeout);
        var outputText = string.Join('\n', host.Output);
        output.WriteLine($"{kind}: exit {code}\n{(outputText.Length > 2000 ? outputText[..2000] : outputText)}");
        AssertNoCrash(code, host);
        if (code == 2)
        {
            // Refused: a ValidationException whose message says which limit was hit, with a position.
            var invalid = host.Output.First(l => l.StartsWith("INVALID", StringComparison.Ordinal));
            Assert.True(LimitNamed(invalid), $"{kind} was refused without naming a limit: {invalid}");
            ReliabilityCounters.Add("size.refused", 1);
            return;
        }

        var goal = HostRun.Parse(code, host.Output, host.Error).Goals.Values.Single();
        if (code == 3)
        {
            // Refused at run time: the goal fails (or is skipped) with the limit named.
            Assert.True(LimitNamed(goal.Error), $"{kind} failed without naming a limit: {goal.Status} {goal.Error}");
            ReliabilityCounters.Add("size.refused", 1);
            return;
        }

        Assert.True(code == 0, $"{kind}: exit {code}\n{outputText}\n{host.Error}");
        Assert.Equal("Completed", goal.Status);
        if (expectedValue is not null)
        {
            var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Values.ValueCodec.Encode(double.Parse(expectedValue))));
            Assert.Equal(digest, goal.Digest);
        }

        ReliabilityCounters.Add("size.handled", 1);
    }

    private static bool LimitNamed(string? message) =>
        message is not null && new[] { "limit", "deep", "deeper", "too ", "at most", "nested" }.Any(w => message.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static void AssertNoCrash(int code, HostProcess host)
    {
        Assert.DoesNotContain("Stack overflow", host.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("OutOfMemoryException", host.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Output, l => l.StartsWith("CRASH", StringComparison.Ordinal));
        Assert.True(code is 0 or 2 or 3, $"the child died (exit {code}): {host.Error}");
    }
}
