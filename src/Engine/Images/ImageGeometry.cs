namespace VoxScheduler.Images;

/// <summary>
/// Where an image's voxels are: its size per axis, spacing (mm per voxel), origin, direction
/// cosines and, for images read from NIfTI, the header's qform/sform kept verbatim. Immutable;
/// derived images share their source's geometry object (IMAGES.md §1).
/// </summary>
public sealed class ImageGeometry : IEquatable<ImageGeometry>
{
    private static readonly double[] Identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private readonly double[] _direction;

    private ImageGeometry(int dimensions, int width, int height, int depth, Vector3D spacing, Vector3D origin, double[] direction, NiftiOrientation? nifti)
    {
        Dimensions = dimensions;
        Width = width;
        Height = height;
        Depth = depth;
        Spacing = spacing;
        Origin = origin;
        _direction = direction;
        Nifti = nifti;
    }

    /// <summary>2 or 3.</summary>
    public int Dimensions { get; }

    /// <summary>Voxels along x (the fastest axis in memory).</summary>
    public int Width { get; }

    /// <summary>Voxels along y.</summary>
    public int Height { get; }

    /// <summary>Voxels along z (1 for a 2-D image).</summary>
    public int Depth { get; }

    /// <summary>Width × Height × Depth.</summary>
    public long VoxelCount => (long)Width * Height * Depth;

    /// <summary>Millimetres per voxel along each axis (z is 1 for a 2-D image).</summary>
    public Vector3D Spacing { get; }

    /// <summary>Physical position of voxel (0, 0, 0).</summary>
    public Vector3D Origin { get; }

    /// <summary>Direction cosines, a 3×3 matrix in row-major order (9 numbers).</summary>
    public IReadOnlyList<double> Direction => _direction;

    /// <summary>The NIfTI qform/sform this geometry was read with (copied to derived images and written back), or null.</summary>
    public NiftiOrientation? Nifti { get; }

    /// <summary>A 2-D geometry of unit spacing at the origin.</summary>
    public static ImageGeometry Of2D(int width, int height) => Create(2, width, height, 1);

    /// <summary>A 3-D geometry of unit spacing at the origin.</summary>
    public static ImageGeometry Of3D(int width, int height, int depth) => Create(3, width, height, depth);

    /// <summary>Creates a geometry.</summary>
    /// <exception cref="ArgumentException">Dimensions other than 2 or 3, a size below 1 (or a depth other than 1 in 2-D), a spacing that is not a positive finite number, or a direction that is not 9 finite numbers.</exception>
    public static ImageGeometry Create(int dimensions, int width, int height, int depth, Vector3D? spacing = null, Vector3D? origin = null,
        IReadOnlyList<double>? direction = null, NiftiOrientation? nifti = null)
    {
        if (dimensions is not (2 or 3)) throw new ArgumentException($"An image has 2 or 3 dimensions, not {dimensions}.", nameof(dimensions));
        if (width < 1 || height < 1 || depth < 1) throw new ArgumentException($"Image sizes must be at least 1, not {width}×{height}×{depth}.");
        if ((double)width * height * depth > Array.MaxLength)
        {
            throw new ArgumentException($"An image of {width}×{height}×{depth} voxels is larger than the limit of {Array.MaxLength} voxels.");
        }

        if (dimensions == 2 && depth != 1) throw new ArgumentException($"A 2-D image has depth 1, not {depth}.", nameof(depth));
        var s = spacing ?? Vector3D.One;
        if (!(double.IsFinite(s.X) && double.IsFinite(s.Y) && double.IsFinite(s.Z) && s.X > 0 && s.Y > 0 && s.Z > 0))
        {
            throw new ArgumentException($"Spacing must be positive and finite, not ({s.X}, {s.Y}, {s.Z}).", nameof(spacing));
        }

        var o = origin ?? default;
        if (!(double.IsFinite(o.X) && double.IsFinite(o.Y) && double.IsFinite(o.Z))) throw new ArgumentException("The origin must be finite.", nameof(origin));
        var d = direction is null ? Identity : direction.ToArray();
        if (d.Length != 9 || !d.All(double.IsFinite)) throw new ArgumentException("The direction is 9 finite numbers (a 3×3 matrix, row-major).", nameof(direction));
        return new ImageGeometry(dimensions, width, height, depth, s, o, d, nifti);
    }

    /// <summary>True when both have the same dimensions and size per axis (what voxel-wise operations need).</summary>
    public bool SameSize(ImageGeometry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Dimensions == other.Dimensions && Width == other.Width && Height == other.Height && Depth == other.Depth;
    }

    /// <summary>True when sizes match and spacing, origin and direction differ by at most <paramref name="tolerance"/>.</summary>
    public bool SameSpace(ImageGeometry other, double tolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!SameSize(other) || !Spacing.IsCloseTo(other.Spacing, tolerance) || !Origin.IsCloseTo(other.Origin, tolerance)) return false;
        for (var i = 0; i < 9; i++)
        {
            if (Math.Abs(_direction[i] - other._direction[i]) > tolerance) return false;
        }

        return true;
    }

    /// <summary>The size as people read it: <c>240×240×155</c> (3-D) or <c>256×256</c> (2-D).</summary>
    public string SizeText => Dimensions == 2 ? $"{Width}×{Height}" : $"{Width}×{Height}×{Depth}";

    /// <inheritdoc/>
    public bool Equals(ImageGeometry? other) =>
        other is not null && SameSize(other) && Spacing == other.Spacing && Origin == other.Origin
        && _direction.AsSpan().SequenceEqual(other._direction) && Equals(Nifti, other.Nifti);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageGeometry);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Dimensions, Width, Height, Depth, Spacing, Origin);

    /// <inheritdoc/>
    public override string ToString() => $"{SizeText}, spacing ({Spacing.X}, {Spacing.Y}, {Spacing.Z})";
}
