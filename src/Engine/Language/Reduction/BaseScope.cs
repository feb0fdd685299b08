using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// The base image in scope (IMAGES.md §3): the image that gives bare <c>tt</c>, <c>border</c>,
/// <c>x</c>, … their shape. It is the first <c>load</c> (in source order) of the function body
/// being reduced, or of the top level; a body without a <c>load</c> shares its caller's scope
/// object. The base node becomes an argument of every node that uses it, so no hidden global
/// exists at run time and node ids say which image gave the shape.
/// </summary>
internal sealed class BaseScope
{
    private readonly Func<RValue?> _reduceAhead;
    private RValue? _resolved;
    private bool _resolving;

    /// <param name="id">Distinguishes scopes in the memo keys of functions that inherit their caller's base.</param>
    /// <param name="load">The scope's first <c>load</c> call.</param>
    /// <param name="reduceAhead">Reduces <paramref name="load"/> before the reducer reaches it, or gives null when its arguments are not yet reducible.</param>
    public BaseScope(int id, CallExpr load, Func<RValue?> reduceAhead)
    {
        Id = id;
        Load = load;
        _reduceAhead = reduceAhead;
    }

    public int Id { get; }

    public CallExpr Load { get; }

    /// <summary>Records the node of <see cref="Load"/> when the reducer reaches it in place.</summary>
    public void Offer(CallExpr call, RValue value)
    {
        if (_resolved is null && ReferenceEquals(call, Load)) _resolved = value;
    }

    /// <summary>The base image node (poison after an error), or null when it cannot be known here.</summary>
    public RValue? Resolve()
    {
        if (_resolved is null && !_resolving)
        {
            // A load whose path itself used a bare form would ask for the base while being reduced.
            _resolving = true;
            try
            {
                _resolved = _reduceAhead();
            }
            finally
            {
                _resolving = false;
            }
        }

        return _resolved;
    }
}
