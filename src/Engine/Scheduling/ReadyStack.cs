namespace VoxScheduler.Scheduling;

/// <summary>
/// The ready nodes of one execution, last in first out: a node made ready by a completion is
/// run next, so intermediates are consumed soon after they are produced (depth-first order
/// keeps the live set small). Guarded by the execution's lock.
/// </summary>
internal sealed class ReadyStack
{
    private int[] _items = new int[64];
    private int _count;

    public int Count => _count;

    public void Push(int node)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = node;
    }

    public bool TryPop(out int node)
    {
        if (_count == 0)
        {
            node = -1;
            return false;
        }

        node = _items[--_count];
        return true;
    }

    public void Clear() => _count = 0;
}
