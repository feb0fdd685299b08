namespace VoxScheduler.Language.Reduction;

/// <summary>The operator symbols of the default namespace and the internal operations the reducer emits.</summary>
internal static class BuiltinNames
{
    public const string Sequence = "default.sequence";
    public const string Range = "default.range";
    public const string Index = "default.index";
    public const string Slice = "default.slice";
    public const string Map = "default.map";
    public const string Fold = "default.fold";
    public const string Load = "default.load";
    public const string LoadVolatile = "default.load_volatile";
    public const string Dir = "default.dir";
    public const string ForEach = "default.for_each";
    public const string Where = "default.where";
    public const string ConcatSequences = "default.concat_sequences";
    public const string LoopVariable = "default.loop_variable";

    /// <summary>Operations the reducer emits itself; a program cannot name them.</summary>
    public static readonly HashSet<string> Internal = new(StringComparer.Ordinal)
    {
        Fold, LoadVolatile, ForEach, Where, ConcatSequences, LoopVariable,
    };

    /// <summary>The combiners <c>fold</c> accepts.</summary>
    public static readonly HashSet<string> FoldOperators = new(StringComparer.Ordinal) { "+", "-", "*", "/", "&&", "||", "min", "max" };

    public static string? Binary(string symbol) => symbol switch
    {
        "+" => "default.add",
        "-" => "default.sub",
        "*" => "default.mul",
        "/" => "default.div",
        "%" => "default.mod",
        "==" => "default.eq",
        "!=" => "default.neq",
        "<" => "default.lt",
        "<=" => "default.leq",
        ">" => "default.gt",
        ">=" => "default.geq",
        "&&" => "default.and",
        "||" => "default.or",
        _ => null,
    };

    public static string? Prefix(string symbol) => symbol switch
    {
        "-" => "default.neg",
        "!" => "default.not",
        _ => null,
    };
}
