using VoxScheduler.Dag;
using VoxScheduler.Language;

namespace VoxScheduler.Tests.Images.Vox1;

/// <summary>The base-image rule of IMAGES.md §3, applied while reducing: the base is the node's last argument.</summary>
public sealed class BaseImageRuleTests
{
    private static DagDefinition Compile(string program) => ProgramCompiler.Compile(program, ImageFixtures.Registry).Dag;

    private static DagNode Goal(DagDefinition dag, string name) => dag.Nodes[dag.Goals.Single(g => g.Name == name).Node];

    /// <summary>The path constant of the load node that is the last argument of <paramref name="node"/>.</summary>
    private static string BasePath(DagDefinition dag, DagNode node)
    {
        var load = dag.Nodes[node.Arguments[^1]];
        Assert.StartsWith("default.load", load.Operator);
        return (string)dag.Nodes[load.Arguments[0]].Value!;
    }

    [Fact]
    public void A_bare_form_at_top_level_takes_the_first_top_level_load()
    {
        var dag = Compile("import \"vox1\"\na = load(\"first.nii\")\nb = load(\"second.nii\")\nprint \"t\" tt\nprint \"k\" constant(3)\nprint \"x\" x");
        Assert.Equal("vox1.tt", Goal(dag, "t").Operator);
        Assert.Equal("first.nii", BasePath(dag, Goal(dag, "t")));
        Assert.Equal("first.nii", BasePath(dag, Goal(dag, "k")));
        Assert.Equal(3d, dag.Nodes[Goal(dag, "k").Arguments[0]].Value);
        Assert.Equal("first.nii", BasePath(dag, Goal(dag, "x")));
    }

    [Fact]
    public void An_explicit_base_is_the_same_node_as_the_bare_form_under_that_base()
    {
        var dag = Compile("import \"vox1\"\na = load(\"first.nii\")\nprint \"bare\" border\nprint \"explicit\" border(a)");
        Assert.Equal(Goal(dag, "bare").Id, Goal(dag, "explicit").Id);
    }

    [Fact]
    public void A_function_body_takes_its_own_first_load_else_the_callers_base()
    {
        var dag = Compile("""
            import "vox1"
            main = load("main.nii")
            own(p) = let img = load(p) in tt
            inherits(k) = constant(k)
            print "own" own("case.nii")
            print "inherits" inherits(1)
            """);
        Assert.Equal("case.nii", BasePath(dag, Goal(dag, "own")));
        Assert.Equal("main.nii", BasePath(dag, Goal(dag, "inherits")));
    }

    [Fact]
    public void A_function_without_a_load_gives_different_nodes_under_different_bases()
    {
        // shape() has no load: its nodes depend on the caller's base, so memoisation keys on it.
        var dag = Compile("""
            import "vox1"
            shape(k) = constant(k)
            caseA(p) = let i = load(p) in shape(1)
            print "top" shape(1)
            print "a" caseA("a.nii")
            print "b" caseA("b.nii")
            x0 = load("top.nii")
            """);
        Assert.Equal("top.nii", BasePath(dag, Goal(dag, "top")));
        Assert.Equal("a.nii", BasePath(dag, Goal(dag, "a")));
        Assert.Equal("b.nii", BasePath(dag, Goal(dag, "b")));
    }

    [Fact]
    public void A_local_or_declared_name_is_not_a_bare_form()
    {
        var dag = Compile("import \"vox1\"\nf(x) = x + 1\nprint \"r\" f(2)\nborder = 5\nprint \"b\" border");
        Assert.Equal("default.add", Goal(dag, "r").Operator);
        Assert.Equal(5d, Goal(dag, "b").Value);
    }

    [Fact]
    public void Without_a_load_in_scope_a_bare_form_is_an_error_naming_its_position()
    {
        var e = Assert.Throws<ValidationException>(() => Compile("import \"vox1\"\nprint \"t\" tt"));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((2, 11), (problem.Line, problem.Column));
        Assert.Contains("needs a base image", problem.Message);
        Assert.Contains("tt(image)", problem.Message);
    }

    [Fact]
    public void A_load_only_inside_a_loop_body_is_no_base()
    {
        var e = Assert.Throws<ValidationException>(() => Compile("import \"vox1\"\nxs = for p in [\"a.nii\"] do load(p)\nprint \"t\" constant(1)"));
        Assert.Contains(e.Problems, p => p.Message.Contains("needs a base image") && p.Message.Contains("constant(…, image)"));
    }
}
