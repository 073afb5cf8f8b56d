using System;
using System.IO;
using System.Reflection;

namespace ToApis.Initializer;

/// <summary>What the resolver does with a request for an assembly, given the copy the module ships.</summary>
public enum ResolveDecision
{
    /// <summary>The module ships no assembly of that name: not ours to answer.</summary>
    NotShipped,

    /// <summary>Load the shipped copy: same name, same publisher, same or newer version.</summary>
    Load,

    /// <summary>The shipped copy is older than the one asked for; it could lack what the caller needs.</summary>
    ShippedIsOlder,

    /// <summary>Same name, other signer: a different assembly.</summary>
    OtherPublisher,
}

/// <summary>
/// Windows PowerShell 5.1 (.NET Framework) binds strong-named assemblies by exact version and has no binding
/// redirects for a module's dependencies, so Polly.Core asking for Microsoft.Bcl.TimeProvider 8.0.0.0 fails
/// when 8.0.0.1 ships beside it. This AppDomain.AssemblyResolve handler answers such requests from the
/// module's bin/netstandard2.0 by simple name, when the copy there is the same or a newer version
/// (NuGet's own rule for choosing one version of a package).
/// </summary>
public static class DependencyResolver
{
    private static readonly object Gate = new();
    private static string? _folder;
    private static int _imports;

    /// <summary>The folder whose assemblies answer requests, or null when no handler is installed.</summary>
    public static string? Folder
    {
        get
        {
            lock (Gate)
            {
                return _folder;
            }
        }
    }

    /// <summary>The rule, as a pure function: tests pin it.</summary>
    public static ResolveDecision Decide(AssemblyName requested, AssemblyName? shipped)
    {
        if (requested is null)
        {
            throw new ArgumentNullException(nameof(requested));
        }

        if (shipped is null || !string.Equals(requested.Name, shipped.Name, StringComparison.OrdinalIgnoreCase))
        {
            return ResolveDecision.NotShipped;
        }

        var wantedToken = requested.GetPublicKeyToken();
        if (wantedToken is { Length: > 0 } && !SameBytes(wantedToken, shipped.GetPublicKeyToken()))
        {
            return ResolveDecision.OtherPublisher;
        }

        if (requested.Version is not null && (shipped.Version is null || shipped.Version < requested.Version))
        {
            return ResolveDecision.ShippedIsOlder;
        }

        return ResolveDecision.Load;
    }

    /// <summary>Installs the handler for <paramref name="folder"/>; each import counts, so one runspace's Remove-Module leaves others working.</summary>
    public static void Register(string folder)
    {
        lock (Gate)
        {
            _imports++;
            if (_folder is null)
            {
                _folder = folder;
                AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
            }
        }
    }

    /// <summary>Removes the handler when the last import is removed.</summary>
    public static void Unregister()
    {
        lock (Gate)
        {
            _imports = Math.Max(0, _imports - 1);
            if (_imports == 0 && _folder is not null)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;
                _folder = null;
            }
        }
    }

    private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
    {
        var folder = Folder;
        if (folder is null)
        {
            return null;
        }

        try
        {
            var requested = new AssemblyName(args.Name);
            var path = ShippedPath(folder, requested.Name);
            if (path is null)
            {
                return null;
            }

            return Decide(requested, AssemblyName.GetAssemblyName(path)) == ResolveDecision.Load ? Assembly.LoadFrom(path) : null;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // Not loadable from our folder: let the runtime report the original failure.
            return null;
        }
    }

    /// <summary>The file that would answer a request for <paramref name="simpleName"/>, if the module ships one.</summary>
    public static string? ShippedPath(string folder, string? simpleName)
    {
        if (string.IsNullOrEmpty(simpleName) || simpleName!.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || simpleName.Contains(".."))
        {
            return null;
        }

        var path = Path.Combine(folder, simpleName + ".dll");
        return File.Exists(path) ? path : null;
    }

    private static bool SameBytes(byte[] a, byte[]? b)
    {
        if (b is null || a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
