using CsCheck;
using VoxScheduler.Tests.Infrastructure;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Security;

/// <summary>
/// Stored results cannot make the engine execute code: the only thing that turns stored bytes
/// into objects is ValueCodec.Decode, and whatever bytes it is given it yields plain data
/// (numbers, booleans, strings, bytes, sequences, records, null) or a FormatException.
/// </summary>
public sealed class StoredValuesAreDataTests
{
    private static readonly byte[][] RealEncodings =
    [
        ValueCodec.Encode(1.5),
        ValueCodec.Encode(true),
        ValueCodec.Encode("{ Remove-Item -Recurse -Force / }"),
        ValueCodec.Encode(new byte[] { 1, 2, 3, 4 }),
        ValueCodec.Encode(new object?[] { 1.0, "a", null, new object?[] { false, new byte[] { 9 } } }),
        ValueCodec.Encode(new Dictionary<string, object?> { ["name"] = "x", ["items"] = new object?[] { 1.0, 2.0 } }),
        ValueCodec.Encode(ulong.MaxValue),
        ValueCodec.Encode(long.MinValue),
        ValueCodec.Encode(null),
    ];

    [Fact]
    public void Decoding_arbitrary_bytes_yields_data_or_a_FormatException()
    {
        var cases = 3000L * ReliabilityCounters.Scale;
        Gen.Byte.Array[0, 64].Sample(DecodeIsDataOrFormatError, iter: cases, threads: 1);
        ReliabilityCounters.Add("fuzz.codec", cases);
    }

    [Fact]
    public void Decoding_mutated_real_encodings_yields_data_or_a_FormatException()
    {
        var cases = 3000L * ReliabilityCounters.Scale;
        var gen =
            from original in Gen.Int[0, RealEncodings.Length - 1].Select(i => RealEncodings[i])
            from position in Gen.Int[0, 1000]
            from value in Gen.Byte
            from mode in Gen.Int[0, 3]
            select Mutate(original, position, value, mode);
        gen.Sample(DecodeIsDataOrFormatError, iter: cases, threads: 1);
        ReliabilityCounters.Add("fuzz.codec", cases);
    }

    [Fact]
    public void A_stored_value_that_looks_like_a_script_is_returned_as_a_string()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"vox-script-ran-{Guid.NewGuid():N}");
        var scripts = new[]
        {
            $"{{ New-Item -ItemType File '{marker}' }}",
            $"& {{ Set-Content '{marker}' pwned }}",
            $"[scriptblock]::Create(\"New-Item '{marker}'\").Invoke()",
            $"System.IO.File.WriteAllText(\"{marker}\", \"x\")",
        };
        foreach (var script in scripts)
        {
            var decoded = ValueCodec.Decode(ValueCodec.Encode(script));
            Assert.Equal(script, Assert.IsType<string>(decoded));
        }

        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void The_engine_cannot_reach_PowerShell_so_it_cannot_turn_data_into_script_blocks()
    {
        // Script-block operations live in the module and are registered in memory by the caller;
        // the engine, which reads stores, has no reference through which it could build one.
        var engine = typeof(ValueCodec).Assembly;
        var references = engine.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("System.Management.Automation", references);
        Assert.DoesNotContain(references, r => r is not null && r.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r is "Microsoft.CodeAnalysis" or "Microsoft.CodeAnalysis.CSharp" or "Microsoft.CodeAnalysis.Scripting");
        // No value tag decodes into anything but data.
        foreach (var tag in Enum.GetValues<ValueTag>())
        {
            Assert.Contains(tag.ToString(), new[] { "Null", "Number", "Boolean", "String", "Bytes", "Sequence", "UInt64", "Int64", "Record" });
        }
    }

    private static byte[] Mutate(byte[] original, int position, byte value, int mode)
    {
        var copy = original.ToList();
        var at = copy.Count == 0 ? 0 : position % copy.Count;
        switch (mode)
        {
            case 0 when copy.Count > 0:
                copy[at] ^= (byte)(value | 1);
                break;
            case 1:
                copy.RemoveRange(at, copy.Count - at);
                break;
            case 2:
                copy.Insert(at, value);
                break;
            default:
                if (copy.Count > 0) copy.RemoveAt(at);
                break;
        }

        return copy.ToArray();
    }

    private static void DecodeIsDataOrFormatError(byte[] bytes)
    {
        object? value;
        try
        {
            value = ValueCodec.Decode(bytes);
        }
        catch (FormatException)
        {
            return;
        }

        RuntimeValues.AssertIsData(value);
    }
}
