namespace VoxScheduler.Images;

/// <summary>The 8-bit value files get for a float voxel (IMAGES.md §2): clamped to 0..255, rounded half to even; NaN is 0.</summary>
internal static class ColourByte
{
    public static byte Of(float value) => float.IsNaN(value) ? (byte)0 : (byte)Math.Round(Math.Clamp(value, 0f, 255f), MidpointRounding.ToEven);
}
