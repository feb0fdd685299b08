namespace VoxScheduler.Language.Syntax;

/// <summary>
/// One token with its position. <see cref="SpaceBefore"/> records whether whitespace (or a
/// comment) separates it from the previous token: indexing binds only without it, so that
/// <c>fold + 0 [1, 2]</c> reads as an init followed by a sequence.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Line, int Column, bool SpaceBefore, string Text, double Number = 0)
{
    public SourcePosition Position => new(Line, Column);

    /// <summary>How the token is named in "found …" messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of file",
        TokenKind.String => "string \"" + (Text.Length > 20 ? Text[..20] + "…" : Text) + "\"",
        TokenKind.Number => "number " + Text,
        TokenKind.Identifier => "name '" + Text + "'",
        TokenKind.Dollar => "variable '" + Text + "'",
        TokenKind.Operator => "operator '" + Text + "'",
        _ when IsKeyword(Kind) => "keyword '" + Text + "'",
        _ => "'" + Text + "'",
    };

    public static bool IsKeyword(TokenKind kind) => kind >= TokenKind.Let;
}
