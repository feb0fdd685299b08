using System.Text.Json.Nodes;
using CsCheck;
using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Fuzz;

/// <summary>
/// The DAG JSON reader (DagJson.Parse) on random and mutated DAG definitions — real programs'
/// DAGs exported to JSON, then damaged as text and as JSON trees: each case yields a DAG or a
/// ValidationException, never another exception, a hang or a crash; and whatever it accepts
/// exports and re-imports to the same DAG.
/// </summary>
public sealed class DagJsonFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);
    private readonly OperationRegistry _registry = TestEngine.FullRegistry();

    private string[] Corpus()
    {
        var seeds = new List<string>();
        foreach (var file in RepoPaths.RealPrograms())
        {
            try
            {
                seeds.Add(DagJson.ToJson(ProgramCompiler.CompileFile(file, _registry).Dag, indented: false));
            }
            catch (ValidationException)
            {
                // The corpus also holds programs that are wrong on purpose.
            }
        }

        seeds.Add("""
            {"dag_id":"hand","nodes":[
              {"node_id":"a","operation":"constant","parameters":{"value":1}},
              {"node_id":"b","operation":"constant","parameters":{"value":[1,"x",true,null,{"k":2.5}]}},
              {"node_id":"c","operation":"default.add","arguments":["a","a"]},
              {"node_id":"d","operation":"test.sleep","arguments":["c","a"]},
              {"node_id":"e","operation":"external","parameters":{"id":"baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc7"}},
              {"node_id":"f","operation":"default.add","dependencies":["d","e"]}],
             "dependencies":{"f":["d","e"]},"goals":["d","f"],"metadata":{"who":"fuzz"}}
            """);
        return seeds.ToArray();
    }

    [Fact]
    public void Mutated_DAG_JSON_parses_or_fails_with_a_ValidationException()
    {
        var corpus = Corpus();
        Assert.True(corpus.Length >= 8, $"expected real programs' DAGs as a corpus, found {corpus.Length}");
        var cases = 1500L * ReliabilityCounters.Scale;
        var accepted = 0;
        var gen =
            from seed in Gen.Int[0, corpus.Length - 1]
            from structural in Gen.Bool
            from picks in Gen.Int.Positive.Array[6]
            select structural ? MutateTree(corpus[seed], picks) : MutateText(corpus[seed], picks);
        gen.Sample(json =>
        {
            if (ParseOrValidationError(json)) Interlocked.Increment(ref accepted);
        }, iter: cases, threads: 1, print: j => j is null ? "(null)" : j.Length > 3000 ? j[..3000] + "…" : j);
        ReliabilityCounters.Add("fuzz.dagjson", cases);
        output.WriteLine($"{cases} mutated DAG definitions, {accepted} accepted");
    }

    [Fact]
    public void Random_JSON_parses_or_fails_with_a_ValidationException()
    {
        var cases = 1500L * ReliabilityCounters.Scale;
        var names = new[] { "nodes", "node_id", "operation", "arguments", "parameters", "value", "id", "goals", "dependencies", "dag_id", "metadata" };
        var ops = new[] { "constant", "external", "default.add", "test.sleep", "strings.concat", "default.sequence", "nosuch.op", "" };
        Gen<JsonNode?> value = Gen.Recursive<JsonNode?>((depth, self) => depth > 4
            ? Gen.OneOf(Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)), Gen.Const((JsonNode?)null))
            : Gen.OneOf(
                Gen.Int[0, ops.Length - 1].Select(i => (JsonNode?)JsonValue.Create(ops[i])),
                Gen.Int[0, 9].Select(i => (JsonNode?)JsonValue.Create(((char)('a' + i)).ToString())),
                Gen.Double.Select(d => (JsonNode?)(double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create("x"))),
                Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
                Gen.Const((JsonNode?)null),
                self.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(x => x?.DeepClone()).ToArray())),
                Gen.Select(Gen.Int[0, names.Length - 1].Array[0, 4], self.Array[4], (keys, vals) =>
                {
                    var o = new JsonObject();
                    for (var i = 0; i < keys.Length; i++) o[names[keys[i]]] = vals[i]?.DeepClone();
                    return (JsonNode?)o;
                })));
        var gen =
            from nodes in value.Array[0, 8]
            from goals in value
            select new JsonObject
            {
                ["nodes"] = new JsonArray(nodes.Select(n => n?.DeepClone()).ToArray()),
                ["goals"] = goals?.DeepClone(),
            }.ToJsonString();
        gen.Sample(json => { ParseOrValidationError(json); }, iter: cases, threads: 1);
        ReliabilityCounters.Add("fuzz.dagjson", cases);
    }

    private bool ParseOrValidationError(string json)
    {
        DagDefinition? dag = null;
        var error = BoundedCall.Run(() => dag = DagJson.Parse(json, _registry), PerCase, () => json.Length > 2000 ? json[..2000] : json);
        switch (error)
        {
            case null:
                // Whatever is accepted exports and re-imports to the same DAG.
                var again = DagJson.Parse(DagJson.ToJson(dag!), _registry);
                Assert.Equal(dag!.Goals.Select(g => dag.Nodes[g.Node].Id), again.Goals.Select(g => again.Nodes[g.Node].Id));
                return true;
            case ValidationException validation:
                Assert.NotEmpty(validation.Problems);
                return false;
            default:
                throw new Xunit.Sdk.XunitException($"DagJson.Parse threw {error.GetType().FullName} (only ValidationException is documented): {error}");
        }
    }

    private const string MutationChars = "{}[]\",:0-e.ntf\\u";

    private static string MutateText(string json, int[] picks)
    {
        var chars = json.ToList();
        for (var i = 0; i < 1 + picks[0] % 4; i++)
        {
            if (chars.Count == 0) break;
            var at = picks[(i + 1) % picks.Length] % chars.Count;
            switch ((picks[(i + 2) % picks.Length] + i) % 4)
            {
                case 0: chars[at] = MutationChars[picks[i % picks.Length] % MutationChars.Length]; break;
                case 1: chars.RemoveAt(at); break;
                case 2: chars.RemoveRange(at, chars.Count - at); break;
                default: chars.InsertRange(at, chars.Skip(at).Take(picks[3] % 50).ToList()); break;
            }
        }

        return new string(chars.ToArray());
    }

    private static string MutateTree(string json, int[] picks)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var nodes = root["nodes"]!.AsArray();
        if (nodes.Count == 0) return json;
        var target = nodes[picks[0] % nodes.Count]!.AsObject();
        var other = nodes[picks[1] % nodes.Count]!["node_id"]?.DeepClone();
        switch (picks[2] % 14)
        {
            case 0: target["arguments"] = new JsonArray(target["node_id"]?.DeepClone()); break; // self-cycle
            case 1: nodes[picks[1] % nodes.Count]!["arguments"] = new JsonArray(target["node_id"]?.DeepClone()); target["arguments"] = new JsonArray(other); break; // 2-cycle
            case 2: target["node_id"] = other; break; // duplicate name
            case 3: target.Remove("node_id"); break;
            case 4: target["operation"] = new[] { "nosuch.op", "", "default", ".add", "constant", "external", "default.add" }[picks[3] % 7]; break;
            case 5: target["arguments"] = new JsonArray("missing-node", 42, null, new JsonObject()); break;
            case 6: target["parameters"] = new JsonObject { ["value"] = Deep(picks[3] % 400) }; break;
            case 7: target["parameters"] = new JsonObject { ["id"] = new[] { "zz", new string('f', 64), new string('g', 64), "" }[picks[3] % 4] }; break;
            case 8: target["arguments"] = new JsonArray(Enumerable.Repeat(other, picks[3] % 2000).Select(o => o?.DeepClone()).ToArray()); break;
            case 9: root["goals"] = new JsonArray("nosuch", other, 5, null); break;
            case 10: root["dependencies"] = new JsonObject { [target["node_id"]?.ToString() ?? "x"] = new JsonArray(other, "ghost") }; break;
            case 11: target["parameters"] = new JsonObject { ["value"] = new[] { 1e308, -0.0, 9007199254740993.0, double.Epsilon }[picks[3] % 4] }; break;
            case 12: nodes.Add(target.DeepClone()); break;
            default: root.Remove("nodes"); root["nodes"] = picks[3] % 2 == 0 ? new JsonObject() : JsonValue.Create("nodes"); break;
        }

        return root.ToJsonString();
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = JsonValue.Create(1)!;
        for (var i = 0; i < depth; i++) node = new JsonArray(node);
        return node;
    }
}
