using VoxScheduler.Images;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Images;

/// <summary>
/// The voxel buffer pool on its own and the image's side of it: reuse by size, a bounded idle
/// set, a buffer returned once only, an image that gives its buffer back exactly when its last
/// holder lets go (never when it was shared), and no voxels after that.
/// </summary>
public sealed class VoxelBufferPoolTests
{
    private static readonly ImageGeometry Shape = ImageGeometry.Of3D(5, 4, 3);

    [Fact]
    public void A_returned_buffer_is_reused_for_the_same_size_and_only_for_it()
    {
        var pool = new VoxelBufferPool(1 << 20);
        var first = pool.Rent(240);
        Assert.Equal(VoxelBufferPool.Prefix + 240, first.Length);
        pool.Return(first);
        Assert.Equal(first.Length, pool.IdleBytes);

        var other = pool.Rent(60);
        Assert.NotSame(first, other);
        Assert.Same(first, pool.Rent(240));
        Assert.Equal(0, pool.IdleBytes);
        Assert.Equal((2L, 1L, 1L), (pool.Created, pool.Reused, pool.Returned));
    }

    [Fact]
    public void A_buffer_returned_twice_is_refused_and_a_full_pool_drops_what_comes_back()
    {
        var pool = new VoxelBufferPool(VoxelBufferPool.Prefix + 100);
        var a = pool.Rent(100);
        var b = pool.Rent(100);
        pool.Return(a);
        Assert.Throws<InvalidOperationException>(() => pool.Return(a));
        pool.Return(b); // over MaxIdleBytes: let go to the collector
        Assert.Equal((1L, VoxelBufferPool.Prefix + 100L), (pool.Dropped, pool.IdleBytes));
        Assert.Same(a, pool.Rent(100));
        Assert.NotSame(b, pool.Rent(100));
        pool.Return(a);
        pool.Clear();
        Assert.Equal(0, pool.IdleBytes);
    }

    [Fact]
    public void A_kernel_that_fails_before_making_its_image_gives_the_buffer_back_and_a_taken_buffer_is_not_given_twice()
    {
        var pool = new VoxelBufferPool(1 << 20);
        try
        {
            using var voxels = RentedVoxels.Of(pool, VoxelKind.Number, Shape.VoxelCount);
            voxels.Floats.Fill(1);
            throw new OperationCanceledException(); // a cancelled kernel
        }
        catch (OperationCanceledException)
        {
            Assert.Equal((1L, VoxelBufferPool.Prefix + Shape.VoxelCount * 4), (pool.Returned, pool.IdleBytes));
        }

        Image image;
        using (var voxels = RentedVoxels.Of(pool, VoxelKind.Number, Shape.VoxelCount))
        {
            voxels.Floats.Fill(9f);
            image = Image.FromRented(Shape, voxels);
            Assert.Throws<ObjectDisposedException>(() => voxels.Floats.Length);
        }

        Assert.Equal((1L, 1L, 1L, 0L), (pool.Created, pool.Reused, pool.Returned, pool.IdleBytes)); // disposing after the image took it returns nothing
        Assert.True(image.IsPooled);
        Assert.All(image.Numbers.ToArray(), v => Assert.Equal(9f, v));
    }

    [Fact]
    public void An_image_returns_its_buffer_when_its_last_holder_releases_it_and_then_has_no_voxels()
    {
        var pool = new VoxelBufferPool(1 << 20);
        var image = Make(pool, 7f);
        IPooledValue pooled = image;
        pooled.Retain();
        pooled.Retain();
        pooled.Release();
        Assert.False(image.IsReturned);
        Assert.Equal(7f, image.Numbers[10]);

        pooled.Release();
        Assert.True(image.IsReturned);
        Assert.Equal(1, pool.Returned);
        Assert.Throws<ObjectDisposedException>(() => image.Numbers.Length);
        Assert.Throws<ObjectDisposedException>(() => image.RawMemory.Length);
        Assert.False(ValueCodec.TryGetEncoded(image, out _));

        pooled.Release(); // one release too many: nothing goes back twice
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public void A_shared_image_and_an_image_never_retained_keep_their_buffers()
    {
        var pool = new VoxelBufferPool(1 << 20);
        var shared = Make(pool, 3f);
        IPooledValue s = shared;
        s.Retain();
        PooledValues.Share(new object?[] { 1.0, new object?[] { shared } }); // inside a sequence: shared too
        s.Release();
        Assert.False(shared.IsReturned);
        Assert.True(shared.IsShared);

        var loose = Make(pool, 4f);
        ((IPooledValue)loose).Release(); // never retained: not the scheduler's to give back
        Assert.False(loose.IsReturned);
        Assert.Equal(0, pool.Returned);
        Assert.Equal(4f, loose.Numbers[0]);
    }

    [Fact]
    public void A_pooled_image_carries_its_stored_form_and_decodes_to_the_same_image()
    {
        var pool = new VoxelBufferPool(1 << 20);
        var image = Make(pool, 2.5f);
        Assert.True(ValueCodec.TryGetEncoded(image, out var encoded));
        Assert.Equal(ValueCodec.Encode(image), encoded.ToArray());
        Assert.Equal(encoded.Length, ValueCodec.EncodedLength(image));
        var back = Assert.IsType<Image>(ValueCodec.Decode(encoded.ToArray()));
        Assert.Equal(image.Numbers.ToArray(), back.Numbers.ToArray());
        Assert.Equal(image.Geometry, back.Geometry);
        Assert.False(back.IsPooled);
    }

    private static Image Make(VoxelBufferPool pool, float first)
    {
        using var voxels = RentedVoxels.Of(pool, VoxelKind.Number, Shape.VoxelCount);
        var f = voxels.Floats;
        for (var i = 0; i < f.Length; i++) f[i] = first + i;
        f[10] = 7f;
        return Image.FromRented(Shape, voxels);
    }
}
