using System.Globalization;
using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>The parsed output of a VoxHost run-dag/run-program child (see ReliabilityModes).</summary>
internal sealed record HostRun(
    int ExitCode,
    string EndStatus,
    IReadOnlyList<(string Status, NodeId Id, string Operator)> Nodes,
    IReadOnlyDictionary<string, (string Status, string Digest, string Error)> Goals,
    IReadOnlyDictionary<string, NodeId> GoalIds,
    IReadOnlyDictionary<string, int> Progress,
    IReadOnlyDictionary<NodeId, (string Operator, NodeId[] Arguments)> Plan,
    IReadOnlyList<NodeId> PlanGoals,
    IReadOnlySet<NodeId> StoredByRun,
    string Output,
    string Error)
{
    /// <summary>
    /// Operation nodes this run computed (constants excluded): its Completed node events, plus the
    /// results the store says this execution produced (nodes that finished before the event
    /// subscription have no event).
    /// </summary>
    public IReadOnlySet<NodeId> Computed => Nodes.Where(n => n.Status == "Completed" && n.Operator != "constant").Select(n => n.Id)
        .Concat(StoredByRun).ToHashSet();

    public static HostRun Parse(int exitCode, IReadOnlyList<string> lines, string error)
    {
        var nodes = new List<(string, NodeId, string)>();
        var goals = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        var progress = new Dictionary<string, int>(StringComparer.Ordinal);
        var plan = new Dictionary<NodeId, (string, NodeId[])>();
        var planGoals = new List<NodeId>();
        var stored = new HashSet<NodeId>();
        var goalIds = new Dictionary<string, NodeId>(StringComparer.Ordinal);
        var end = "";
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 5);
            switch (parts[0])
            {
                case "NODE" when parts.Length >= 3:
                    nodes.Add((parts[1], NodeId.Parse(parts[2]), parts.Length > 3 ? parts[3] : ""));
                    break;
                case "GOAL" when parts.Length >= 4:
                {
                    // GOAL name status digest id error…
                    var rest = parts.Length > 4 ? parts[4] : "";
                    var space = rest.IndexOf(' ');
                    var idText = space < 0 ? rest : rest[..space];
                    if (NodeId.TryParse(idText, out var goalId)) goalIds[parts[1]] = goalId;
                    goals[parts[1]] = (parts[2], parts[3], space < 0 ? "" : rest[(space + 1)..]);
                    break;
                }
                case "PLAN" when parts.Length >= 3:
                    plan[NodeId.Parse(parts[1])] = (parts[2], parts.Length > 3 && parts[3].Length > 0
                        ? parts[3].Split(',').Select(NodeId.Parse).ToArray()
                        : []);
                    break;
                case "STORED" when parts.Length >= 2:
                    stored.Add(NodeId.Parse(parts[1]));
                    break;
                case "PLANGOAL" when parts.Length >= 2:
                    planGoals.Add(NodeId.Parse(parts[1]));
                    break;
                case "PROGRESS":
                    foreach (var kv in parts.Skip(1).SelectMany(p => p.Split(' ')))
                    {
                        var eq = kv.IndexOf('=');
                        if (eq > 0) progress[kv[..eq]] = int.Parse(kv[(eq + 1)..], CultureInfo.InvariantCulture);
                    }

                    break;
                case "END" when parts.Length >= 2:
                    end = parts[1];
                    break;
            }
        }

        return new HostRun(exitCode, end, nodes, goals, goalIds, progress, plan, planGoals, stored, string.Join('\n', lines.TakeLast(60)), error);
    }

    /// <summary>
    /// The operation nodes a run must compute when <paramref name="durable"/> are stored: walk
    /// down from the goals, stopping at stored results (they are served, their inputs not needed).
    /// </summary>
    public IReadOnlySet<NodeId> NeededOperations(IReadOnlySet<NodeId> durable)
    {
        var needed = new HashSet<NodeId>();
        var seen = new HashSet<NodeId>();
        var stack = new Stack<NodeId>(PlanGoals);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!seen.Add(id) || durable.Contains(id)) continue;
            var (op, args) = Plan[id];
            if (op == "constant") continue;
            needed.Add(id);
            foreach (var a in args) stack.Push(a);
        }

        return needed;
    }

    /// <summary>Runs VoxHost to the end and parses its output.</summary>
    public static async Task<HostRun> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        await using var host = HostProcess.StartVoxHost(arguments);
        var code = await host.WaitForExitAsync(timeout);
        return Parse(code, host.Output, host.Error);
    }

    public override string ToString() => $"exit {ExitCode}, END {EndStatus}\n{Output}\nstderr:\n{Error}";
}
