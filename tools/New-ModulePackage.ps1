#requires -Version 7.6
<#
.SYNOPSIS
    Packs the built module (out/VoxScheduler) as a PowerShell Gallery .nupkg.

.DESCRIPTION
    PSResourceGet's Compress-PSResource/Publish-PSResource need a reachable repository and there
    is no PowerShell Gallery here, so this script writes the package the way they do: a NuGet
    (OPC) zip with the module's files at its root, a .nuspec whose metadata comes from the
    module manifest (id, version, authors, description, copyright, ProjectUri, LicenseUri,
    ReleaseNotes, tags) plus the Gallery's generated tags (PSModule, PSEdition_Core,
    PSIncludes_Cmdlet, PSCmdlet_<name> and PSCommand_<name> for every exported cmdlet), and the
    [Content_Types].xml, _rels/.rels and core-properties parts every NuGet package carries.
    Called by build.ps1's pack task; Install-PSResource/Save-PSResource accept the result (the
    packaging Pester test installs it from a local repository).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputDirectory
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.IO.Compression

$ModulePath = [IO.Path]::GetFullPath($ModulePath, (Get-Location).ProviderPath)
$OutputDirectory = [IO.Path]::GetFullPath($OutputDirectory, (Get-Location).ProviderPath)
$name = Split-Path $ModulePath -Leaf
$manifestPath = Join-Path $ModulePath "$name.psd1"
# Read as data: importing the module here would load its assemblies into this process for good.
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
$psData = $manifest.PrivateData.PSData
$version = [string] $manifest.ModuleVersion
if ($version -notmatch '^\d+\.\d+\.\d+') { throw "The manifest's ModuleVersion '$version' is not a version (was the module built?)." }
if ($psData.ContainsKey('Prerelease') -and $psData.Prerelease) { $version = "$version-$($psData.Prerelease)" }

function ConvertTo-XmlText([string] $Text) { [System.Security.SecurityElement]::Escape($Text) }

$cmdlets = @($manifest.CmdletsToExport)
$tags = [System.Collections.Generic.List[string]]::new()
foreach ($t in @($psData.Tags) + @('PSModule') + @($manifest.CompatiblePSEditions | ForEach-Object { "PSEdition_$_" }) +
    @(if ($cmdlets.Count) { 'PSIncludes_Cmdlet' }) + @($cmdlets | ForEach-Object { "PSCmdlet_$_"; "PSCommand_$_" })) {
    if ($t -and -not $tags.Contains($t)) { $tags.Add($t) }
}
$tagText = $tags -join ' '
$authors = if ($manifest.Author) { $manifest.Author } else { $manifest.CompanyName }

$nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>$(ConvertTo-XmlText $name)</id>
    <version>$(ConvertTo-XmlText $version)</version>
    <authors>$(ConvertTo-XmlText $authors)</authors>
    <owners>$(ConvertTo-XmlText $manifest.CompanyName)</owners>
    <requireLicenseAcceptance>$(if ($psData.ContainsKey('RequireLicenseAcceptance') -and $psData.RequireLicenseAcceptance) { 'true' } else { 'false' })</requireLicenseAcceptance>
    <licenseUrl>$(ConvertTo-XmlText $psData.LicenseUri)</licenseUrl>
    <projectUrl>$(ConvertTo-XmlText $psData.ProjectUri)</projectUrl>
    <description>$(ConvertTo-XmlText $manifest.Description)</description>
    <releaseNotes>$(ConvertTo-XmlText $psData.ReleaseNotes)</releaseNotes>
    <copyright>$(ConvertTo-XmlText $manifest.Copyright)</copyright>
    <tags>$(ConvertTo-XmlText $tagText)</tags>
  </metadata>
</package>
"@

$files = Get-ChildItem -LiteralPath $ModulePath -Recurse -File | Sort-Object FullName
$extensions = @($files | ForEach-Object { $_.Extension.TrimStart('.') } | Where-Object { $_ } | Sort-Object -Unique) + 'nuspec' | Sort-Object -Unique
$contentTypes = @"
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />
$(($extensions | Where-Object { $_ -notin 'rels', 'psmdcp' } | ForEach-Object { "  <Default Extension=`"$(ConvertTo-XmlText $_)`" ContentType=`"application/octet`" />" }) -join "`n")
</Types>
"@
# The core-properties part is named by a hash of id and version, so packing twice gives the same package.
$coreName = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes("$name/$version"))).Substring(0, 32).ToLowerInvariant()
$rels = @"
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/$name.nuspec" Id="R0" />
  <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/$coreName.psmdcp" Id="R1" />
</Relationships>
"@
$coreProperties = @"
<?xml version="1.0" encoding="utf-8"?>
<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">
  <dc:creator>$(ConvertTo-XmlText $authors)</dc:creator>
  <dc:description>$(ConvertTo-XmlText $manifest.Description)</dc:description>
  <dc:identifier>$(ConvertTo-XmlText $name)</dc:identifier>
  <version>$(ConvertTo-XmlText $version)</version>
  <keywords>$(ConvertTo-XmlText $tagText)</keywords>
  <lastModifiedBy>VoxScheduler build.ps1 pack</lastModifiedBy>
</coreProperties>
"@

$null = New-Item -ItemType Directory -Path $OutputDirectory -Force
$package = Join-Path $OutputDirectory "$name.$version.nupkg"
if (Test-Path -LiteralPath $package) { Remove-Item -LiteralPath $package -Force }
$stream = [IO.File]::Open($package, [IO.FileMode]::CreateNew)
try {
    $zip = [IO.Compression.ZipArchive]::new($stream, [IO.Compression.ZipArchiveMode]::Create)
    try {
        function Add-Text([string] $EntryName, [string] $Text) {
            $entry = $zip.CreateEntry($EntryName, [IO.Compression.CompressionLevel]::Optimal)
            $writer = [IO.StreamWriter]::new($entry.Open(), [Text.UTF8Encoding]::new($false))
            try { $writer.Write($Text) } finally { $writer.Dispose() }
        }
        Add-Text '_rels/.rels' $rels
        Add-Text "$name.nuspec" $nuspec
        foreach ($file in $files) {
            $relative = [IO.Path]::GetRelativePath($ModulePath, $file.FullName).Replace('\', '/')
            # NuGet escapes part names as URIs; a name needing it would be read back differently.
            if ($relative -ne [Uri]::EscapeDataString($relative).Replace('%2F', '/')) { throw "Cannot pack '$relative': its name needs URI escaping." }
            $null = [IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file.FullName, $relative, [IO.Compression.CompressionLevel]::Optimal)
        }
        Add-Text "package/services/metadata/core-properties/$coreName.psmdcp" $coreProperties
        Add-Text '[Content_Types].xml' $contentTypes
    }
    finally { $zip.Dispose() }
}
finally { $stream.Dispose() }
Write-Host "Package ready: $package ($($files.Count) files)"
$package
