using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// The module's one rule for durations: a bare number is seconds (PowerShell alone would read it
/// as ticks, so <c>-OlderThan 30</c> meant 3 µs), text may carry a unit (<c>500ms</c>, <c>30s</c>,
/// <c>5m</c>, <c>2h</c>, <c>7d</c>) or be a TimeSpan (<c>00:05:00</c>, <c>1.02:00:00</c>), and a
/// TimeSpan passes through. Anything else is a clear error naming the accepted forms.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed partial class VoxTimeSpanAttribute : ArgumentTransformationAttribute
{
    /// <summary>The accepted forms, for error messages and help.</summary>
    public const string Forms = "a number of seconds (30, 0.5), a number with a unit (500ms, 30s, 5m, 2h, 7d) or a TimeSpan (00:05:00)";

    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) => Convert(inputData);

    /// <summary>Converts one value by the module's rule.</summary>
    internal static TimeSpan Convert(object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        switch (value)
        {
            case TimeSpan t:
                return t >= TimeSpan.Zero ? t : throw new ArgumentTransformationMetadataException($"'{t}' is not a duration of 0 or more: give {Forms}.");
            case int or long or short or byte or sbyte or uint or ulong or ushort or float or double or decimal:
                return FromSeconds(System.Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
            case string text:
                return Parse(text);
            default:
                throw new ArgumentTransformationMetadataException($"'{value}' is not a duration: give {Forms}.");
        }
    }

    private static TimeSpan Parse(string text)
    {
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return FromSeconds(seconds, text);
        }

        var m = WithUnit().Match(trimmed);
        if (m.Success)
        {
            var n = double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            var unit = m.Groups[2].Value.ToLowerInvariant();
            var secondsPerUnit = unit switch
            {
                "ms" => 0.001,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => 86400,
            };
            return FromSeconds(n * secondsPerUnit, text);
        }

        if (trimmed.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        throw new ArgumentTransformationMetadataException($"'{text}' is not a duration: give {Forms}.");
    }

    private static TimeSpan FromSeconds(double seconds, object original)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds)
        {
            throw new ArgumentTransformationMetadataException($"'{original}' is not a duration of 0 or more: give {Forms}.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithUnit();
}
