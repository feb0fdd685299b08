using System.Management.Automation;
using System.Data.Common;
using VoxScheduler.Cluster.Postgres;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// The PostgreSQL database of this PowerShell process (the cluster's shared store): its connection
/// string comes from a file (<c>-ConnectionFile</c>) or <c>$env:VOXSCHEDULER_POSTGRES</c>, and a
/// <c>-Credential</c> supplies (or replaces) the user name and password, so the secret is never on
/// a command line. The first drive or connection names the database; the engine's postgres
/// backend is registered with it, and a later one naming another database is refused (one process,
/// one shared store).
/// </summary>
internal static class PostgresConnection
{
    /// <summary>The environment variable holding the connection string.</summary>
    public const string Variable = "VOXSCHEDULER_POSTGRES";

    /// <summary>Longest accepted connection file, in bytes (a connection string is a line of text).</summary>
    private const long MaxFileBytes = 64 * 1024;

    private static readonly Lock s_gate = new();
    private static string? s_registered;

    /// <summary>
    /// Builds the connection string and registers the postgres backend with it (once per process).
    /// </summary>
    /// <exception cref="ArgumentException">No connection string anywhere, an unreadable file, a malformed string, or another database than the one this process uses.</exception>
    public static void Use(PSCredential? credential, string? connectionFile)
    {
        // Nothing named and nothing in the environment: the database this process already uses.
        if (credential is null && string.IsNullOrWhiteSpace(connectionFile) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) && IsConfigured) return;
        var connection = Build(credential, connectionFile);
        lock (s_gate)
        {
            if (s_registered is not null)
            {
                if (Same(s_registered, connection)) return;
                throw new ArgumentException("This PowerShell process already uses another PostgreSQL database (or user) for the postgres backend; one process uses one shared store. Start another pwsh for the other database.");
            }

            PostgresBackend.Register(connection);
            s_registered = connection;
        }
    }

    /// <summary>True when the postgres backend is registered in this process.</summary>
    public static bool IsConfigured
    {
        get
        {
            lock (s_gate) return s_registered is not null;
        }
    }

    private static string Build(PSCredential? credential, string? connectionFile)
    {
        string? text;
        string source;
        if (!string.IsNullOrWhiteSpace(connectionFile))
        {
            source = $"the connection file '{connectionFile}'";
            try
            {
                var info = new FileInfo(connectionFile);
                if (info.Exists && info.Length > MaxFileBytes) throw new ArgumentException($"{source} is {info.Length} bytes; a connection file holds one connection string (at most {MaxFileBytes} bytes).");
                text = File.ReadAllText(connectionFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new ArgumentException($"{source} cannot be read: {e.Message}", e);
            }

            if (text.Length == 0) throw new ArgumentException($"{source} is empty.");
        }
        else
        {
            source = $"${Variable}";
            text = Environment.GetEnvironmentVariable(Variable)?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                throw new ArgumentException(
                    $"The postgres backend needs a connection string: set $env:{Variable} (e.g. 'Host=db;Port=5432;Database=vox'; the user name and password may come from -Credential) or give -ConnectionFile <file>. Never put the password on a command line.");
            }
        }

        // Parsed as plain key=value pairs (Npgsql itself checks the keywords when the store opens):
        // this assembly loads in PowerShell's default context, where Npgsql is not reachable.
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = text;
        }
        catch (ArgumentException e)
        {
            // The message names the position, never the password.
            throw new ArgumentException($"The PostgreSQL connection string from {source} is not valid: {e.Message}", e);
        }

        if (Value(builder, HostKeys) is not { Length: > 0 }) throw new ArgumentException($"The PostgreSQL connection string from {source} names no Host.");
        if (credential is not null && credential != PSCredential.Empty)
        {
            var network = credential.GetNetworkCredential();
            foreach (var key in UserKeys.Concat(PasswordKeys)) builder.Remove(key);
            builder["Username"] = network.UserName;
            builder["Password"] = network.Password;
        }

        return builder.ConnectionString;
    }

    private static readonly string[] HostKeys = ["Host", "Server"];
    private static readonly string[] PortKeys = ["Port"];
    private static readonly string[] DatabaseKeys = ["Database", "DB"];
    private static readonly string[] UserKeys = ["Username", "User Name", "User Id", "UserId", "User", "UID"];
    private static readonly string[] PasswordKeys = ["Password", "PSW", "PWD"];

    private static string? Value(DbConnectionStringBuilder builder, string[] keys)
    {
        foreach (var key in keys)
        {
            if (builder.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } text) return text;
        }

        return null;
    }

    private static bool Same(string a, string b)
    {
        var x = new DbConnectionStringBuilder { ConnectionString = a };
        var y = new DbConnectionStringBuilder { ConnectionString = b };
        return string.Equals(Value(x, HostKeys), Value(y, HostKeys), StringComparison.OrdinalIgnoreCase)
            && Value(x, PortKeys) == Value(y, PortKeys) && Value(x, DatabaseKeys) == Value(y, DatabaseKeys)
            && Value(x, UserKeys) == Value(y, UserKeys) && Value(x, PasswordKeys) == Value(y, PasswordKeys);
    }

    /// <summary>For messages: the server a connection string names, without its secret.</summary>
    public static string Describe()
    {
        lock (s_gate)
        {
            if (s_registered is null) return "(no PostgreSQL database)";
            var b = new DbConnectionStringBuilder { ConnectionString = s_registered };
            return $"{Value(b, UserKeys)}@{Value(b, HostKeys)}:{Value(b, PortKeys) ?? "5432"}/{Value(b, DatabaseKeys)}";
        }
    }
}
