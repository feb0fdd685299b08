using System.Net;
using System.Text.Json;

namespace VoxScheduler.Tests;

/// <summary>Every program of tests/programs through the REST API, checked against its .expected.json.</summary>
[Collection("Server")]
public sealed class AcceptanceProgramTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Programs, "*.imgql").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Program_gives_the_expected_results_through_the_API(string name)
    {
        var program = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Programs, name + ".imgql"));
        var expected = ExpectedOutcome.Load(Path.Combine(RepoPaths.Programs, name + ".expected.json"));

        using var response = await Host.Client.PostExecutionAsync(new { program, storage_path = "acceptance", async_execution = false });
        if (expected.ExpectsValidationErrors)
        {
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            var problems = problem.GetProperty("errors").EnumerateArray()
                .Select(e => new ExpectedOutcome.Problem(
                    e.TryGetProperty("line", out var l) ? l.GetInt32() : 0,
                    e.TryGetProperty("column", out var c) ? c.GetInt32() : 0,
                    e.GetProperty("message").GetString()!))
                .ToList();
            Assert.Empty(expected.CheckValidation(problems));
            return;
        }

        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        var result = answer.GetProperty("result");
        var prints = result.GetProperty("goals").EnumerateArray().Where(g => g.GetProperty("kind").GetString() == "print").ToList();
        var goals = prints.Select(g => new ExpectedOutcome.Goal(
                g.GetProperty("name").GetString()!,
                g.GetProperty("status").GetString() is "completed" or "cached",
                g.TryGetProperty("value", out var v) ? (object?)v : null,
                g.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null))
            .ToList();
        var folder = Path.Combine(Host.DataRoot, result.GetProperty("output_folder").GetString()!);
        Assert.Empty(expected.CheckRun(goals, folder));

        // Beyond the expected goals, nothing else is printed, and the execution's status says whether any goal failed.
        Assert.Equal(expected.PrintGoalCount, prints.Count);
        Assert.Equal(expected.ExpectsFailures ? "failed" : "completed", answer.GetProperty("status").GetString());
    }
}
