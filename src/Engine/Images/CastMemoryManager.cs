using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoxScheduler.Images;

/// <summary>
/// Memory of one unmanaged element type seen as another (float voxels as bytes and back), so an
/// image keeps one buffer and hands out typed views without copying it.
/// </summary>
internal sealed class CastMemoryManager<TFrom, TTo> : MemoryManager<TTo>
    where TFrom : unmanaged
    where TTo : unmanaged
{
    private readonly Memory<TFrom> _source;

    public CastMemoryManager(Memory<TFrom> source) => _source = source;

    public override Span<TTo> GetSpan() => MemoryMarshal.Cast<TFrom, TTo>(_source.Span);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var byteOffset = (long)elementIndex * Unsafe.SizeOf<TTo>();
        if (byteOffset % Unsafe.SizeOf<TFrom>() != 0) throw new ArgumentOutOfRangeException(nameof(elementIndex), "The element does not start on a source element.");
        return _source[(int)(byteOffset / Unsafe.SizeOf<TFrom>())..].Pin();
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
