using System.Runtime.CompilerServices;

namespace VoxScheduler.Language.Syntax;

/// <summary>
/// Recursive-descent parser for docs/language.md §2–3. Binary operator chains are parsed with an
/// explicit operator stack (no recursion per operator), nesting (parentheses, brackets, calls,
/// prefix operators, let/for/fold bodies) is bounded by <see cref="MaxNesting"/> and by a check
/// of the remaining stack, so hostile input gives a clear error, never a stack overflow.
/// A syntax error abandons the current command and parsing resumes at the next command start,
/// so every error of a file is reported.
/// </summary>
internal sealed class Parser
{
    /// <summary>Deepest nesting accepted (parentheses, brackets, calls, prefix operators, let/for/fold).</summary>
    public const int MaxNesting = 100_000;

    private readonly List<Token> _tokens;
    private readonly string _file;
    private readonly Diagnostics _diagnostics;
    private readonly List<Expr> _operands = [];
    private readonly List<Token> _operators = [];
    private int _pos;
    private int _depth;

    private Parser(List<Token> tokens, string file, Diagnostics diagnostics)
    {
        _tokens = tokens;
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Parses a whole file; syntax errors go to <paramref name="diagnostics"/>.</summary>
    public static List<Command> ParseProgram(string text, string file, Diagnostics diagnostics)
    {
        var tokens = Lexer.Tokenize(text, file, diagnostics);
        var parser = new Parser(tokens, file, diagnostics);
        return parser.ParseCommands(null, 0);
    }

    /// <summary>
    /// Parses a whole file, handing the commands over in source order as batches of
    /// <paramref name="batchSize"/> (the last may be shorter) while parsing goes on, so that
    /// another thread can reduce them meanwhile.
    /// </summary>
    public static void ParseProgram(string text, string file, Diagnostics diagnostics, Action<List<Command>> onBatch, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(onBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var tokens = Lexer.Tokenize(text, file, diagnostics);
        var parser = new Parser(tokens, file, diagnostics);
        var rest = parser.ParseCommands(onBatch, batchSize);
        if (rest.Count > 0)
        {
            onBatch(rest);
        }
    }

    private Token Current => _tokens[_pos];

    private Token PeekToken(int offset) => _tokens[Math.Min(_pos + offset, _tokens.Count - 1)];

    private Token Previous => _tokens[Math.Max(0, _pos - 1)];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private List<Command> ParseCommands(Action<List<Command>>? onBatch, int batchSize)
    {
        var commands = new List<Command>(onBatch is null ? 16 : batchSize);
        while (Current.Kind != TokenKind.End)
        {
            var start = _pos;
            _operands.Clear();
            _operators.Clear();
            try
            {
                if (onBatch is not null && commands.Count == batchSize)
                {
                    onBatch(commands);
                    commands = new List<Command>(batchSize);
                }

                commands.Add(ParseCommand());
                if (Current.Kind != TokenKind.End && !IsCommandStart(_pos))
                {
                    throw Expected("an operator or the start of a new command (let, print, save, import, or a declaration)");
                }
            }
            catch (SyntaxError e)
            {
                _diagnostics.Add("Syntax", _file, e.Position, e.Message);
                Synchronize(start);
            }
        }

        return commands;
    }

    /// <summary>Skips to the next command start after an error, always making progress.</summary>
    private void Synchronize(int commandStart)
    {
        if (_pos <= commandStart)
        {
            _pos = commandStart + 1;
        }

        while (Current.Kind != TokenKind.End && !IsCommandStart(_pos))
        {
            _pos++;
        }
    }

    /// <summary>True when the token at <paramref name="i"/> begins a command (docs/language.md §2: found by looking ahead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private bool IsCommandStart(int i)
    {
        var t = _tokens[i];
        switch (t.Kind)
        {
            case TokenKind.Let:
            case TokenKind.Print:
            case TokenKind.Save:
            case TokenKind.Import:
                return true;
            case TokenKind.Dollar:
                return _tokens[i + 1].Kind == TokenKind.Equals;
            case TokenKind.Identifier:
                var next = _tokens[i + 1].Kind;
                if (next == TokenKind.Equals)
                {
                    return true;
                }

                if (next != TokenKind.LParen)
                {
                    return false;
                }

                // name ( [ident {, ident}] ) =
                var j = i + 2;
                if (_tokens[j].Kind == TokenKind.RParen)
                {
                    return _tokens[j + 1].Kind == TokenKind.Equals;
                }

                while (true)
                {
                    if (_tokens[j].Kind != TokenKind.Identifier) return false;
                    j++;
                    if (_tokens[j].Kind == TokenKind.RParen) return _tokens[j + 1].Kind == TokenKind.Equals;
                    if (_tokens[j].Kind != TokenKind.Comma) return false;
                    j++;
                }

            default:
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Command ParseCommand()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Let:
                _pos++;
                if (Current.Kind == TokenKind.Operator)
                {
                    return ParseOperatorDeclaration(t.Position);
                }

                if (Current.Kind is TokenKind.Identifier or TokenKind.Dollar)
                {
                    return ParseDeclaration(t.Position);
                }

                throw Expected("a name or an operator to declare");
            case TokenKind.Identifier:
            case TokenKind.Dollar:
                if (IsCommandStart(_pos))
                {
                    return ParseDeclaration(t.Position);
                }

                break;
            case TokenKind.Print:
            case TokenKind.Save:
            {
                _pos++;
                var target = Expect(TokenKind.String, t.Kind == TokenKind.Print ? "a label string after print" : "a path string after save");
                if (target.Text.Length == 0)
                {
                    throw new SyntaxError(target.Position, t.Kind == TokenKind.Print ? "expected a non-empty label, found \"\"" : "expected a non-empty path, found \"\"");
                }

                var value = ParseExpression();
                return new GoalCommand(t.Position, t.Kind == TokenKind.Save, target.Text, value);
            }

            case TokenKind.Import:
            {
                _pos++;
                var name = Expect(TokenKind.String, "a namespace or file name string after import");
                return new ImportCommand(t.Position, name.Text, name.Position);
            }
        }

        throw Expected("a command (let, print, save, import, or a declaration 'name = …')");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Declaration ParseDeclaration(SourcePosition start)
    {
        var name = Current;
        if (name.Text.Contains('.'))
        {
            throw new SyntaxError(name.Position, $"expected an unqualified name to declare, found {name.Describe()}");
        }

        _pos++;
        List<string>? parameters = null;
        List<SourcePosition>? positions = null;
        if (Current.Kind == TokenKind.LParen)
        {
            (parameters, positions) = ParseParameters();
        }

        Expect(TokenKind.Equals, parameters is null ? "'=' or '(' after the declared name" : "'=' after the parameters");
        var body = ParseExpression();
        return new Declaration(start, name.Text, name.Position, parameters, positions, body, isOperator: false);
    }

    private Declaration ParseOperatorDeclaration(SourcePosition start)
    {
        var op = Current;
        _pos++;
        if (Current.Kind != TokenKind.LParen)
        {
            throw Expected("'(' and the operands of the operator");
        }

        // One operand makes a prefix operator, two an infix one, any other number an operator
        // callable only in call position: ~(a, b, r, n) (docs/language.md §2).
        var (parameters, positions) = ParseParameters();

        Expect(TokenKind.Equals, "'=' after the operands");
        var body = ParseExpression();
        return new Declaration(start, op.Text, op.Position, parameters, positions, body, isOperator: true);
    }

    private (List<string>, List<SourcePosition>) ParseParameters()
    {
        Expect(TokenKind.LParen, "'('");
        var names = new List<string>();
        var positions = new List<SourcePosition>();
        if (Current.Kind != TokenKind.RParen)
        {
            while (true)
            {
                var p = Current;
                if (p.Kind != TokenKind.Identifier || p.Text.Contains('.'))
                {
                    throw Expected("a parameter name");
                }

                if (names.Contains(p.Text))
                {
                    throw new SyntaxError(p.Position, $"expected distinct parameter names, found '{p.Text}' twice");
                }

                names.Add(p.Text);
                positions.Add(p.Position);
                _pos++;
                if (Current.Kind == TokenKind.Comma)
                {
                    _pos++;
                    continue;
                }

                break;
            }
        }

        Expect(TokenKind.RParen, "',' or ')' in the parameter list");
        return (names, positions);
    }

    // ---------------------------------------------------------------- expressions

    private Expr ParseExpression()
    {
        Enter();
        try
        {
            return ParseBinary();
        }
        finally
        {
            _depth--;
        }
    }

    private void Enter()
    {
        if (++_depth > MaxNesting || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SyntaxError(Current.Position, $"expected an expression nested at most {MaxNesting} levels deep, found deeper nesting");
        }
    }

    /// <summary>Level of an infix operator (docs/language.md §3): 3 binds tightest, 8 loosest.</summary>
    internal static int Level(string op) => op[0] switch
    {
        '*' or '/' or '%' => 3,
        '+' or '-' => 4,
        '=' or '<' or '>' => 6,
        '!' when op.Length > 1 && op[1] == '=' => 6,
        '&' => 7,
        '|' => 8,
        _ => 5,
    };

    /// <summary>
    /// Operator-precedence parsing with explicit stacks (no recursion per operator: a 50,000-term
    /// sum is fine). The stacks are shared by nested calls, each working above its own base.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Expr ParseBinary()
    {
        var first = ParseUnary();
        if (Current.Kind != TokenKind.Operator)
        {
            return first;
        }

        var operandBase = _operands.Count;
        var operatorBase = _operators.Count;
        _operands.Add(first);
        while (Current.Kind == TokenKind.Operator)
        {
            var op = Current;
            var level = Level(op.Text);
            while (_operators.Count > operatorBase && Level(_operators[^1].Text) <= level)
            {
                ReduceTop();
            }

            _operators.Add(op);
            _pos++;
            _operands.Add(ParseUnary());
        }

        while (_operators.Count > operatorBase)
        {
            ReduceTop();
        }

        var result = _operands[^1];
        _operands.RemoveAt(_operands.Count - 1);
        System.Diagnostics.Debug.Assert(_operands.Count == operandBase);
        return result;
    }

    private void ReduceTop()
    {
        var op = _operators[^1];
        _operators.RemoveAt(_operators.Count - 1);
        var right = _operands[^1];
        var left = _operands[^2];
        _operands.RemoveRange(_operands.Count - 2, 2);
        _operands.Add(new BinaryExpr(op.Position, op.Text, left, right));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Expr ParseUnary()
    {
        if (Current.Kind != TokenKind.Operator)
        {
            return ParsePostfix(ParsePrimary());
        }

        // Prefix operators, collected iteratively; each one still counts as a nesting level.
        var prefixes = new List<Token>();
        Expr operand;
        while (true)
        {
            var op = Current;
            _pos++;
            if (Current.Kind == TokenKind.LParen && !Current.SpaceBefore)
            {
                // OP(a, b) calls the operator; OP(a) is the prefix operator applied to (a).
                var args = ParseArguments();
                if (args.Count == 1)
                {
                    prefixes.Add(op);
                    operand = ParsePostfix(args[0]);
                }
                else
                {
                    operand = ParsePostfix(new CallExpr(op.Position, op.Text, args, isOperator: true));
                }

                break;
            }

            prefixes.Add(op);
            if (prefixes.Count + _depth > MaxNesting)
            {
                throw new SyntaxError(op.Position, $"expected an expression nested at most {MaxNesting} levels deep, found deeper nesting");
            }

            if (Current.Kind != TokenKind.Operator)
            {
                operand = ParsePostfix(ParsePrimary());
                break;
            }
        }

        for (var i = prefixes.Count - 1; i >= 0; i--)
        {
            operand = new PrefixExpr(prefixes[i].Position, prefixes[i].Text, operand);
        }

        return operand;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var t = Current;
            if (t.Kind == TokenKind.LBracket && !t.SpaceBefore)
            {
                expr = ParseIndex(expr);
            }
            else if (t.Kind == TokenKind.LParen && expr is NameExpr name && Previous.Line == t.Line)
            {
                var args = ParseArguments();
                expr = new CallExpr(name.Position, name.Name, args, isOperator: false);
            }
            else
            {
                return expr;
            }
        }
    }

    private Expr ParseIndex(Expr target)
    {
        var open = Current;
        _pos++;
        Enter();
        try
        {
            Expr? start = null;
            if (Current.Kind != TokenKind.Colon)
            {
                if (Current.Kind == TokenKind.RBracket)
                {
                    throw Expected("an index or a slice");
                }

                start = ParseBinary();
                if (Current.Kind == TokenKind.RBracket)
                {
                    _pos++;
                    return new IndexExpr(open.Position, target, start);
                }
            }

            Expect(TokenKind.Colon, "']' or ':' in the index");
            Expr? stop = null;
            if (Current.Kind != TokenKind.RBracket)
            {
                stop = ParseBinary();
            }

            Expect(TokenKind.RBracket, "']' to close the slice");
            return new SliceExpr(open.Position, target, start, stop);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary><c>( [e {, e}] )</c>.</summary>
    private List<Expr> ParseArguments()
    {
        Expect(TokenKind.LParen, "'('");
        Enter();
        try
        {
            var args = new List<Expr>();
            if (Current.Kind == TokenKind.RParen)
            {
                _pos++;
                return args;
            }

            while (true)
            {
                args.Add(ParseBinary());
                if (Current.Kind == TokenKind.Comma)
                {
                    _pos++;
                    continue;
                }

                Expect(TokenKind.RParen, "',' or ')'");
                return args;
            }
        }
        finally
        {
            _depth--;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Number:
                _pos++;
                return new NumberExpr(t.Position, t.Number);
            case TokenKind.String:
                _pos++;
                return new StringExpr(t.Position, t.Text);
            case TokenKind.True:
            case TokenKind.False:
                _pos++;
                return new BoolExpr(t.Position, t.Kind == TokenKind.True);
            case TokenKind.Identifier:
            case TokenKind.Dollar:
                _pos++;
                return new NameExpr(t.Position, t.Text);
            case TokenKind.LParen:
            {
                _pos++;
                Enter();
                try
                {
                    if (Current.Kind == TokenKind.RParen)
                    {
                        throw Expected("an expression inside '( )'");
                    }

                    var inner = ParseBinary();
                    Expect(TokenKind.RParen, "')'");
                    return inner;
                }
                finally
                {
                    _depth--;
                }
            }

            case TokenKind.LBracket:
            {
                _pos++;
                Enter();
                try
                {
                    var items = new List<Expr>();
                    if (Current.Kind != TokenKind.RBracket)
                    {
                        while (true)
                        {
                            items.Add(ParseBinary());
                            if (Current.Kind == TokenKind.Comma)
                            {
                                _pos++;
                                continue;
                            }

                            break;
                        }
                    }

                    Expect(TokenKind.RBracket, "',' or ']' in the array");
                    return new ArrayExpr(t.Position, items);
                }
                finally
                {
                    _depth--;
                }
            }

            case TokenKind.Let:
                return Nested(ParseLet);
            case TokenKind.For:
            case TokenKind.Filter:
                return Nested(ParseFor);
            case TokenKind.Fold:
                return Nested(ParseFold);
            default:
                throw Expected("an expression");
        }
    }

    private Expr Nested(Func<Expr> parse)
    {
        Enter();
        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseLet()
    {
        var start = Current.Position;
        _pos++;
        var name = Expect(TokenKind.Identifier, "a name after let");
        if (name.Text.Contains('.'))
        {
            throw new SyntaxError(name.Position, $"expected an unqualified name, found {name.Describe()}");
        }

        Expect(TokenKind.Equals, "'=' after the name");
        var value = ParseBinary();
        Expect(TokenKind.In, "'in' after the value of a local let");
        var body = ParseBinary();
        return new LetExpr(start, name.Text, name.Position, value, body);
    }

    private Expr ParseFor()
    {
        var keyword = Current;
        _pos++;
        var variable = Expect(TokenKind.Identifier, "a loop variable");
        if (variable.Text.Contains('.'))
        {
            throw new SyntaxError(variable.Position, $"expected an unqualified name, found {variable.Describe()}");
        }

        Expect(TokenKind.In, "'in' after the loop variable");
        var sequence = ParseBinary();
        Expect(TokenKind.Do, "'do' after the sequence");
        var body = ParseBinary();
        return new ForExpr(keyword.Position, keyword.Kind == TokenKind.Filter, variable.Text, sequence, body);
    }

    private Expr ParseFold()
    {
        var keyword = Current;
        _pos++;
        var op = Current;
        if (!(op.Kind == TokenKind.Operator || (op.Kind == TokenKind.Identifier && op.Text is "min" or "max")))
        {
            throw Expected("a fold operator (+ - * / && || min max)");
        }

        _pos++;
        var first = ParseBinary();
        // fold OP init seq: a second expression follows unless the next token starts a command.
        if (CanStartOperand(Current.Kind) && !IsCommandStart(_pos))
        {
            var seq = ParseBinary();
            return new FoldExpr(keyword.Position, op.Text, op.Position, first, seq);
        }

        return new FoldExpr(keyword.Position, op.Text, op.Position, null, first);
    }

    private static bool CanStartOperand(TokenKind kind) => kind is TokenKind.Number or TokenKind.String or TokenKind.True or TokenKind.False
        or TokenKind.Identifier or TokenKind.Dollar or TokenKind.LParen or TokenKind.LBracket or TokenKind.Operator
        or TokenKind.For or TokenKind.Filter or TokenKind.Fold;

    private Token Expect(TokenKind kind, string what)
    {
        var t = Current;
        if (t.Kind != kind)
        {
            throw Expected(what);
        }

        _pos++;
        return t;
    }

    private SyntaxError Expected(string what) => new(Current.Position, $"expected {what}, found {Current.Describe()}");

    private sealed class SyntaxError(SourcePosition position, string message) : Exception(message)
    {
        public SourcePosition Position { get; } = position;
    }
}
