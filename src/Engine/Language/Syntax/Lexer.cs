using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;

namespace VoxScheduler.Language.Syntax;

/// <summary>
/// Turns program text into tokens (docs/language.md §1). Never throws on bad input: problems go to
/// the diagnostics and lexing goes on, so every error of a file is reported at once.
/// </summary>
internal sealed class Lexer
{
    private const string SymbolChars = "!#$%&*+-./:<=>?@^|~\\'";

    private readonly string _text;
    private readonly string _file;
    private readonly Diagnostics _diagnostics;
    private readonly List<Token> _tokens;
    // Open brackets, innermost last: a lone ':' is the slice separator only directly inside '[ ]'.
    private readonly Stack<char> _brackets = new();
    // Names and operators repeat: one string per distinct spelling.
    private readonly HashSet<string> _pool = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _poolLookup;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string text, string file, Diagnostics diagnostics)
    {
        _text = text;
        _tokens = new List<Token>(Math.Min(text.Length / 4 + 16, 1 << 24)); // about one token per four characters
        _file = file;
        _diagnostics = diagnostics;
        _poolLookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private string Intern(int start, int end)
    {
        var span = _text.AsSpan(start, end - start);
        if (!_poolLookup.TryGetValue(span, out var s))
        {
            s = span.ToString();
            _pool.Add(s);
        }

        return s;
    }

    public static List<Token> Tokenize(string text, string file, Diagnostics diagnostics)
    {
        var lexer = new Lexer(text, file, diagnostics);
        lexer.Run();
        return lexer._tokens;
    }

    public static bool IsSymbolChar(char c) => SymbolChars.IndexOf(c) >= 0;

    private static bool IsIdentStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    private static bool IsIdentChar(char c) => IsIdentStart(c) || char.IsAsciiDigit(c);

    /// <summary>True when the identifier from <paramref name="start"/> to the current position is capitals, then digits or capitals.</summary>
    private bool IsCapitalOperatorPrefix(int start)
    {
        if (_text[start] is not (>= 'A' and <= 'Z')) return false;
        for (var i = start + 1; i < _pos; i++)
        {
            if (_text[i] is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9'))) return false;
        }

        return true;
    }

    private char Peek(int offset = 0) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void Run()
    {
        var space = true;
        while (true)
        {
            space |= SkipTrivia();
            if (_pos >= _text.Length)
            {
                _tokens.Add(new Token(TokenKind.End, _line, _pos - _lineStart + 1, true, string.Empty));
                return;
            }

            var line = _line;
            var column = _pos - _lineStart + 1;
            var c = _text[_pos];
            if (IsIdentStart(c))
            {
                LexIdentifier(line, column, space);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            {
                LexNumber(line, column, space);
            }
            else if (c == '"')
            {
                LexString(line, column, space);
            }
            else if (c == '$' && Peek(1) is >= 'a' and <= 'z')
            {
                var start = _pos++;
                while (_pos < _text.Length && (_text[_pos] is (>= 'a' and <= 'z') or '_' || char.IsAsciiDigit(_text[_pos]))) _pos++;
                _tokens.Add(new Token(TokenKind.Dollar, line, column, space, Intern(start, _pos)));
            }
            else if (IsSymbolChar(c))
            {
                LexOperator(line, column, space);
            }
            else
            {
                _pos++;
                switch (c)
                {
                    case '(':
                        _brackets.Push('(');
                        _tokens.Add(new Token(TokenKind.LParen, line, column, space, "("));
                        break;
                    case ')':
                        PopBracket('(');
                        _tokens.Add(new Token(TokenKind.RParen, line, column, space, ")"));
                        break;
                    case '[':
                        _brackets.Push('[');
                        _tokens.Add(new Token(TokenKind.LBracket, line, column, space, "["));
                        break;
                    case ']':
                        PopBracket('[');
                        _tokens.Add(new Token(TokenKind.RBracket, line, column, space, "]"));
                        break;
                    case ',':
                        _tokens.Add(new Token(TokenKind.Comma, line, column, space, ","));
                        break;
                    default:
                        var shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
                        _diagnostics.Add("Syntax", _file, new SourcePosition(line, column), $"expected a token, found unexpected character '{shown}'");
                        break;
                }
            }

            space = false;
        }
    }

    private void PopBracket(char open)
    {
        if (_brackets.Count > 0 && _brackets.Peek() == open)
        {
            _brackets.Pop();
        }
    }

    /// <summary>Skips whitespace and comments; true when anything was skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private bool SkipTrivia()
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c is ' ' or '\t' or '\r' or '\f' or '\v' or '\uFEFF')
            {
                _pos++;
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else
            {
                break;
            }
        }

        return _pos > start;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void LexIdentifier(int line, int column, bool space)
    {
        var start = _pos;
        while (_pos < _text.Length && IsIdentChar(_text[_pos])) _pos++;
        if (IsCapitalOperatorPrefix(start) && IsSymbolChar(Peek()) && !(Peek() == '.' && IsIdentStart(Peek(1))) && !(Peek() == '/' && Peek(1) == '/'))
        {
            // Capitals (and digits after the first capital) immediately followed by symbol
            // characters are one operator token, as in VoxLogicA-2: B+ (docs/language.md §1).
            var wordEnd = _pos;
            while (_pos < _text.Length && IsSymbolChar(_text[_pos]) && !(_text[_pos] == '/' && Peek(1) == '/')) _pos++;
            if (_pos - wordEnd == 1 && _text[wordEnd] == '=')
            {
                _pos = wordEnd; // X=1: a lone '=' is the definition sign
            }
            else
            {
                _tokens.Add(new Token(TokenKind.Operator, line, column, space, Intern(start, _pos)));
                return;
            }
        }

        // One namespace qualification: strings.concat.
        if (Peek() == '.' && IsIdentStart(Peek(1)))
        {
            _pos++;
            while (_pos < _text.Length && IsIdentChar(_text[_pos])) _pos++;
        }

        var text = Intern(start, _pos);
        var kind = text switch
        {
            "let" => TokenKind.Let,
            "print" => TokenKind.Print,
            "save" => TokenKind.Save,
            "import" => TokenKind.Import,
            "for" => TokenKind.For,
            "in" => TokenKind.In,
            "do" => TokenKind.Do,
            "filter" => TokenKind.Filter,
            "fold" => TokenKind.Fold,
            "true" => TokenKind.True,
            "false" => TokenKind.False,
            _ => TokenKind.Identifier,
        };
        _tokens.Add(new Token(kind, line, column, space, text));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void LexNumber(int line, int column, bool space)
    {
        var start = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        if (Peek() == '.')
        {
            _pos++;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }

        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            _pos += 2;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }

        var text = Intern(start, _pos);
        var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(value))
        {
            _diagnostics.Add("Syntax", _file, new SourcePosition(line, column), $"expected a finite number, found {text}");
            value = 0;
        }

        _tokens.Add(new Token(TokenKind.Number, line, column, space, text, value));
    }

    private void LexString(int line, int column, bool space)
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                _diagnostics.Add("Syntax", _file, new SourcePosition(_line, _pos - _lineStart + 1),
                    $"expected '\"' to close the string started at {line}:{column}, found {(_pos >= _text.Length ? "end of file" : "end of line")}");
                break;
            }

            var c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                break;
            }

            if (c != '\\')
            {
                sb.Append(c);
                _pos++;
                continue;
            }

            var escapeColumn = _pos - _lineStart + 1;
            var e = Peek(1);
            switch (e)
            {
                case '"': sb.Append('"'); _pos += 2; break;
                case '\\': sb.Append('\\'); _pos += 2; break;
                case 'n': sb.Append('\n'); _pos += 2; break;
                case 't': sb.Append('\t'); _pos += 2; break;
                case 'r': sb.Append('\r'); _pos += 2; break;
                case 'u':
                    if (_pos + 6 <= _text.Length && ushort.TryParse(_text.AsSpan(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        sb.Append((char)code);
                        _pos += 6;
                    }
                    else
                    {
                        _diagnostics.Add("Syntax", _file, new SourcePosition(_line, escapeColumn), "expected four hex digits after \\u, found something else");
                        _pos += 2;
                    }

                    break;
                default:
                    var shown = e is '\0' or '\n' ? "end of line" : "'\\" + e + "'";
                    _diagnostics.Add("Syntax", _file, new SourcePosition(_line, escapeColumn),
                        $"expected an escape (\\\" \\\\ \\n \\t \\r \\uXXXX), found {shown}");
                    _pos += e is '\0' or '\n' ? 1 : 2;
                    break;
            }
        }

        var value = sb.ToString();
        if (HasUnpairedSurrogate(value))
        {
            // A lone surrogate has no UTF-8 form: two different strings would get the same id.
            _diagnostics.Add("Syntax", _file, new SourcePosition(line, column), "expected a string of valid Unicode, found an unpaired surrogate (\\uD800–\\uDFFF)");
        }

        _tokens.Add(new Token(TokenKind.String, line, column, space, value));
    }

    private static bool HasUnpairedSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private void LexOperator(int line, int column, bool space)
    {
        var start = _pos;
        if (_text[_pos] == ':' && _brackets.Count > 0 && _brackets.Peek() == '[')
        {
            // Inside [ ], a ':' that begins an operator run is the slice separator ([a:-1] is a slice).
            _pos++;
            _tokens.Add(new Token(TokenKind.Colon, line, column, space, ":"));
            return;
        }

        while (_pos < _text.Length && IsSymbolChar(_text[_pos]))
        {
            if (_text[_pos] == '/' && Peek(1) == '/' && _pos > start)
            {
                break; // a comment starts: the operator ends here
            }

            _pos++;
        }

        var text = Intern(start, _pos);
        _tokens.Add(text == "="
            ? new Token(TokenKind.Equals, line, column, space, "=")
            : new Token(TokenKind.Operator, line, column, space, text));
    }
}
