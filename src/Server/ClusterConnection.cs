using VoxScheduler.Cluster.Client;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>
/// The server as a client of a VoxScheduler cluster (<c>--cluster-redis</c>, <c>--cluster-id</c>):
/// connected at start (a cluster that cannot be reached within the timeout fails the start),
/// watched while the server runs (the health endpoint shows what the last check found; a client
/// that keeps failing is replaced by a fresh connection), and left when the server stops.
/// Without the options it is disabled and the server runs everything locally.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How often the cluster is checked (silo listing) while the server runs.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>Longest one check may take before it counts as a failure.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Failed checks in a row after which the client is replaced by a new connection.</summary>
    private const int ReconnectAfterFailures = 3;

    private readonly ServerOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _pendingCalls = [];
    private VoxClusterClient? _client;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private Task _monitor = Task.CompletedTask;
    private ClusterHealthDto? _health;
    private int _disposed;

    private ClusterConnection(ServerOptions options, VoxClusterClient? client, ClusterHealthDto? health)
    {
        _options = options;
        _client = client;
        _health = health;
    }

    /// <summary>True when the server is a cluster client.</summary>
    public bool Enabled => _options.ClusterEnabled;

    /// <summary>The cluster's id.</summary>
    public string ClusterId => _options.ClusterId ?? string.Empty;

    /// <summary>What the last check found (null when the server is no cluster client).</summary>
    public ClusterHealthDto? Health
    {
        get
        {
            lock (_gate) return _health;
        }
    }

    /// <summary>
    /// Connects when the options name a cluster (disabled otherwise), waiting at most
    /// <see cref="ServerOptions.ClusterConnectTimeoutSeconds"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cluster cannot be reached or has no active silo (the message says which).</exception>
    public static ClusterConnection Connect(ServerOptions options)
    {
        if (!options.ClusterEnabled) return new ClusterConnection(options, null, null);
        // Start-up is synchronous (ServerApp.Create); nothing here needs a synchronization context.
        var (client, health) = ConnectClientAsync(options, CancellationToken.None).GetAwaiter().GetResult();
        return new ClusterConnection(options, client, health);
    }

    /// <summary>Attaches the server's logger and starts watching the cluster.</summary>
    public ClusterConnection WithLogger(ILogger<ClusterConnection> logger)
    {
        _logger = logger;
        if (Enabled && _monitor.IsCompleted) _monitor = Task.Run(() => MonitorAsync(_stop.Token));
        return this;
    }

    /// <summary>The client, for a submission.</summary>
    /// <exception cref="ApiProblemException">503: the server is not connected to the cluster now.</exception>
    public VoxClusterClient Client()
    {
        lock (_gate)
        {
            return _client ?? throw Unavailable(_health?.Error ?? "the server is reconnecting");
        }
    }

    /// <summary>The answer to a request the cluster could not take: 503, naming the cluster and the reason.</summary>
    public ApiProblemException Unavailable(string reason) =>
        new(StatusCodes.Status503ServiceUnavailable, "Cluster unavailable",
            $"The cluster '{ClusterId}' cannot take the execution now: {reason}. Retry later, or choose another storage_backend to run it on this server.")
        { RetryAfterSeconds = 5 };

    /// <summary>
    /// Keeps a call that must reach the cluster before the client is left (a cancellation sent at
    /// shutdown), so <see cref="DisposeAsync"/> can wait for it.
    /// </summary>
    public void Track(Task call)
    {
        lock (_gate)
        {
            _pendingCalls.RemoveAll(t => t.IsCompleted);
            _pendingCalls.Add(call);
        }
    }

    private static async Task<(VoxClusterClient Client, ClusterHealthDto Health)> ConnectClientAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.ClusterConnectTimeoutSeconds);
        var where = $"cluster '{options.ClusterId}' (Redis {RedisEndpoints(options.ClusterRedis!)})";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var connecting = VoxClusterClient.ConnectAsync(new ClusterConnectionOptions
        {
            ClusterId = options.ClusterId!.Trim(), ServiceId = options.ClusterServiceId.Trim(), Redis = options.ClusterRedis!.Trim(),
        }, deadline.Token);
        VoxClusterClient client;
        try
        {
            // WaitAsync bounds the wait even where a connection attempt ignores its token.
            client = await connecting.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _ = connecting.ContinueWith(t => t.Result.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            throw new InvalidOperationException($"Cannot connect to the {where}: no connection within {timeout.TotalSeconds:0.#} s (--cluster-connect-timeout).", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Cannot connect to the {where}: {e.GetType().Name}: {FirstLine(e.Message)}", e);
        }

        try
        {
            var health = Describe(options, await client.GetSilosAsync(deadline.Token).WaitAsync(timeout, cancellationToken).ConfigureAwait(false));
            if (health.ActiveSilos == 0) throw new InvalidOperationException($"Cannot use the {where}: it has no active silo.");
            return (client, health);
        }
        catch (Exception e)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            if (e is InvalidOperationException || cancellationToken.IsCancellationRequested) throw;
            throw new InvalidOperationException($"Cannot use the {where}: its silos did not answer: {e.GetType().Name}: {FirstLine(e.Message)}", e);
        }
    }

    private async Task MonitorAsync(CancellationToken stop)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                // A periodic check of a remote system: membership changes are not pushed to a client.
                await Task.Delay(CheckInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            VoxClusterClient? client;
            lock (_gate) client = _client;
            try
            {
                if (client is null) throw new InvalidOperationException("not connected");
                var silos = await client.GetSilosAsync(stop).WaitAsync(CheckTimeout, stop).ConfigureAwait(false);
                var health = Describe(_options, silos);
                lock (_gate) _health = health;
                if (failures > 0) _logger.LogInformation("The cluster {ClusterId} answers again ({Silos} active silos)", ClusterId, health.ActiveSilos);
                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever the client throws (timeouts, rejected messages, no gateway), the cluster is not usable now.
                failures++;
                var reason = $"{e.GetType().Name}: {FirstLine(e.Message)}";
                SetUnavailable(failures >= ReconnectAfterFailures ? "reconnecting" : "unavailable", reason);
                _logger.LogWarning("The cluster {ClusterId} did not answer ({Failures} checks in a row): {Reason}", ClusterId, failures, reason);
                if (failures >= ReconnectAfterFailures) await ReconnectAsync(stop).ConfigureAwait(false);
            }
        }
    }

    private async Task ReconnectAsync(CancellationToken stop)
    {
        try
        {
            var (fresh, health) = await ConnectClientAsync(_options, stop).ConfigureAwait(false);
            VoxClusterClient? old;
            lock (_gate)
            {
                old = _client;
                _client = fresh;
                _health = health;
            }

            _logger.LogInformation("Reconnected to the cluster {ClusterId} ({Silos} active silos)", ClusterId, health.ActiveSilos);
            if (old is not null) await DisposeQuietlyAsync(old).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            SetUnavailable("unavailable", e.Message);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    private void SetUnavailable(string state, string reason)
    {
        lock (_gate)
        {
            _health = new ClusterHealthDto
            {
                State = state, ClusterId = ClusterId, ActiveSilos = 0, Slots = 0, CheckedAt = DateTimeOffset.UtcNow, Error = reason,
            };
        }
    }

    private static ClusterHealthDto Describe(ServerOptions options, IReadOnlyList<ClusterSiloInfo> silos)
    {
        var active = silos.Where(s => s.Status == "Active").ToList();
        return new ClusterHealthDto
        {
            State = active.Count > 0 ? "connected" : "unavailable",
            ClusterId = options.ClusterId ?? string.Empty,
            ActiveSilos = active.Count,
            Slots = active.Sum(s => s.Slots),
            CheckedAt = DateTimeOffset.UtcNow,
            Error = active.Count > 0 ? null : "no active silo",
        };
    }

    /// <summary>The endpoints of a Redis configuration string, without its options (a password among them).</summary>
    private static string RedisEndpoints(string configuration) =>
        string.Join(",", configuration.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => !p.Contains('=')));

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private async Task DisposeQuietlyAsync(VoxClusterClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Leaving a cluster that is gone may fail; the client is dropped all the same.
            _logger.LogDebug(e, "Leaving the cluster {ClusterId} failed", ClusterId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _monitor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        Task[] pending;
        VoxClusterClient? client;
        lock (_gate)
        {
            pending = [.. _pendingCalls];
            client = _client;
            _client = null;
        }

        // Cancellations sent at shutdown reach the cluster before the client leaves it (bounded).
        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        if (client is not null) await DisposeQuietlyAsync(client).ConfigureAwait(false);
        _stop.Dispose();
    }
}
