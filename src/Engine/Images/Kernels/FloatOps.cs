using System.Numerics;
using System.Runtime.Intrinsics;

namespace VoxScheduler.Images.Kernels;

/// <summary>A float32 binary operation in scalar and SIMD form, as a type so the JIT inlines it into the loop.</summary>
internal interface IFloatBinary
{
    static abstract float Apply(float a, float b);
    static abstract Vector<float> Apply(Vector<float> a, Vector<float> b);
    static abstract Vector256<float> Apply(Vector256<float> a, Vector256<float> b);
}

/// <summary>A float32 comparison in scalar and SIMD form (the SIMD form gives all-ones lanes where true).</summary>
internal interface IFloatCompare
{
    static abstract bool Apply(float a, float b);
    static abstract Vector<int> Apply(Vector<float> a, Vector<float> b);
    static abstract Vector256<float> Apply(Vector256<float> a, Vector256<float> b);
}

/// <summary>The operations of IMAGES.md §4 as <see cref="IFloatBinary"/> and <see cref="IFloatCompare"/> types.</summary>
internal static class FloatOps
{
    internal readonly struct Add : IFloatBinary
    {
        public static float Apply(float a, float b) => a + b;
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a + b;
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a + b;
    }

    internal readonly struct Sub : IFloatBinary
    {
        public static float Apply(float a, float b) => a - b;
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a - b;
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a - b;
    }

    internal readonly struct Mul : IFloatBinary
    {
        public static float Apply(float a, float b) => a * b;
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a * b;
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a * b;
    }

    /// <summary>IEEE division: by zero gives ±∞ or NaN (IMAGES.md §1).</summary>
    internal readonly struct Div : IFloatBinary
    {
        public static float Apply(float a, float b) => a / b;
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a / b;
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a / b;
    }

    internal readonly struct Eq : IFloatCompare
    {
        public static bool Apply(float a, float b) => a == b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => Vector.Equals(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    }

    internal readonly struct Neq : IFloatCompare
    {
        public static bool Apply(float a, float b) => a != b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => ~Vector.Equals(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => ~Vector256.Equals(a, b);
    }

    internal readonly struct Lt : IFloatCompare
    {
        public static bool Apply(float a, float b) => a < b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => Vector.LessThan(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    }

    internal readonly struct Leq : IFloatCompare
    {
        public static bool Apply(float a, float b) => a <= b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => Vector.LessThanOrEqual(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b);
    }

    internal readonly struct Gt : IFloatCompare
    {
        public static bool Apply(float a, float b) => a > b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => Vector.GreaterThan(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    }

    internal readonly struct Geq : IFloatCompare
    {
        public static bool Apply(float a, float b) => a >= b;
        public static Vector<int> Apply(Vector<float> a, Vector<float> b) => Vector.GreaterThanOrEqual(a, b);
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    }
}
