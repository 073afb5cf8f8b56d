using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace ToApis.Tests.Loading;

/// <summary>An assembly's identity and references, read from its metadata without loading it.</summary>
internal sealed record AssemblyFile(string FileName, AssemblyName Identity, IReadOnlyList<AssemblyName> References)
{
    public string Name => Identity.Name!;

    public static AssemblyFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(handle => metadata.GetAssemblyReference(handle).GetAssemblyName()).ToList();
        return new AssemblyFile(Path.GetFileName(path), metadata.GetAssemblyDefinition().GetAssemblyName(), references);
    }

    /// <summary>Every managed assembly in <paramref name="folders"/>, by simple name (the newest copy where a name repeats).</summary>
    public static IReadOnlyDictionary<string, AssemblyFile> ReadFolders(params string[] folders) =>
        folders.Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.dll"))
            .Where(IsManagedAssembly)
            .Select(Read)
            .GroupBy(file => file.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.MaxBy(file => file.Identity.Version)!, StringComparer.OrdinalIgnoreCase);

    private static bool IsManagedAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
    }
}

/// <summary>The reference assemblies of the runtimes the two builds load on, as restored by NuGet or installed with the SDK.</summary>
internal static class Frameworks
{
    public static string NuGetPackageRoot =>
        typeof(Frameworks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value!;

    /// <summary>.NET Framework 4.7.2: the oldest with netstandard2.0 built in; Windows PowerShell 5.1 runs on it or newer.</summary>
    public static IReadOnlyDictionary<string, AssemblyFile> NetFramework472()
    {
        var root = Path.Combine(NuGetPackageRoot, "microsoft.netframework.referenceassemblies.net472", "1.0.3", "build", ".NETFramework", "v4.7.2");
        Assert.True(Directory.Exists(root), $"{root} is missing: restore tests/Unit (its PackageDownload brings it)");
        return AssemblyFile.ReadFolders(root, Path.Combine(root, "Facades"));
    }

    /// <summary>.NET 8, which PowerShell 7.4 runs on: the targeting pack the net8.0 build was compiled against.</summary>
    public static IReadOnlyDictionary<string, AssemblyFile> Net8()
    {
        // The SDK keeps targeting packs it ships in <dotnet>/packs and restores the others into the NuGet cache.
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var candidates = new[]
            {
                Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"),
                Path.Combine(NuGetPackageRoot, "microsoft.netcore.app.ref"),
            }
            .Where(Directory.Exists)
            .SelectMany(Directory.GetDirectories)
            .Where(dir => Path.GetFileName(dir).StartsWith("8.0.", StringComparison.Ordinal))
            .Select(dir => Path.Combine(dir, "ref", "net8.0"))
            .Where(Directory.Exists)
            .ToList();
        Assert.True(candidates.Count > 0, "no .NET 8 targeting pack found: build src/ToApis.PowerShell (its net8.0 build restores one)");
        return AssemblyFile.ReadFolders(candidates[0]);
    }
}
