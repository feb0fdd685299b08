using System.Collections;
using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// Lets an execution object (or any object with an ExecutionId: results, progress snapshots,
/// jobs) be given where an execution id is expected, e.g. <c>Wait-VoxExecution $e</c>, which
/// would otherwise bind the object's display text ("name (id)") and find nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ExecutionIdTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is string or null) return inputData!;
        if (value is IEnumerable items and not string)
        {
            return items.Cast<object?>().Select(IdOf).ToArray();
        }

        return new[] { IdOf(inputData) };
    }

    private static object? IdOf(object? item)
    {
        if (item is null) return null;
        var ps = PSObject.AsPSObject(item);
        if (ps.BaseObject is string) return ps.BaseObject;
        return ps.Properties["ExecutionId"]?.Value?.ToString() ?? ps.BaseObject.ToString();
    }
}
