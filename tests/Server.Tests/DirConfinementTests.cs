namespace VoxScheduler.Tests;

/// <summary><c>dir</c> on the server (LANGUAGE.md §7): confined to the data root, answering relative paths only.</summary>
[Collection("Server")]
public sealed class DirConfinementTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task Dir_lists_inside_the_data_root_only_and_never_answers_absolute_paths()
    {
        var cases = Directory.CreateDirectory(Path.Combine(Host.DataRoot, "dir-cases-" + Guid.NewGuid().ToString("n")[..8]));
        await File.WriteAllTextAsync(Path.Combine(cases.FullName, "a.txt"), "alpha\n");
        await File.WriteAllTextAsync(Path.Combine(cases.FullName, "b.txt"), "beta\n");
        var outside = Directory.CreateTempSubdirectory("voxserver-dir-outside-");
        try
        {
            var program = $"print \"paths\" dir(\"{cases.FullName}\", \"*.txt\", false, true)\n"
                + $"print \"loaded\" for f in dir(\"{cases.FullName}\", \"*.txt\", false, true) do load(f)\n"
                + $"print \"outside\" dir(\"{outside.FullName}\")";
            var answer = await Host.Client.RunAsync(program, storagePath: "dir");
            var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
            var paths = goals["paths"].GetProperty("value").EnumerateArray().Select(p => p.GetString()!).ToList();
            Assert.Equal([$"../../{cases.Name}/a.txt", $"../../{cases.Name}/b.txt"], paths);
            Assert.Equal("beta", goals["loaded"].GetProperty("value")[1][0].GetString());
            Assert.Equal("failed", goals["outside"].GetProperty("status").GetString());
            Assert.Contains("outside the server's data root", goals["outside"].GetProperty("error").GetString());
            Assert.DoesNotContain(Host.DataRoot, answer.GetRawText());
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }
}
