using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;

namespace ToApis.Pipeline;

/// <summary>
/// Files as PowerShell names them: -Path (wildcards) and -LiteralPath values resolved against the command's
/// current location, and files shown as Get-Item shows them. A part the cmdlets that take or emit files hold.
/// </summary>
internal sealed class ProviderFiles(PSCmdlet cmdlet)
{
    /// <summary>
    /// File-system paths for -Path (wildcards expanded) or -LiteralPath values, resolved against the current
    /// PowerShell location. A path that matches nothing yields a <see cref="ToApisFileException"/> in its place.
    /// </summary>
    public IEnumerable<(string Input, string? Path, Exception? Error)> Resolve(IEnumerable<string> paths, bool literal)
    {
        foreach (var input in paths)
        {
            var resolved = literal ? OrNone(() => [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(input)]) : Matching(input);

            // A pattern means the files it matches, as Get-ChildItem -File would; a folder named outright is reported.
            if (!literal && WildcardPattern.ContainsWildcardCharacters(input))
            {
                resolved.RemoveAll(System.IO.Directory.Exists);
            }

            if (resolved.Count == 0)
            {
                yield return (input, null, new ToApisFileException(FileProblem.NotFound, input, $"No file matches '{input}'."));
            }

            foreach (var path in resolved)
            {
                yield return (input, path, null);
            }
        }
    }

    /// <summary>What a -Path value names now, wildcards expanded; nothing where it names nothing.</summary>
    public List<string> Matching(string path) => OrNone(() => cmdlet.GetResolvedProviderPathFromPSPath(path, out _).ToList());

    private static List<string> OrNone(Func<List<string>> resolve)
    {
        try
        {
            return resolve();
        }
        catch (Exception error) when (error is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// A file as Get-Item shows it: through the FileSystem provider, so it carries PSPath, PSParentPath,
    /// PSChildName, PSDrive and PSProvider and the console shows it with the file-system view (Mode or UnixMode,
    /// LastWriteTime, Length, Name, under its folder).
    /// </summary>
    public PSObject Item(string path)
    {
        try
        {
            var items = cmdlet.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true);
            if (items.Count == 1 && items[0].BaseObject is System.IO.FileInfo)
            {
                return items[0];
            }
        }
        catch (Exception error) when (error is ItemNotFoundException or ProviderInvocationException or NotSupportedException)
        {
            // Not reachable through a provider here (a host without the FileSystem provider): the plain file still is.
        }

        return PSObject.AsPSObject(new System.IO.FileInfo(path));
    }
}
