namespace VoxScheduler.Images;

/// <summary>Three coordinates in physical space (millimetres): a spacing or an origin.</summary>
public readonly record struct Vector3D(double X, double Y, double Z)
{
    /// <summary>(1, 1, 1).</summary>
    public static Vector3D One => new(1, 1, 1);

    /// <summary>True when every coordinate differs from <paramref name="other"/>'s by at most <paramref name="tolerance"/>.</summary>
    public bool IsCloseTo(Vector3D other, double tolerance) =>
        Math.Abs(X - other.X) <= tolerance && Math.Abs(Y - other.Y) <= tolerance && Math.Abs(Z - other.Z) <= tolerance;
}
