using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Dag;

/// <summary>
/// RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units, minimal string
/// escaping with raw UTF-8, numbers written the way ECMAScript's Number.prototype.toString does.
/// Node ids hash these bytes, so any change here changes every id: the test vectors of
/// docs/language.md §5 pin it.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Canonical UTF-8 bytes of a JSON-like value.</summary>
    public static byte[] Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Canonical JSON text of a JSON-like value.</summary>
    public static string SerializeToString(object? value) => Encoding.UTF8.GetString(Serialize(value));

    /// <summary>
    /// Writes a JSON-like value: null, booleans, numbers (double; 64-bit integers are written
    /// exactly), strings, dictionaries with string keys, sequences, and <see cref="JsonElement"/>.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, object? value, int depth = 0)
    {
        if (depth > 256)
        {
            throw new ArgumentException("A value nested more than 256 levels deep cannot be a node attribute.");
        }

        switch (value)
        {
            case null:
                WriteAscii(output, "null");
                break;
            case bool b:
                WriteAscii(output, b ? "true" : "false");
                break;
            case string s:
                WriteString(output, s);
                break;
            case double d:
                WriteNumber(output, d);
                break;
            case float f:
                WriteNumber(output, f);
                break;
            case int i:
                WriteNumber(output, i);
                break;
            case long l:
                WriteAscii(output, l.ToString(CultureInfo.InvariantCulture));
                break;
            case ulong u:
                WriteAscii(output, u.ToString(CultureInfo.InvariantCulture));
                break;
            case uint ui:
                WriteNumber(output, ui);
                break;
            case short sh:
                WriteNumber(output, sh);
                break;
            case byte by:
                WriteNumber(output, by);
                break;
            case decimal m:
                WriteNumber(output, (double)m);
                break;
            case JsonElement element:
                WriteElement(output, element, depth);
                break;
            case IDictionary<string, object?> dict:
                WriteObject(output, dict.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)), depth);
                break;
            case IReadOnlyDictionary<string, object?> rdict:
                WriteObject(output, rdict, depth);
                break;
            case IDictionary legacy:
                WriteObject(output, legacy.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(
                    k as string ?? throw new ArgumentException("Object keys must be strings."), legacy[k])), depth);
                break;
            case byte[]:
                throw new ArgumentException("Raw bytes have no canonical JSON form; pass them as a node's value, not an attribute.");
            case IEnumerable sequence:
                WriteByte(output, (byte)'[');
                var first = true;
                foreach (var item in sequence)
                {
                    if (!first) WriteByte(output, (byte)',');
                    first = false;
                    Write(output, item, depth + 1);
                }

                WriteByte(output, (byte)']');
                break;
            default:
                throw new ArgumentException($"A value of type {value.GetType().Name} has no canonical JSON form.");
        }
    }

    private static void WriteObject(IBufferWriter<byte> output, IEnumerable<KeyValuePair<string, object?>> members, int depth)
    {
        var sorted = members.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        WriteByte(output, (byte)'{');
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
            {
                if (sorted[i].Key == sorted[i - 1].Key)
                {
                    throw new ArgumentException($"Duplicate object key '{sorted[i].Key}'.");
                }

                WriteByte(output, (byte)',');
            }

            WriteString(output, sorted[i].Key);
            WriteByte(output, (byte)':');
            Write(output, sorted[i].Value, depth + 1);
        }

        WriteByte(output, (byte)'}');
    }

    private static void WriteElement(IBufferWriter<byte> output, JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                WriteAscii(output, "null");
                break;
            case JsonValueKind.True:
                WriteAscii(output, "true");
                break;
            case JsonValueKind.False:
                WriteAscii(output, "false");
                break;
            case JsonValueKind.String:
                WriteString(output, element.GetString()!);
                break;
            case JsonValueKind.Number:
                WriteNumber(output, element.GetDouble());
                break;
            case JsonValueKind.Array:
                Write(output, element.EnumerateArray().Select(e => (object?)e), depth);
                break;
            case JsonValueKind.Object:
                WriteObject(output, element.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)), depth);
                break;
        }
    }

    /// <summary>Largest integer below which every integer is a double: their shortest round-trip digits are their own.</summary>
    private const double MaxSafeInteger = 9007199254740991d;

    /// <summary>Writes a number as ECMAScript's Number.prototype.toString would.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        // Integers up to 2^53 (revisions, counters, most literals) print as their plain digits:
        // formatted straight into the output, no strings. Larger ones may print rounded digits
        // (2^60 is 1152921504606847000 in ECMAScript), so they take the general path.
        if (Math.Abs(value) <= MaxSafeInteger && value == Math.Floor(value))
        {
            var span = output.GetSpan(20);
            ((long)value).TryFormat(span, out var written, default, CultureInfo.InvariantCulture); // -0 becomes 0, as JCS wants
            output.Advance(written);
            return;
        }

        WriteAscii(output, FormatNumber(value));
    }

    /// <summary>ECMAScript Number.prototype.toString of a finite double (RFC 8785 §3.2.2.3).</summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("NaN and infinities have no JSON form.");
        }

        if (value == 0)
        {
            return "0"; // also -0
        }

        var negative = value < 0;
        // "R" yields the shortest digits that round-trip: the same digits ECMAScript picks.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var ePos = r.IndexOfAny(['E', 'e']);
        var mantissa = r;
        if (ePos >= 0)
        {
            exponent = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = r[..ePos];
        }

        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var digits = (intPart + fracPart).TrimStart('0');
        // n: position of the decimal point relative to the first significant digit.
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        var n = intPart.Length - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var sb = new StringBuilder(32);
        if (negative) sb.Append('-');
        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            sb.Append(digits[0]);
            if (k > 1) sb.Append('.').Append(digits, 1, k - 1);
            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Writes a string with JCS's minimal escaping.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        WriteByte(output, (byte)'"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteUtf8(output, value.AsSpan(start, i - start));
            start = i + 1;
            switch (c)
            {
                case '"': WriteAscii(output, "\\\""); break;
                case '\\': WriteAscii(output, "\\\\"); break;
                case '\b': WriteAscii(output, "\\b"); break;
                case '\f': WriteAscii(output, "\\f"); break;
                case '\n': WriteAscii(output, "\\n"); break;
                case '\r': WriteAscii(output, "\\r"); break;
                case '\t': WriteAscii(output, "\\t"); break;
                default: WriteAscii(output, "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
        }

        WriteUtf8(output, value.AsSpan(start));
        WriteByte(output, (byte)'"');
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    internal static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        output.Advance(text.Length);
    }

    internal static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
