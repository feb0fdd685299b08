using System.Collections;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace VoxScheduler.Server;

/// <summary>Builds the server: configuration, services, the pipeline and the routes.</summary>
internal static class ServerApp
{
    /// <summary>Prefix of the environment variables read into the <c>VoxServer</c> section (<c>VOXSERVER_DATAROOT</c>, <c>VOXSERVER_APIKEY</c>, …).</summary>
    public const string EnvironmentPrefix = "VOXSERVER_";

    /// <summary>JSON options for values nested deeper than the serializer's default 64 levels.</summary>
    public static readonly JsonSerializerOptions DeepJson = new() { MaxDepth = 1024 };

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--data-root"] = $"{ServerOptions.Section}:{nameof(ServerOptions.DataRoot)}",
        ["--bind"] = $"{ServerOptions.Section}:{nameof(ServerOptions.BindAddress)}",
        ["--port"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Port)}",
        ["--api-key"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ApiKey)}",
        ["--max-concurrent-executions"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxConcurrentExecutions)}",
    };

    /// <summary>
    /// Creates the application. Configuration, later sources winning: appsettings.json,
    /// <c>VOXSERVER_…</c> environment variables, command-line switches; then <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public static WebApplication Create(string[] args, Action<ServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(EnvironmentSettings(Environment.GetEnvironmentVariables()));
        builder.Configuration.AddCommandLine(args, SwitchMappings);

        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        configure?.Invoke(options);
        options.Validate();

        if (!HasExplicitUrls(builder.Configuration))
            builder.WebHost.UseUrls(FormatUrl(options.BindAddress, options.Port));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<ExecutionHost>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.MaxDepth = DeepJson.MaxDepth);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VoxScheduler REST API";
            document.Info.Description = "Runs VoxLogicA programs on the dynamic, content-addressed VoxScheduler engine.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapOpenApi();
        app.MapSystemEndpoints();
        app.MapOperationEndpoints();
        app.MapExecutionEndpoints();
        app.MapHistoryEndpoints();

        // Build the engine now, so a bad data root fails the start rather than the first request.
        var host = app.Services.GetRequiredService<ExecutionHost>();
        app.Lifetime.ApplicationStarted.Register(() => ReportStart(app, host, options));
        // Stopping the server stops its work: synchronous requests and event streams then end
        // promptly with "cancelled" instead of holding the shutdown; re-submitting resumes from the store.
        app.Lifetime.ApplicationStopping.Register(host.CancelAll);
        return app;
    }

    /// <summary>The addresses the server listens on (after start; port 0 resolved to the real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void ReportStart(WebApplication app, ExecutionHost host, ServerOptions options)
    {
        var addresses = Addresses(app);
        app.Logger.LogInformation("VoxScheduler server listening on {Addresses}; data root {DataRoot}; {Operations} operations",
            string.Join(", ", addresses), host.DataRoot, host.Operations.All.Count);
        if (string.IsNullOrEmpty(options.ApiKey) && addresses.Any(a => !IsLoopback(a)))
            app.Logger.LogWarning("The server listens beyond loopback without an API key: anyone who can reach it can run programs. Set VoxServer:ApiKey.");
    }

    private static bool HasExplicitUrls(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").Exists();

    private static string FormatUrl(string bindAddress, int port)
    {
        var host = IPAddress.TryParse(bindAddress, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ip}]"
            : bindAddress;
        return $"http://{host}:{port}";
    }

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)) return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>The <c>VOXSERVER_…</c> variables as keys of the <c>VoxServer</c> section (<c>__</c> separates nested keys).</summary>
    internal static Dictionary<string, string?> EnvironmentSettings(IDictionary variables)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > EnvironmentPrefix.Length)
                values[$"{ServerOptions.Section}:{key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)}"] = entry.Value as string;
        }

        return values;
    }
}
