using System.Reflection;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>GET /health: liveness and load, open even when an API key is required.</summary>
internal static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        var version = typeof(SystemEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        app.MapGet("/health", (ExecutionHost host, ClusterConnection cluster) => TypedResults.Ok(new HealthDto
            {
                Status = cluster.Health is { State: not "connected" } ? "degraded" : "ok",
                Version = version.Split('+')[0],
                UptimeSeconds = Math.Round((DateTimeOffset.UtcNow - host.StartedAt).TotalSeconds, 3),
                RunningExecutions = host.Admission.Active,
                MaxConcurrentExecutions = host.Admission.Limit,
                Operations = host.Operations.All.Count,
                ApiKeyRequired = !string.IsNullOrEmpty(host.Options.ApiKey),
                Cluster = cluster.Health,
            }))
            .WithTags("System")
            .WithName("Health")
            .WithSummary("Liveness, version and load.");
        return app;
    }
}
