using System.Net;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class PathConfinementTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private HttpClient Client => fixture.Host.Client;

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("..\\x")]
    [InlineData("/etc")]
    [InlineData("/tmp")]
    public async Task Storage_paths_leaving_the_data_root_are_400(string storagePath)
    {
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", storage_path = storagePath });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("PathNotAllowed", problem.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("$.storage_path", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task A_storage_path_that_is_a_file_is_a_client_error_not_a_server_error(string backend)
    {
        var file = Path.Combine(Host.DataRoot, $"plain-file-{backend}");
        await File.WriteAllTextAsync(file, "not a store");
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", storage_backend = backend, storage_path = Path.GetFileName(file) });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.DoesNotContain(Host.DataRoot, problem.GetProperty("detail").GetString());
        Assert.Equal("not a store", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Absolute_storage_paths_inside_the_data_root_are_accepted()
    {
        var inside = Path.Combine(Host.DataRoot, "absolute-inside");
        var answer = await Client.RunAsync("print \"a\" 1", storagePath: inside);
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.True(Directory.Exists(inside));
    }

    [Fact]
    public async Task Storage_paths_through_a_symlink_leading_outside_are_400()
    {
        var outside = Directory.CreateTempSubdirectory("voxserver-outside-");
        try
        {
            var link = Path.Combine(Host.DataRoot, "escape-" + Guid.NewGuid().ToString("n")[..8]);
            Directory.CreateSymbolicLink(link, outside.FullName);
            using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", storage_path = Path.GetFileName(link) + "/store" });
            await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Empty(outside.EnumerateFileSystemInfos());
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("../../../escape-{0}.txt")]
    [InlineData("../escape-{0}.txt")]
    [InlineData("/tmp/escape-{0}.txt")]
    public async Task Save_targets_outside_the_execution_folder_are_refused(string pattern)
    {
        var tag = Guid.NewGuid().ToString("n")[..8];
        var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, tag);
        using var response = await Client.PostExecutionAsync(new { program = $"save \"{target}\" 1\nprint \"done\" true", storage_path = "save-escape" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("PathOutsideOutputRoot", error.GetProperty("code").GetString());
        Assert.Equal(1, error.GetProperty("line").GetInt32());

        var name = $"escape-{tag}.txt";
        Assert.Empty(Directory.EnumerateFiles(Host.DataRoot, name, SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), name)));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "voxserver-tests", name)));
        Assert.False(File.Exists(Path.Combine("/tmp", name)));
    }

    [Fact]
    public async Task Imports_from_outside_the_data_root_are_400_and_leak_nothing()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"voxserver-secret-{Guid.NewGuid():n}.imgql");
        await File.WriteAllTextAsync(outside, "classified = 1 +\n");
        try
        {
            using var response = await Client.PostExecutionAsync(new { program = $"import \"{outside}\"\nprint \"a\" 1", storage_path = "import-escape" });
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
            Assert.Equal("MissingImport", error.GetProperty("code").GetString());
            Assert.Equal(1, error.GetProperty("line").GetInt32());
            Assert.DoesNotContain("classified", problem.GetRawText());

            // No existence oracle: an existing file outside the root and a missing one get the same answer.
            var missing = outside.Replace("voxserver-secret-", "voxserver-nothing-", StringComparison.Ordinal);
            using var other = await Client.PostExecutionAsync(new { program = $"import \"{missing}\"\nprint \"a\" 1", storage_path = "import-escape" });
            var otherProblem = await Api.ProblemAsync(other, HttpStatusCode.BadRequest);
            Assert.Equal(problem.GetProperty("detail").GetString()!.Replace(outside, "X", StringComparison.Ordinal),
                otherProblem.GetProperty("detail").GetString()!.Replace(missing, "X", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task Imports_through_a_linked_directory_leading_out_are_refused()
    {
        var outside = Directory.CreateTempSubdirectory("voxserver-linked-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(outside.FullName, "app.env"), "classified = 7\n");
            Directory.CreateSymbolicLink(Path.Combine(Host.DataRoot, "shared-" + outside.Name), outside.FullName);
            using var response = await Client.PostExecutionAsync(new
            {
                program = $"import \"../../shared-{outside.Name}/app.env\"\nprint \"a\" classified",
                storage_backend = "none",
            });
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal("MissingImport", problem.GetProperty("errors")[0].GetProperty("code").GetString());

            var load = await Client.RunAsync($"print \"x\" load(\"../../shared-{outside.Name}/app.env\")", backend: "none");
            Assert.Contains("outside the server's data root", load.ToString());
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Answers_name_no_server_folder()
    {
        var parent = Path.GetDirectoryName(Host.DataRoot)!;
        var answer = await Client.RunAsync("print \"cwd\" $cwd\nprint \"dir\" $dir", backend: "none");
        Assert.DoesNotContain(parent, answer.GetRawText());

        using var save = await Client.PostExecutionAsync(new { program = "save \"../../../x.txt\" 1", storage_backend = "none" });
        var problem = await Api.ProblemAsync(save, HttpStatusCode.BadRequest);
        Assert.DoesNotContain(parent, problem.GetRawText());

        // A syntax error in an imported file: its errors[].file is redacted like the message.
        var lib = Directory.CreateDirectory(Path.Combine(Host.DataRoot, "libs"));
        await File.WriteAllTextAsync(Path.Combine(lib.FullName, "broken.imgql"), "x = (\n");
        using var broken = await Client.PostExecutionAsync(new { program = "import \"../../libs/broken.imgql\"\nprint \"a\" 1", storage_backend = "none" });
        var brokenProblem = await Api.ProblemAsync(broken, HttpStatusCode.BadRequest);
        Assert.DoesNotContain(Host.DataRoot, brokenProblem.GetRawText());
        Assert.Contains("<data-root>", brokenProblem.GetProperty("errors")[0].GetProperty("file").GetString());
    }

    [Fact]
    public async Task Load_reads_files_inside_the_data_root_only()
    {
        var inputs = Directory.CreateDirectory(Path.Combine(Host.DataRoot, "inputs"));
        var inside = Path.Combine(inputs.FullName, "lines.txt");
        await File.WriteAllTextAsync(inside, "alpha\nbeta\n");
        var outside = Path.Combine(Path.GetTempPath(), $"voxserver-hidden-{Guid.NewGuid():n}.txt");
        await File.WriteAllTextAsync(outside, "classified\n");
        try
        {
            var answer = await Client.RunAsync($"print \"inside\" load(\"{inside}\")\nprint \"outside\" load(\"{outside}\")", storagePath: "load");
            var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
            Assert.Equal("completed", goals["inside"].GetProperty("status").GetString());
            Assert.Equal("alpha", goals["inside"].GetProperty("value")[0].GetString());
            Assert.Equal("failed", goals["outside"].GetProperty("status").GetString());
            Assert.Contains("outside the server's data root", goals["outside"].GetProperty("error").GetString());
            Assert.DoesNotContain("classified", answer.GetRawText());
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task Relative_saves_land_in_the_executions_own_output_folder()
    {
        var answer = await Client.RunAsync("save \"out/result.txt\" 40 + 2\nprint \"done\" true", storagePath: "save-inside");
        var folder = answer.GetProperty("result").GetProperty("output_folder").GetString()!;
        Assert.StartsWith("outputs/", folder);
        Assert.Equal("42", File.ReadAllText(Path.Combine(Host.DataRoot, folder, "out", "result.txt")));
        var save = answer.GetProperty("result").GetProperty("goals").EnumerateArray().Single(g => g.GetProperty("kind").GetString() == "save");
        Assert.Equal($"{folder}/out/result.txt", save.GetProperty("path").GetString());
    }
}

public sealed class PathConfinementUnitTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("voxserver-root-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData(".")]
    [InlineData("./store")]
    [InlineData("a/b/c")]
    [InlineData("a\\b")]
    public void Relative_paths_resolve_inside_the_root(string requested)
    {
        var full = PathConfinement.Resolve(_root.FullName, requested, "storage_path");
        Assert.True(PathConfinement.IsInside(_root.FullName, full));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../sibling")]
    [InlineData("a/../../b")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a\0b")]
    public void Escaping_or_empty_paths_are_refused(string requested)
    {
        var e = Assert.Throws<ApiProblemException>(() => PathConfinement.Resolve(_root.FullName, requested, "storage_path"));
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void Absolute_paths_outside_the_root_are_refused_and_inside_accepted()
    {
        Assert.Throws<ApiProblemException>(() => PathConfinement.Resolve(_root.FullName, Path.GetTempPath(), "storage_path"));
        Assert.Throws<ApiProblemException>(() => PathConfinement.Resolve(_root.FullName, _root.FullName + "-sibling", "storage_path"));
        var inside = Path.Combine(_root.FullName, "x");
        Assert.Equal(inside, PathConfinement.Resolve(_root.FullName, inside, "storage_path"));
    }

    [Fact]
    public void Symlinks_inside_the_root_that_stay_inside_are_accepted()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root.FullName, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root.FullName, "alias"), target.FullName);
        var full = PathConfinement.Resolve(_root.FullName, "alias/store", "storage_path");
        Assert.Equal(Path.Combine(_root.FullName, "alias", "store"), full);
    }

    [Fact]
    public void Symlinks_leading_outside_are_refused_even_when_dangling()
    {
        var outside = Path.Combine(Path.GetTempPath(), "voxserver-nowhere-" + Guid.NewGuid().ToString("n"));
        Directory.CreateSymbolicLink(Path.Combine(_root.FullName, "dangling"), outside);
        Assert.Throws<ApiProblemException>(() => PathConfinement.Resolve(_root.FullName, "dangling/store", "storage_path"));
    }
}
