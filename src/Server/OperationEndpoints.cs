using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>GET /api/v1/operations: what programs can call.</summary>
internal static class OperationEndpoints
{
    public static IEndpointRouteBuilder MapOperationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/operations", (ExecutionHost host, string? @namespace) =>
            {
                var all = host.Operations.All;
                var selected = @namespace is null ? all : all.Where(o => o.Namespace == @namespace).ToList();
                return TypedResults.Ok(new OperationListDto
                {
                    Count = selected.Count,
                    Namespaces = all.Select(o => o.Namespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                    Operations = selected.Select(DtoMapper.ToOperation).ToList(),
                });
            })
            .WithTags("Operations")
            .WithName("ListOperations")
            .WithSummary("The operations of the engine, sorted by name; ?namespace= narrows the list.");
        return app;
    }
}
