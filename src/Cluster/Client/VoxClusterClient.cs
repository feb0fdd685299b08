using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;

namespace VoxScheduler.Cluster.Client;

/// <summary>
/// A client of a VoxScheduler cluster (the module and the REST server use it): submits programs
/// and DAGs to the scheduler running inside a silo, follows them, and lists the silos. Results are
/// read from the shared PostgreSQL store by namespace (the <c>postgres</c> backend), never through
/// the cluster.
/// </summary>
public sealed class VoxClusterClient : IAsyncDisposable
{
    /// <summary>Largest program or DAG text a submission carries (Orleans refuses messages past 100 MiB).</summary>
    public const int MaxSubmissionChars = 32 * 1024 * 1024;

    /// <summary>Longest <see cref="ClusterSubmitOptions.Source"/>.</summary>
    public const int MaxSourceChars = 1024;

    private readonly IHost? _host;
    private readonly IClusterClient _client;

    private VoxClusterClient(IHost? host, IClusterClient client)
    {
        _host = host;
        _client = client;
    }

    /// <summary>A client over an Orleans client that is already connected (tests, a process that hosts one).</summary>
    internal static VoxClusterClient Over(IClusterClient client) => new(null, client);

    /// <summary>Connects to the cluster <paramref name="options"/> names.</summary>
    /// <exception cref="ArgumentException">The options name no cluster.</exception>
    public static async Task<VoxClusterClient> ConnectAsync(ClusterConnectionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            if (options.Redis is { } redis) client.UseRedisClustering(redis);
            else client.UseLocalhostClustering([.. options.GatewayPorts], options.ServiceId, options.ClusterId);
        });
        var host = builder.Build();
        var start = host.StartAsync(cancellationToken);
        try
        {
            // Orleans keeps looking for gateways while none answers (a wrong cluster id, no live silo):
            // the caller's token bounds the wait, whether or not the start honours it.
            await start.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = ReleaseAsync(host, start);
            throw;
        }

        return new VoxClusterClient(host, host.Services.GetRequiredService<IClusterClient>());
    }

    // A client that did not connect: its start is given a moment to end, then the host is freed, off the caller's path.
    private static async Task ReleaseAsync(IHost host, Task start)
    {
        try
        {
            await start.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // It failed or was cancelled: the reason went to the caller.
        }

        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Never started.
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Submits a VoxLogicA program; it is compiled by the coordinating silo.</summary>
    /// <exception cref="ValidationException">The program is invalid or uses an operation the silos do not have.</exception>
    public Task<ClusterExecution> SubmitProgramAsync(string program, ClusterSubmitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        return SubmitAsync(new ExecutionRequest { Program = program }, options, cancellationToken);
    }

    /// <summary>Submits a DAG (sent as its JSON form, node ids unchanged).</summary>
    /// <exception cref="ValidationException">The DAG uses an operation the silos do not have.</exception>
    public Task<ClusterExecution> SubmitDagAsync(DagDefinition dag, ClusterSubmitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dag);
        // The compact form (node indexes, not 64-hex names twice per edge); the JSON form only for what it cannot carry.
        var compact = DagWire.TryWrite(dag);
        return SubmitAsync(compact is null ? new ExecutionRequest { DagJson = DagJson.ToJson(dag, indented: false) } : new ExecutionRequest { Dag = compact },
            options, cancellationToken);
    }

    private async Task<ClusterExecution> SubmitAsync(ExecutionRequest request, ClusterSubmitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((request.Program?.Length ?? request.DagJson?.Length ?? request.Dag?.Length ?? 0) > MaxSubmissionChars)
        {
            throw new ValidationException($"The submission is larger than {MaxSubmissionChars} characters; split it, or load its data from files.", "SubmissionTooLarge");
        }

        request.StoreNamespace = options.StoreNamespace;
        request.Name = options.Name;
        if (options.Source is { Length: > MaxSourceChars }) throw new ArgumentException($"A source text is at most {MaxSourceChars} characters.", nameof(options));
        request.Source = options.Source;
        if (options.MaxNodes is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxNodes must be positive.");
        request.MaxNodes = options.MaxNodes ?? 0;
        request.MaxConcurrency = options.MaxConcurrency;
        request.MaxRetries = options.MaxRetries ?? -1;
        request.NodeTimeoutTicks = options.NodeTimeout?.Ticks ?? 0;
        var write = options.WriteOptions ?? new Storage.ResultWriteOptions();
        request.Compression = write.Compression;
        request.CompressionCodec = write.CompressionCodec;
        request.StreamingThreshold = write.StreamingThreshold;
        request.Parameters = options.Parameters is null ? null : new Dictionary<string, object?>(options.Parameters, StringComparer.Ordinal);
        var grain = _client.GetGrain<IExecutionGrain>(Guid.NewGuid().ToString("N"));
        var started = await grain.StartAsync(request).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (started.Rejected) throw new ValidationException(started.Error ?? "The cluster refused the submission.", "ClusterSubmission");
        if (started.ExecutionId.Length == 0) throw new SchedulingException(started.Error ?? "The cluster did not start the execution.");
        return new ClusterExecution(grain, started);
    }

    /// <summary>The cluster's silos: membership status and, for active ones, slots, calls running and cached bytes.</summary>
    public async Task<IReadOnlyList<ClusterSiloInfo>> GetSilosAsync(CancellationToken cancellationToken = default)
    {
        var hosts = await _client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false).WaitAsync(cancellationToken).ConfigureAwait(false);
        var silos = new List<ClusterSiloInfo>();
        foreach (var host in hosts.OrderBy(h => h.SiloAddress.ToParsableString(), StringComparer.Ordinal))
        {
            SiloWorkerInfo? info = null;
            if (host.Status == SiloStatus.Active)
            {
                try
                {
                    info = await _client.GetGrain<ISiloInfoGrain>(host.SiloAddress.ToParsableString()).GetAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
                {
                    // Listed without its numbers: it is active in the table but did not answer.
                }
            }

            silos.Add(new ClusterSiloInfo(host.SiloAddress.Endpoint.ToString(), host.SiloName ?? string.Empty, host.Status.ToString(),
                info?.Slots ?? 0, info?.InFlight ?? 0, info?.CachedBytes ?? 0));
        }

        return silos;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is null) return;
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
