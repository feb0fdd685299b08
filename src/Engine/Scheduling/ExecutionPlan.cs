using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Scheduling;

/// <summary>
/// The running plan of one execution as parallel arrays indexed by an int node handle: no
/// dictionaries of strings on the hot path, a few bytes per node. Handles 0..InitialCount-1 are
/// the submitted DAG's own indices; expansion appends nodes after them. Dependents of the
/// initial nodes are a CSR (compressed sparse rows) built once; edges added by expansion go to
/// an append-only linked list. Mutable arrays are only touched under the execution's lock;
/// <see cref="Defs"/>, <see cref="Ops"/> and <see cref="Args"/> never change once a node is
/// added, so a stale array reference still reads correct values for existing nodes.
/// </summary>
internal sealed class ExecutionPlan
{
    /// <summary>Stands for a null runtime value in <see cref="Values"/>, where null means "not in memory".</summary>
    public static readonly object NullValue = new();

    private int[] _depStart;
    private int[] _depList;
    private int[]? _extraHead;
    private int[] _extraNext = [];
    private int[] _extraTo = [];
    private int _extraCount;
    private Dictionary<NodeId, int>? _byId;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ExecutionPlan(DagDefinition dag, Operation?[] ops, NodeState[] states, NodeFlags[] flags)
    {
        var n = dag.Nodes.Count;
        InitialCount = n;
        Count = n;
        Defs = new DagNode[n];
        Args = new int[n][];
        for (var i = 0; i < n; i++)
        {
            var def = dag.Nodes[i];
            Defs[i] = def;
            // The DAG's own argument arrays are immutable and already hold plan handles: share them.
            Args[i] = ImmutableCollectionsMarshal.AsArray(def.Arguments) ?? [];
        }

        Ops = ops;
        State = states;
        Flags = flags;
        Pending = new int[n];
        Refs = new int[n];
        Values = new object?[n];
        Attempts = new byte[n];

        // Dependents CSR over the nodes that will run: count, prefix-sum, fill.
        _depStart = new int[n + 1];
        for (var d = 0; d < n; d++)
        {
            if (states[d] != NodeState.Pending) continue;
            foreach (var a in Args[d])
            {
                _depStart[a + 1]++;
                Refs[a]++;
                if (states[a] == NodeState.Pending) Pending[d]++;
            }
        }

        for (var i = 0; i < n; i++) _depStart[i + 1] += _depStart[i];
        _depList = new int[_depStart[n]];
        var fill = new int[n];
        for (var d = 0; d < n; d++)
        {
            if (states[d] != NodeState.Pending) continue;
            foreach (var a in Args[d])
            {
                _depList[_depStart[a] + fill[a]++] = d;
            }
        }
    }

    public int InitialCount { get; }

    public int Count { get; private set; }

    public DagNode[] Defs { get; private set; }

    public Operation?[] Ops { get; private set; }

    public int[][] Args { get; private set; }

    public NodeState[] State { get; private set; }

    public NodeFlags[] Flags { get; private set; }

    /// <summary>Arguments (occurrences) not finished yet.</summary>
    public int[] Pending { get; private set; }

    /// <summary>Consumers (argument occurrences of unfinished nodes, plus the persister) still needing the value in memory.</summary>
    public int[] Refs { get; private set; }

    /// <summary>Live values (<see cref="NullValue"/> for null); null when not in memory.</summary>
    public object?[] Values { get; private set; }

    /// <summary>Failed tries so far.</summary>
    public byte[] Attempts { get; private set; }

    /// <summary>Enumerates each dependent occurrence of <paramref name="node"/>.</summary>
    public DependentEnumerator Dependents(int node) => new(this, node);

    /// <summary>The handle of an active node with this id, or -1. Builds the index on first use (first expansion only).</summary>
    public int Find(NodeId id)
    {
        EnsureIndex();
        return _byId!.TryGetValue(id, out var i) ? i : -1;
    }

