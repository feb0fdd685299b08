namespace VoxScheduler.Language.Syntax;

/// <summary>An expression of the syntax tree (docs/language.md §3), with the position it starts at (operators: the operator's position).</summary>
internal abstract class Expr(SourcePosition position)
{
    public SourcePosition Position { get; } = position;
}

internal sealed class NumberExpr(SourcePosition position, double value) : Expr(position)
{
    public double Value { get; } = value;
}

internal sealed class StringExpr(SourcePosition position, string value) : Expr(position)
{
    public string Value { get; } = value;
}

internal sealed class BoolExpr(SourcePosition position, bool value) : Expr(position)
{
    public bool Value { get; } = value;
}

/// <summary>A name: plain (<c>x</c>), qualified (<c>strings.concat</c>) or a program variable (<c>$file</c>).</summary>
internal sealed class NameExpr(SourcePosition position, string name) : Expr(position)
{
    public string Name { get; } = name;
}

/// <summary><c>f(a, b)</c>, <c>f()</c>, <c>+(a, b)</c>; <see cref="IsOperator"/> for an operator in call position.</summary>
internal sealed class CallExpr(SourcePosition position, string callee, IReadOnlyList<Expr> arguments, bool isOperator) : Expr(position)
{
    public string Callee { get; } = callee;

    public IReadOnlyList<Expr> Arguments { get; } = arguments;

    public bool IsOperator { get; } = isOperator;
}

/// <summary><c>left OP right</c>; the position is the operator's.</summary>
internal sealed class BinaryExpr(SourcePosition position, string op, Expr left, Expr right) : Expr(position)
{
    public string Operator { get; } = op;

    public Expr Left { get; } = left;

    public Expr Right { get; } = right;
}

/// <summary><c>OP operand</c>.</summary>
internal sealed class PrefixExpr(SourcePosition position, string op, Expr operand) : Expr(position)
{
    public string Operator { get; } = op;

    public Expr Operand { get; } = operand;
}

internal sealed class ArrayExpr(SourcePosition position, IReadOnlyList<Expr> items) : Expr(position)
{
    public IReadOnlyList<Expr> Items { get; } = items;
}

/// <summary><c>target[index]</c>; the position is the bracket's.</summary>
internal sealed class IndexExpr(SourcePosition position, Expr target, Expr index) : Expr(position)
{
    public Expr Target { get; } = target;

    public Expr Index { get; } = index;
}

/// <summary><c>target[start:stop]</c> with either bound optional.</summary>
internal sealed class SliceExpr(SourcePosition position, Expr target, Expr? start, Expr? stop) : Expr(position)
{
    public Expr Target { get; } = target;

    public Expr? Start { get; } = start;

    public Expr? Stop { get; } = stop;
}

/// <summary><c>let name = value in body</c>.</summary>
internal sealed class LetExpr(SourcePosition position, string name, SourcePosition namePosition, Expr value, Expr body) : Expr(position)
{
    public string Name { get; } = name;

    public SourcePosition NamePosition { get; } = namePosition;

    public Expr Value { get; } = value;

    public Expr Body { get; } = body;
}

/// <summary><c>for x in seq do body</c> or <c>filter x in seq do predicate</c>.</summary>
internal sealed class ForExpr(SourcePosition position, bool isFilter, string variable, Expr sequence, Expr body) : Expr(position)
{
    public bool IsFilter { get; } = isFilter;

    public string Variable { get; } = variable;

    public Expr Sequence { get; } = sequence;

    public Expr Body { get; } = body;
}

/// <summary><c>fold OP init seq</c> or <c>fold OP seq</c>.</summary>
internal sealed class FoldExpr(SourcePosition position, string op, SourcePosition operatorPosition, Expr? init, Expr sequence) : Expr(position)
{
    public string Operator { get; } = op;

    public SourcePosition OperatorPosition { get; } = operatorPosition;

    public Expr? Init { get; } = init;

    public Expr Sequence { get; } = sequence;
}
