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

    /// <summary>The flag that allows listening beyond loopback without an API key.</summary>
    public const string AllowAnonymousRemoteSwitch = "--allow-anonymous-remote";

    /// <summary>The flag that offers the postgres backend, its connection string from <c>VOXSCHEDULER_POSTGRES</c>.</summary>
    public const string PostgresSwitch = "--postgres";

    /// <summary>The environment variable holding the PostgreSQL connection string (the cluster's shared store).</summary>
    public const string PostgresVariable = "VOXSCHEDULER_POSTGRES";

    /// <summary>The text of <c>--help</c>.</summary>
    public const string Usage = """
        VoxScheduler REST server

          --data-root <folder>            every store and output lives under it (default ./voxserver-data)
          --bind <address> --port <n>     where to listen (default 127.0.0.1:5080); or --urls <urls>
          --api-key-file <file>           the API key, read from a file (or set VOXSERVER_APIKEY)
          --api-key <key>                 the API key on the command line: visible to every user in ps, prefer the two above
          --allow-anonymous-remote        listen beyond loopback without an API key (refused otherwise)
          --allowed-hosts <a;b>           Host names accepted (default: loopback names when on loopback)
          --max-concurrent-executions <n> executions at once (429 beyond)
          --max-workers <n>               nodes computing at once across all executions (default 2 x cores, at least 4);
                                          nodes waiting on I/O hold no worker
          --memory-budget <bytes>         default memory budget for live values of an execution (0: none)
          --postgres                      offer "storage_backend": "postgres" (a store namespace in the database
                                          whose connection string is in VOXSCHEDULER_POSTGRES)
          --postgres-file <file>          the same, the connection string read from a file
          --cluster-redis <host:port>     be a client of a VoxScheduler cluster (its Redis membership server; a Redis
          --cluster-id <id>               password belongs in VOXSERVER_CLUSTERREDIS, not here): requests with
                                          "storage_backend": "postgres" run on the cluster; results are read from
                                          the cluster's database (connection string as for --postgres / --postgres-file)
          --cluster-service-id <id>       the cluster's service id (default voxscheduler)
          --cluster-connect-timeout <s>   longest the start waits for the cluster (default 30; then it exits 2)

        Every option of the VoxServer section (appsettings.json) can also be set as VOXSERVER_<NAME>.
        """;

    /// <summary>Host names allowed by default on a loopback server.</summary>
    public const string LoopbackHosts = "localhost;127.0.0.1;[::1]";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--data-root"] = $"{ServerOptions.Section}:{nameof(ServerOptions.DataRoot)}",
        ["--bind"] = $"{ServerOptions.Section}:{nameof(ServerOptions.BindAddress)}",
        ["--port"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Port)}",
        ["--api-key"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ApiKey)}",
        ["--api-key-file"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ApiKeyFile)}",
        ["--allowed-hosts"] = $"{ServerOptions.Section}:{nameof(ServerOptions.AllowedHosts)}",
        ["--max-concurrent-executions"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxConcurrentExecutions)}",
        ["--max-workers"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxWorkers)}",
        ["--memory-budget"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MemoryBudget)}",
        ["--postgres-file"] = $"{ServerOptions.Section}:{nameof(ServerOptions.PostgresConnectionFile)}",
        ["--cluster-redis"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ClusterRedis)}",
        ["--cluster-id"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ClusterId)}",
        ["--cluster-service-id"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ClusterServiceId)}",
        ["--cluster-connect-timeout"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ClusterConnectTimeoutSeconds)}",
    };

    /// <summary>
    /// Creates the application. Configuration, later sources winning: appsettings.json,
    /// <c>VOXSERVER_…</c> environment variables, command-line switches; then <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public static WebApplication Create(string[] args, Action<ServerOptions>? configure = null)
    {
        // A bare flag (no value), which the command-line configuration provider cannot take.
        var allowAnonymousRemote = args.Contains(AllowAnonymousRemoteSwitch, StringComparer.OrdinalIgnoreCase);
        var postgres = args.Contains(PostgresSwitch, StringComparer.OrdinalIgnoreCase);
        args = args.Where(a => !string.Equals(a, AllowAnonymousRemoteSwitch, StringComparison.OrdinalIgnoreCase)
                               && !string.Equals(a, PostgresSwitch, StringComparison.OrdinalIgnoreCase)).ToArray();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(EnvironmentSettings(Environment.GetEnvironmentVariables()));
        builder.Configuration.AddCommandLine(args, SwitchMappings);

        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        if (allowAnonymousRemote) options.AllowAnonymousRemote = true;
        if (postgres) options.PostgresStore = true;
        configure?.Invoke(options);
        ReadApiKeyFile(options);
        options.Validate();
        ReadPostgresConnection(options);

        var urls = HasExplicitUrls(builder.Configuration) ? ConfiguredUrls(builder.Configuration) : [FormatUrl(options.BindAddress, options.Port)];
        if (!HasExplicitUrls(builder.Configuration))
            builder.WebHost.UseUrls(urls[0]);
        var remote = urls.Any(u => !IsLoopbackUrl(u));
        if (remote && string.IsNullOrEmpty(options.ApiKey) && !options.AllowAnonymousRemote)
            throw new InvalidOperationException(
                $"Refusing to listen on {string.Join(", ", urls)} without an API key: anyone who can reach it could run programs. "
                + $"Set an API key (VOXSERVER_APIKEY, --api-key-file or VoxServer:ApiKey), listen on loopback, or pass {AllowAnonymousRemoteSwitch} to accept the risk.");
        // Host header check: on loopback only loopback names, so a page that rebinds its own name
        // to 127.0.0.1 cannot drive the server from a browser.
        builder.Configuration["AllowedHosts"] = options.AllowedHosts ?? (remote ? "*" : LoopbackHosts);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });

        // The cluster client connects before the server listens: a cluster that cannot be reached fails the start, clearly.
        var cluster = ClusterConnection.Connect(options);
        builder.Services.AddSingleton(Options.Create(options));
        // Created by a factory so the container disposes it (the client leaves the cluster) when the server stops.
        builder.Services.AddSingleton(services => cluster.WithLogger(services.GetRequiredService<ILogger<ClusterConnection>>()));
        builder.Services.AddSingleton<ExecutionHost>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.MaxDepth = DeepJson.MaxDepth);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VoxScheduler REST API";
            document.Info.Description = "Runs VoxLogicA programs on the dynamic, content-addressed VoxScheduler engine.";
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                // Declare the key so generated clients send it.
                document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeySchemeName] = new Microsoft.OpenApi.OpenApiSecurityScheme
                {
                    Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
                    In = Microsoft.OpenApi.ParameterLocation.Header,
                    Name = ApiKeyMiddleware.HeaderName,
                    Description = "The server's API key; every /api request must carry it.",
                };
                document.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(ApiKeySchemeName, document)] = [] }];
            }

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
        app.MapMaintenanceEndpoints();

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

    /// <summary>Name of the API-key security scheme in the OpenAPI document.</summary>
    public const string ApiKeySchemeName = "ApiKey";

    private static void ReadApiKeyFile(ServerOptions options)
    {
        if (string.IsNullOrEmpty(options.ApiKeyFile)) return;
        try
        {
            options.ApiKey = File.ReadAllText(options.ApiKeyFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"Invalid server options: the API key file '{options.ApiKeyFile}' cannot be read: {e.Message}", e);
        }

        if (options.ApiKey.Length == 0)
            throw new InvalidOperationException($"Invalid server options: the API key file '{options.ApiKeyFile}' is empty.");
    }

    /// <summary>
    /// The connection string of the postgres backend, from the file or the environment (never from
    /// a request or the command line), and the backend offered to the engine with it.
    /// </summary>
    private static void ReadPostgresConnection(ServerOptions options)
    {
        if (!options.PostgresEnabled) return;
        if (!string.IsNullOrEmpty(options.PostgresConnectionFile))
        {
            try
            {
                options.PostgresConnection = File.ReadAllText(options.PostgresConnectionFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new InvalidOperationException($"Invalid server options: the PostgreSQL connection file '{options.PostgresConnectionFile}' cannot be read: {e.Message}", e);
            }

            if (options.PostgresConnection.Length == 0)
                throw new InvalidOperationException($"Invalid server options: the PostgreSQL connection file '{options.PostgresConnectionFile}' is empty.");
        }
        else
        {
            options.PostgresConnection = Environment.GetEnvironmentVariable(PostgresVariable)?.Trim();
            if (string.IsNullOrEmpty(options.PostgresConnection))
                throw new InvalidOperationException($"Invalid server options: {(options.ClusterEnabled ? "a cluster client (--cluster-redis)" : PostgresSwitch)} takes the PostgreSQL connection string from {PostgresVariable}, which is not set (or give --postgres-file <file>).");
        }

        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnection);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, never the password.
            throw new InvalidOperationException($"Invalid server options: the PostgreSQL connection string is not valid: {e.Message}", e);
        }

        Cluster.Postgres.PostgresBackend.Register(options.PostgresConnection);
    }

    private static string[] ConfiguredUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var key in new[] { "http_ports", "https_ports" })
        {
            if (configuration[key] is { Length: > 0 } ports) urls.AddRange(ports.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => $"http://*:{p.Trim()}"));
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url) urls.Add(url);
        }

        return urls.ToArray();
    }

    /// <summary>True for a URL on a loopback host; wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>) are not.</summary>
    private static bool IsLoopbackUrl(string url)
    {
        // Kestrel accepts "*" and "+" as hosts, which Uri does not parse.
        var normalised = url.Replace("://*", "://any-host", StringComparison.Ordinal).Replace("://+", "://any-host", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalised, UriKind.Absolute, out var uri)) return false;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
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
