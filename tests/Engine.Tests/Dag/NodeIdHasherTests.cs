using System.Security.Cryptography;
using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Dag;

public sealed class NodeIdHasherTests
{
    [Fact]
    public void Ids_hash_exactly_as_the_framework_SHA256_for_every_length_up_to_a_few_blocks()
    {
        var random = new Random(11);
        var data = new byte[1100];
        random.NextBytes(data);
        Span<byte> expected = stackalloc byte[32];
        Span<byte> actual = stackalloc byte[32];
        for (var length = 0; length <= data.Length; length++)
        {
            SHA256.HashData(data.AsSpan(0, length), expected);
            NodeIdHasher.Hash(data.AsSpan(0, length), actual);
            Assert.True(expected.SequenceEqual(actual), $"length {length}");
        }
    }

    [Fact]
    public void Hashing_from_many_threads_at_once_gives_the_same_digests()
    {
        var texts = Enumerable.Range(0, 2000).Select(i => System.Text.Encoding.UTF8.GetBytes($"{{\"kind\":\"constant\",\"scheme\":1,\"value\":{i}}}")).ToArray();
        var expected = texts.Select(SHA256.HashData).ToArray();
        Parallel.For(0, 8, _ =>
        {
            var digest = new byte[32];
            for (var i = 0; i < texts.Length; i++)
            {
                NodeIdHasher.Hash(texts[i], digest);
                Assert.Equal(expected[i], digest);
            }
        });
    }

    [Fact]
    public void On_Linux_ids_are_hashed_through_libcrypto_directly()
    {
        // The fast path is what makes reduction of large programs quick there; on other systems the framework hashes.
        if (OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
        {
            Assert.True(NodeIdHasher.UsesDirectLibcrypto);
        }
    }

    [Fact]
    public void Turning_the_native_path_off_hashes_through_the_framework_with_the_same_ids()
    {
        var text = System.Text.Encoding.UTF8.GetBytes("{\"kind\":\"constant\",\"scheme\":1,\"value\":42}");
        var expected = SHA256.HashData(text);
        var before = NodeIdHasher.NativeEnabled;
        try
        {
            NodeIdHasher.NativeEnabled = false;
            Assert.False(NodeIdHasher.UsesDirectLibcrypto);
            var digest = new byte[32];
            NodeIdHasher.Hash(text, digest);
            Assert.Equal(expected, digest);
        }
        finally
        {
            NodeIdHasher.NativeEnabled = before;
        }
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("false", true)]
    [InlineData(" OFF ", true)]
    [InlineData("no", true)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void The_environment_variable_turns_the_native_path_off_only_when_it_says_so(string? value, bool off) =>
        Assert.Equal(off, NodeIdHasher.IsOff(value));
}