    /// <summary>Makes <paramref name="node"/> the active node for its id (a later duplicate replaces an unusable earlier one).</summary>
    public void Index(int node)
    {
        EnsureIndex();
        _byId![Defs[node].Id] = node;
    }

    private void EnsureIndex()
    {
        if (_byId is not null) return;
        _byId = new Dictionary<NodeId, int>(Count);
        for (var i = 0; i < Count; i++)
        {
            if (State[i] != NodeState.NotNeeded) _byId[Defs[i].Id] = i;
        }
    }

    /// <summary>Appends a node (expansion). Its argument edges must be added with <see cref="AddEdge"/>.</summary>
    public int Add(DagNode def, Operation? op, int[] args, NodeState state, NodeFlags flags)
    {
        if (Count == Defs.Length) Grow(Math.Max(16, Count * 2));
        var i = Count++;
        Defs[i] = def;
        Ops[i] = op;
        Args[i] = args;
        State[i] = state;
        Flags[i] = flags;
        Pending[i] = 0;
        Refs[i] = 0;
        Values[i] = null;
        Attempts[i] = 0;
        _extraHead![i] = -1;
        Index(i);
        return i;
    }

    /// <summary>Records that <paramref name="dependent"/> consumes <paramref name="argument"/>.</summary>
    public void AddEdge(int argument, int dependent)
    {
        if (_extraHead is null) Grow(Count);
        if (_extraCount == _extraTo.Length)
        {
            var size = Math.Max(64, _extraTo.Length * 2);
            Array.Resize(ref _extraTo, size);
            Array.Resize(ref _extraNext, size);
        }

        var e = _extraCount++;
        _extraTo[e] = dependent;
        _extraNext[e] = _extraHead![argument];
        _extraHead[argument] = e;
    }

    private void Grow(int capacity)
    {
        var old = Defs.Length;
        capacity = Math.Max(capacity, old);
        if (capacity > old)
        {
            Defs = Resize(Defs, capacity);
            Ops = Resize(Ops, capacity);
            Args = Resize(Args, capacity);
            State = Resize(State, capacity);
            Flags = Resize(Flags, capacity);
            Pending = Resize(Pending, capacity);
            Refs = Resize(Refs, capacity);
            Values = Resize(Values, capacity);
            Attempts = Resize(Attempts, capacity);
        }

        var head = new int[capacity];
        var from = 0;
        if (_extraHead is not null)
        {
            _extraHead.AsSpan().CopyTo(head);
            from = _extraHead.Length;
        }

        head.AsSpan(from).Fill(-1);
        _extraHead = head;
    }

    private static T[] Resize<T>(T[] array, int size)
    {
        var copy = new T[size];
        array.AsSpan().CopyTo(copy);
        return copy;
    }

    /// <summary>Allocation-free enumeration of a node's dependents (CSR part, then expansion edges).</summary>
    public struct DependentEnumerator
    {
        private readonly ExecutionPlan _plan;
        private int _csr;
        private readonly int _csrEnd;
        private int _edge;
        private bool _started;

        public DependentEnumerator(ExecutionPlan plan, int node)
        {
            _plan = plan;
            if (node < plan.InitialCount)
            {
                _csr = plan._depStart[node] - 1;
                _csrEnd = plan._depStart[node + 1];
            }
            else
            {
                _csr = 0;
                _csrEnd = 0;
            }

            _edge = plan._extraHead is { } head && node < head.Length ? head[node] : -1;
            _started = false;
            Current = -1;
        }

        public int Current { get; private set; }

        public readonly DependentEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_csr + 1 < _csrEnd)
            {
                _csr++;
                Current = _plan._depList[_csr];
                return true;
            }

            _csr = _csrEnd;
            if (_started)
            {
                if (_edge < 0) return false;
                _edge = _plan._extraNext[_edge];
            }

            _started = true;
            if (_edge < 0) return false;
            Current = _plan._extraTo[_edge];
            return true;
        }
    }
}
