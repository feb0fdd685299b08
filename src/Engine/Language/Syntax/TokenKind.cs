namespace VoxScheduler.Language.Syntax;

/// <summary>The kinds of token of docs/language.md §1.</summary>
internal enum TokenKind : byte
{
    End,
    Identifier,
    Dollar,
    Number,
    String,
    Operator,
    Equals,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Let,
    Print,
    Save,
    Import,
    For,
    In,
    Do,
    Filter,
    Fold,
    True,
    False,
}
