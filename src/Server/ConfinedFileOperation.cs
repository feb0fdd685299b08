using VoxScheduler.Operations;

namespace VoxScheduler.Server;

/// <summary>
/// Wraps a file-reading operation (its first argument a path) so that, on this server, it only
/// reads files inside the data root. Name, arity, revision and purity are the wrapped
/// operation's, so node ids and stored results are unchanged.
/// </summary>
internal sealed class ConfinedFileOperation(Operation inner, string dataRoot)
    : Operation(inner.Name, inner.MinArity, inner.MaxArity, inner.Revision, inner.Purity, inner.Description)
{
    /// <summary>The operations that read the file (or list the folder: dir) named by their first argument.</summary>
    public static readonly string[] FileReaders = ["default.load", "default.load_volatile", "default.dir"];

    public override ValueTask<OperationResult> ExecuteAsync(OperationContext context)
    {
        if (context.Count > 0 && context[0] is string path)
        {
            var full = Path.GetFullPath(Path.Combine(context.Environment.WorkingDirectory, path));
            if (!PathContainment.IsWithin(dataRoot, full))
                throw context.Fail($"'{path}' is outside the server's data root; this server only reads files inside it.");
        }

        return inner.ExecuteAsync(context);
    }
}
