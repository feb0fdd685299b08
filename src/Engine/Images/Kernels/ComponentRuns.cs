using System.Buffers;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// The 26-connected components of a mask as labelled runs: every maximal run of true voxels along
/// x, in raster order, with its component label (1..k, in order of each component's first voxel).
/// Holds pooled buffers: dispose it.
/// </summary>
internal sealed class ComponentRuns : IDisposable
{
    private int[]? _rowStart;
    private int[]? _start;
    private int[]? _end;
    private int[]? _label;

    internal ComponentRuns(VoxelGrid grid, int[] rowStart, int[] start, int[] end, int[] label, int runs, int components)
    {
        Grid = grid;
        _rowStart = rowStart;
        _start = start;
        _end = end;
        _label = label;
        RunCount = runs;
        Components = components;
    }

    public VoxelGrid Grid { get; }

    public int RunCount { get; }

    /// <summary>Number of components (k).</summary>
    public int Components { get; }

    /// <summary>Runs of row r (r = y + ny·z) are [RowStart(r), RowStart(r + 1)).</summary>
    public ReadOnlySpan<int> RowStart => _rowStart.AsSpan(0, Grid.Ny * Grid.Nz + 1);

    /// <summary>First x of each run.</summary>
    public ReadOnlySpan<int> Start => _start.AsSpan(0, RunCount);

    /// <summary>Last x of each run (inclusive).</summary>
    public ReadOnlySpan<int> End => _end.AsSpan(0, RunCount);

    /// <summary>Component label of each run.</summary>
    public ReadOnlySpan<int> Label => _label.AsSpan(0, RunCount);

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>Writes <paramref name="valueOfLabel"/>[label] on every voxel of every run, the default value elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Paint<T>(Span<T> dst, ReadOnlySpan<T> valueOfLabel) where T : struct
    {
        Grid.CheckLength(dst, nameof(dst));
        dst.Clear();
        var rows = RowStart;
        var start = Start;
        var end = End;
        var label = Label;
        var nx = Grid.Nx;
        for (var r = 0; r < rows.Length - 1; r++)
        {
            var row = dst.Slice(r * nx, nx);
            for (var j = rows[r]; j < rows[r + 1]; j++) row[start[j]..(end[j] + 1)].Fill(valueOfLabel[label[j]]);
        }
    }

    public void Dispose()
    {
        Return(ref _rowStart);
        Return(ref _start);
        Return(ref _end);
        Return(ref _label);
    }

    private static void Return(ref int[]? array)
    {
        if (array is not null) ArrayPool<int>.Shared.Return(array);
        array = null;
    }
}
