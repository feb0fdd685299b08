using System.Text;

namespace VoxScheduler.Tests.Fuzz;

/// <summary>Mutates real programs the way people and editors break them: flipped characters, cut lines, spliced files, stray tokens.</summary>
internal static class ProgramMutator
{
    private static readonly string[] Vocabulary =
    [
        "let", "print", "save", "import", "for", "in", "do", "filter", "fold", "true", "false", "=", "(", ")", "[", "]", ",", ":",
        "+", "-", "*", "/", "%", "&&", "||", "!", "==", "!=", "<=", ">=", "<", ">", "~>", ".+.", "$file", "$stem", "$dir", "$cwd", "$x",
        "\"", "\"\\u00e9\\n\\t\\\"\"", "\"\\uZZZZ\"", "\"unterminated", "1e999", "1e-400", ".5", "1.", "0x10", "1_000", "NaN",
        "strings.concat", "test.sleep", "nosuch.op", "f()", "f(", "import \"strings\"", "import \"test\"", "import \"missing.imgql\"",
        "import \"../../etc/passwd\"", "// comment", "\n", " ", "\t", "\u00a0", "\u0000", "\uFEFF", "é", "𝔸",
        "let f(x) = f(x)", "let a = a", "x[1:2][0]", "xs[:]", "fold + 0", "range(3)", "for x in [1,2] do x * 2",
    ];

    /// <summary>One mutation of <paramref name="program"/> chosen by the seed values.</summary>
    public static string Mutate(string program, string other, int kind, int position, int token, int count)
    {
        var p = program.Length == 0 ? 0 : position % (program.Length + 1);
        var word = Vocabulary[token % Vocabulary.Length];
        switch (kind % 9)
        {
            case 0: // flip a character
                if (program.Length == 0) return word;
                var chars = program.ToCharArray();
                chars[Math.Min(p, chars.Length - 1)] = (char)(chars[Math.Min(p, chars.Length - 1)] ^ (1 << (count % 7)));
                return new string(chars);
            case 1: // insert a token
                return program.Insert(p, " " + word + " ");
            case 2: // delete a span
                return program.Remove(p, Math.Min(count % 40, program.Length - p));
            case 3: // truncate
                return program[..p];
            case 4: // splice with another program
                var q = other.Length == 0 ? 0 : count % other.Length;
                return program[..p] + other[q..];
            case 5: // duplicate a span
                var len = Math.Min(count % 80, program.Length - p);
                return program.Insert(p, program.Substring(p, len));
            case 6: // shuffle lines
                var lines = program.Split('\n');
                if (lines.Length > 1)
                {
                    var i = count % lines.Length;
                    var j = position % lines.Length;
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                }

                return string.Join('\n', lines);
            case 7: // several tokens
                var sb = new StringBuilder(program);
                for (var i = 0; i < 1 + count % 6; i++)
                {
                    sb.Insert(Math.Min(sb.Length, (p + i * 7) % (sb.Length + 1)), Vocabulary[(token + i * 13) % Vocabulary.Length]);
                }

                return sb.ToString();
            default: // nesting
                var depth = 1 + count % 300;
                return program.Insert(p, new string('(', depth)) + new string(')', depth % 3 == 0 ? depth : depth / 2);
        }
    }

    /// <summary>A program of random vocabulary tokens.</summary>
    public static string Random(IReadOnlyList<int> tokens) => string.Join(' ', tokens.Select(t => Vocabulary[t % Vocabulary.Length]));
}
