using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace VoxScheduler.Dag;

/// <summary>
/// Hashes the short canonical texts that become node ids (SHA-256), hundreds of thousands per program.
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> goes through OpenSSL's EVP layer
/// on Linux, whose per-call set-up costs about three times the hashing of a 250-byte text. Where
/// the system's libcrypto still exports the plain <c>SHA256_Init/Update/Final</c> functions (they
/// use the same SHA extensions of the processor), ids are hashed through them; the binding is
/// checked against the framework on a known text before it is trusted. Everywhere else, and if
/// anything about the binding fails, the framework's one-shot hash is used.
/// <para>
/// Measured gain (2026-12-06, Linux x64, OpenSSL 3, a shared 2-core machine; 1,000 distinct
/// 196-byte node texts hashed 1,000 times per round, 5 rounds per process, 2 processes per
/// path, rate per CPU second): direct path 2.8–3.5 M ids/s, framework 0.6–0.8 M ids/s, about
/// 4× per id. End to end the gain is smaller and was lost in this machine's noise when building
/// a 100k-node chain (6.98 s vs 6.92 s median of 3).
/// </para>
/// <para>
/// The direct path can be turned off: set the environment variable <c>VOXSCHEDULER_NATIVE_SHA256=0</c>
/// (read once, when the first id is hashed) or <see cref="NativeEnabled"/> to false; ids are the
/// same either way, only the speed differs.
/// </para>
/// </summary>
internal static unsafe class NodeIdHasher
{
    /// <summary>The environment variable that turns the direct libcrypto path off (<c>0</c>, <c>false</c>, <c>off</c> or <c>no</c>).</summary>
    public const string NativeVariable = "VOXSCHEDULER_NATIVE_SHA256";

    // SHA256_CTX is 112 bytes in every OpenSSL 1.1 and 3.x; the buffer leaves ample room.
    private const int ContextBytes = 256;

    private static readonly delegate* unmanaged<byte*, int> s_init;
    private static readonly delegate* unmanaged<byte*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged<byte*, byte*, int> s_final;

    static NodeIdHasher()
    {
        NativeEnabled = !IsOff(Environment.GetEnvironmentVariable(NativeVariable));
        if (!OperatingSystem.IsLinux() || !TryBind(out var init, out var update, out var final))
        {
            return;
        }

        s_init = init;
        s_update = update;
        s_final = final;
        if (!AgreesWithFramework())
        {
            s_init = null;
            s_update = null;
            s_final = null;
        }
    }

    /// <summary>
    /// False hashes every id through the framework even where the direct path is available.
    /// Initially false when <see cref="NativeVariable"/> says so; may be changed at any time (ids
    /// do not depend on it).
    /// </summary>
    public static bool NativeEnabled { get; set; }

    /// <summary>True when ids are hashed through libcrypto's direct functions (diagnostics, tests).</summary>
    public static bool UsesDirectLibcrypto => s_init != null && NativeEnabled;

    /// <summary>True when the value of <see cref="NativeVariable"/> turns the direct path off.</summary>
    internal static bool IsOff(string? value) =>
        value?.Trim().ToLowerInvariant() is "0" or "false" or "off" or "no";

    /// <summary>Hashes <paramref name="data"/> into the 32 bytes of <paramref name="digest"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        if (s_init == null || !NativeEnabled || !TryHashDirect(data, digest))
        {
            SHA256.HashData(data, digest);
        }
    }

    private static bool TryHashDirect(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var context = stackalloc byte[ContextBytes];
        fixed (byte* input = data)
        fixed (byte* output = digest)
        {
            return s_init(context) == 1 && s_update(context, input, (nuint)data.Length) == 1 && s_final(output, context) == 1;
        }
    }

    private static bool TryBind(out delegate* unmanaged<byte*, int> init, out delegate* unmanaged<byte*, byte*, nuint, int> update,
        out delegate* unmanaged<byte*, byte*, int> final)
    {
        init = null;
        update = null;
        final = null;
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1"])
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(library, "SHA256_Init", out var i)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var u)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var f))
            {
                init = (delegate* unmanaged<byte*, int>)i;
                update = (delegate* unmanaged<byte*, byte*, nuint, int>)u;
                final = (delegate* unmanaged<byte*, byte*, int>)f;
                return true;
            }
        }

        return false;
    }

    private static bool AgreesWithFramework()
    {
        try
        {
            // Lengths around the block and padding boundaries.
            Span<byte> expected = stackalloc byte[32];
            Span<byte> actual = stackalloc byte[32];
            foreach (var length in (ReadOnlySpan<int>)[0, 3, 55, 56, 64, 250, 1000])
            {
                var text = new byte[length];
                for (var i = 0; i < length; i++) text[i] = (byte)(i * 31 + 7);
                SHA256.HashData(text, expected);
                if (!TryHashDirect(text, actual) || !expected.SequenceEqual(actual))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}
