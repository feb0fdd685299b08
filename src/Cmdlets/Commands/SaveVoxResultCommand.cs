using System.Management.Automation;
using System.Text;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Saves result values to files: bytes as bytes (streamed for large results), text as text, images as NIfTI or PNG/JPEG (by the file's extension; .nii.gz in a folder), anything else as JSON.</para>
/// </summary>
[Cmdlet(VerbsData.Save, "VoxResult", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class SaveVoxResultCommand : VoxCmdletBase
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Results from Submit-VoxDag -Wait or Get-VoxResult, or stored results as items of a VoxStore drive (Get-Item, Get-ChildItem: named after the id, or after the node's name under executions\&lt;run&gt;).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    [StoreItemResultTransformation]
    public VoxResult[] InputObject { get; set; } = [];

    /// <summary>The file to write, or an existing folder (the file is then named after the goal: .bin for bytes, .txt for text, .nii.gz for images, .json otherwise). An image goes to .nii, .nii.gz, .png, .jpg or .jpeg.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The file or folder to write, taken literally (no wildcard characters).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Overwrites an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the saved file (FileInfo).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var result in InputObject)
        {
            Save(result);
        }
    }

    private void Save(VoxResult result)
    {
        if (!result.Succeeded)
        {
            Error(VoxErrors.ResultNotFound, ErrorCategory.InvalidData, result,
                $"Goal '{result.Goal}' has no value to save ({result.Status}: {result.Error}).");
            return;
        }

        var value = result.RawValue;
        var kind = value switch
        {
            byte[] or Stream => ".bin",
            string => ".txt",
            Images.Image or VoxStoredImage => ".nii.gz",
            _ => ".json",
        };

        string target;
        try
        {
            target = TargetFile(result, kind);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            Error(VoxErrors.SaveFailed, ErrorCategory.InvalidArgument, ParameterSetName == PathSet ? Path : LiteralPath, e.Message, e);
            return;
        }

        if (value is Images.Image or VoxStoredImage && ImageWriter(target) is null)
        {
            Error(VoxErrors.SaveFailed, ErrorCategory.InvalidArgument, target,
                $"Goal '{result.Goal}' is an image: save it as .nii, .nii.gz, .png, .jpg or .jpeg, not '{System.IO.Path.GetFileName(target)}'.");
            return;
        }

        if (File.Exists(target) && !Force)
        {
            Error(VoxErrors.SaveFailed, ErrorCategory.ResourceExists, target, $"'{target}' exists; use -Force to overwrite it.");
            return;
        }

        if (!ShouldProcess(target, $"Save the value of goal '{result.Goal}'")) return;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            Write(value, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DynamicSchedulerException or InvalidOperationException or FormatException)
        {
            Error(VoxErrors.SaveFailed, ErrorCategory.WriteError, target, $"Cannot save goal '{result.Goal}' to '{target}': {e.Message}", e);
            return;
        }

        if (PassThru) WriteObject(new FileInfo(target));
    }

    // Written beside and moved into place, so a failed or stopped save never leaves half a file.
    private void Write(object? value, string target)
    {
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                switch (value)
                {
                    case byte[] bytes:
                        file.Write(bytes);
                        break;
                    case Stream stream:
                        using (stream)
                        {
                            Block(stream.CopyToAsync(file, 1 << 20, StopToken));
                        }

                        break;
                    case string text:
                        file.Write(new UTF8Encoding(false).GetBytes(text));
                        break;
                    case Images.Image image:
                        // The writers save uses, so a saved result and a `save` goal give the same file.
                        ImageWriter(target)!.Write(file, target, image);
                        break;
                    case VoxStoredImage stored:
                        // Too large to have been handed out: streamed from the store (NIfTI), or read once (PNG, JPEG).
                        Block(stored.WriteAsync(file, target, ImageWriter(target)!, StopToken));
                        break;
                    default:
                        file.Write(Encoding.UTF8.GetBytes(CanonicalJson.SerializeToString(value)));
                        break;
                }
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The image writer for the file's extension (NIfTI, PNG, JPEG), or null.</summary>
    private static Values.ValueFileWriter? ImageWriter(string target) =>
        Values.ValueKinds.WriterFor(target) is { } found && found.Kind == Images.ImageValueKind.Instance
            ? found.Writer
            : null;

    private string TargetFile(VoxResult result, string extension)
    {
        var given = ParameterSetName == PathSet ? Path : LiteralPath;
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out var provider, out _);
        if (!provider.Name.Equals("FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{given}' is not a file system path (provider {provider.Name}).");
        }

        if (!Directory.Exists(path)) return System.IO.Path.GetFullPath(path);
        var name = string.Concat(result.Goal.Select(c => System.IO.Path.GetInvalidFileNameChars().Contains(c) || c is '/' or '\\' ? '_' : c));
        return System.IO.Path.Combine(path, (name.Length == 0 ? result.NodeId[..16] : name) + extension);
    }
}
