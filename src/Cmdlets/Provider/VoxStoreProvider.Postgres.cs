using System.Management.Automation;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>Drives over a store in a shared PostgreSQL database (the cluster's store).</summary>
public sealed partial class VoxStoreProvider
{
    /// <summary>The backend name of a store in a PostgreSQL database.</summary>
    internal const string PostgresBackendName = "postgres";

    /// <summary>Longest namespace a drive may name (a namespace is one line of text, not a path).</summary>
    internal const int MaxNamespaceLength = 1024;

    /// <summary>
    /// A drive whose root is a namespace in the process's PostgreSQL database: the connection string
    /// from -ConnectionFile or $env:VOXSCHEDULER_POSTGRES, the user and password from -Credential.
    /// Like a folder drive it opens an existing store and creates one only with -Create.
    /// </summary>
    private VoxDriveInfo? NewPostgresDrive(PSDriveInfo drive, VoxDriveParameters parameters)
    {
        var storeNamespace = drive.Root.Trim();
        if (storeNamespace.Length > MaxNamespaceLength || storeNamespace.Any(char.IsControl))
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Name,
                $"-Root names the store's namespace in the database: one line of at most {MaxNamespaceLength} characters (got {storeNamespace.Length})."));
            return null;
        }

        try
        {
            PostgresConnection.Use(drive.Credential == PSCredential.Empty ? null : drive.Credential, parameters.ConnectionFile);
        }
        catch (ArgumentException e)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Name, e.Message, e));
            return null;
        }

        var location = new StoreLocation(PostgresBackendName, storeNamespace);
        bool exists;
        try
        {
            exists = StoreFactory.Exists(PostgresBackendName, storeNamespace);
        }
        catch (Exception e) when (e is DynamicSchedulerException or InvalidOperationException)
        {
            WriteError(VoxErrors.FromException(e, storeNamespace, VoxErrors.StoreUnavailable));
            return null;
        }

        if (!exists && !parameters.Create.IsPresent)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ObjectNotFound, drive.Root,
                $"There is no postgres store '{storeNamespace}' in {PostgresConnection.Describe()}. To create one, add -Create: New-PSDrive -Name {drive.Name} -PSProvider VoxStore -Root '{storeNamespace}' -Backend postgres -Create."));
            return null;
        }

        // The credential stays with the connection, not on the drive object others can read.
        var result = new VoxDriveInfo(new PSDriveInfo(drive.Name, drive.Provider, storeNamespace,
            string.IsNullOrEmpty(drive.Description) ? $"VoxScheduler {location} ({PostgresConnection.Describe()})" : drive.Description, null), location);
        try
        {
            result.GetStore();
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            WriteError(VoxErrors.FromException(e, storeNamespace, VoxErrors.StoreUnavailable));
            return null;
        }

        return result;
    }
}
