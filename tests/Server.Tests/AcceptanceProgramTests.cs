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
        foreach (var file in Directory.EnumerateFiles(ProgramsFolder(), "*.imgql").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task ProgramGivesTheExpectedResultsThroughTheApi(string name)
    {
        var program = await File.ReadAllTextAsync(Path.Combine(ProgramsFolder(), name + ".imgql"));
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(ProgramsFolder(), name + ".expected.json"))).RootElement;

        using var response = await Host.Client.PostExecutionAsync(new { program, storage_path = "acceptance", async_execution = false });
        if (expected.TryGetProperty("validation_errors", out var validationErrors))
        {
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            var errors = problem.GetProperty("errors").EnumerateArray().ToList();
            foreach (var e in validationErrors.EnumerateArray())
            {
                var (line, column, contains) = (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetInt32(), e.GetProperty("message_contains").GetString()!);
                Assert.True(errors.Any(a => a.TryGetProperty("line", out var l) && l.GetInt32() == line
                                            && a.TryGetProperty("column", out var c) && c.GetInt32() == column
                                            && a.GetProperty("message").GetString()!.Contains(contains, StringComparison.OrdinalIgnoreCase)),
                    $"{name}: expected an error at {line}:{column} containing '{contains}', got {problem.GetProperty("errors").GetRawText()}");
            }

            return;
        }

        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        var result = answer.GetProperty("result");
        var prints = result.GetProperty("goals").EnumerateArray().Where(g => g.GetProperty("kind").GetString() == "print").ToList();
        var expectedGoals = expected.TryGetProperty("goals", out var eg) ? eg.EnumerateArray().ToList() : [];
        var expectedFailed = expected.TryGetProperty("failed", out var ef) ? ef.EnumerateArray().ToList() : [];

        // Goals in source order: the succeeding print goals are exactly the expected ones, in order.
        var succeeded = prints.Where(g => g.GetProperty("status").GetString() is "completed" or "cached").ToList();
        Assert.Equal(expectedGoals.Select(g => g.GetProperty("name").GetString()), succeeded.Select(g => g.GetProperty("name").GetString()));
        for (var i = 0; i < expectedGoals.Count; i++)
        {
            var tolerance = expectedGoals[i].TryGetProperty("tolerance", out var t) ? t.GetDouble() : 0;
            JsonAssert.Equal(expectedGoals[i].GetProperty("value"), succeeded[i].GetProperty("value"), $"{name}:{expectedGoals[i].GetProperty("name").GetString()}", tolerance);
        }

        var byName = Api.GoalsByName(result.GetProperty("goals"));
        foreach (var f in expectedFailed)
        {
            var goalName = f.GetProperty("name").GetString()!;
            Assert.True(byName.TryGetValue(goalName, out var goal), $"{name}: goal {goalName} is reported");
            Assert.Contains(goal.GetProperty("status").GetString(), new[] { "failed", "skipped" });
            Assert.Contains(f.GetProperty("message_contains").GetString()!, goal.GetProperty("error").GetString() ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(expectedGoals.Count + expectedFailed.Count, prints.Count);
        Assert.Equal(expectedFailed.Count == 0 ? "completed" : "failed", answer.GetProperty("status").GetString());

        if (expected.TryGetProperty("files", out var files))
        {
            var folder = Path.Combine(Host.DataRoot, result.GetProperty("output_folder").GetString()!);
            foreach (var file in files.EnumerateObject())
            {
                var path = Path.Combine(folder, file.Name);
                Assert.True(File.Exists(path), $"{name}: {file.Name} was saved");
                var content = await File.ReadAllTextAsync(path);
                if (file.Value.ValueKind == JsonValueKind.String)
                    Assert.Equal(file.Value.GetString(), content);
                else
                    JsonAssert.Equal(file.Value, JsonDocument.Parse(content).RootElement, $"{name}:{file.Name}");
            }
        }
    }

    /// <summary>The repository's tests/programs folder, found from the test assembly's location.</summary>
    internal static string ProgramsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "programs");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "DynamicScheduler.sln")))
                return candidate;
        }

        throw new DirectoryNotFoundException("tests/programs was not found above " + AppContext.BaseDirectory);
    }
}
