using System.IO.Hashing;
using CsCheck;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>The stores' own XXH128 must agree bit for bit with System.IO.Hashing, which wrote every existing checksum.</summary>
public sealed class StoreHasherTests
{
    [Fact]
    public void Every_length_up_to_a_few_blocks_hashes_like_the_library_in_one_call_and_byte_by_byte_splits()
    {
        var data = new byte[3 * 1024 + 130];
        new Random(11).NextBytes(data);
        var into = new byte[StoreHash.Length];
        for (var length = 0; length <= data.Length; length++)
        {
            var slice = data.AsSpan(0, length);
            var expected = XxHash128.Hash(slice);
            Assert.Equal(expected, StoreHasher.Hash(slice));
            Assert.Equal(expected, StoreHash.Compute(slice));
            StoreHash.Compute(slice, into);
            Assert.Equal(expected, into);
        }

        // Stripe, buffer and block boundaries, appended in pieces that straddle them.
        foreach (var piece in new[] { 1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025 })
        {
            var hasher = new StoreHasher();
            for (var offset = 0; offset < data.Length; offset += piece) hasher.Append(data.AsSpan(offset, Math.Min(piece, data.Length - offset)));
            Assert.Equal(XxHash128.Hash(data), hasher.Finish());
        }
    }

    [Fact]
    public void Random_data_in_random_pieces_hashes_like_the_library_at_every_intermediate_point()
    {
        var gen = Gen.Select(Gen.Int[0, 300_000], Gen.Int, Gen.Int[1, 5]);
        gen.Sample((length, seed, scale) =>
        {
            var random = new Random(seed);
            var data = new byte[length];
            random.NextBytes(data);
            var hasher = new StoreHasher();
            var offset = 0;
            while (offset < length)
            {
                var piece = Math.Min(length - offset, random.Next(1, (int)Math.Pow(10, scale)));
                hasher.Append(data.AsSpan(offset, piece));
                offset += piece;
                // Finishing is a read of the state: appending continues from where it was.
                if (random.Next(4) == 0 && !hasher.Finish().AsSpan().SequenceEqual(XxHash128.Hash(data.AsSpan(0, offset)))) return false;
            }

            return hasher.Finish().AsSpan().SequenceEqual(XxHash128.Hash(data));
        }, iter: 300);
    }
}
