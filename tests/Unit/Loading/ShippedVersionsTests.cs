using System.Security.Cryptography;
using System.Xml.Linq;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Loading;

/// <summary>
/// The module ships exactly the packages Directory.Packages.props pins, on every machine: every dependency
/// beside each build is, byte for byte, an assembly of its package at the pinned version, and every pin ships.
/// A version range left to NuGet (one package asking for "8.0.0 or later" of another) would otherwise ship
/// whatever the machine's cache and the registry hold that day.
/// </summary>
public sealed class ShippedVersionsTests(ITestOutputHelper log)
{
    /// <summary>Packages that only compile the module: PowerShell itself supplies them at run time.</summary>
    private static readonly string[] CompileOnly = ["PowerShellStandard.Library"];

    private static readonly string[] Builds = ["netstandard2.0", "net8.0"];

    [Fact]
    public void Every_shipped_dependency_is_its_pinned_package_version_and_every_module_pin_ships()
    {
        var pins = ModulePins();
        var shippedPackages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var build in Builds)
        {
            var folder = Path.Combine(ModuleAssembly.ModuleFolder, "bin", build);
            var dependencies = Directory.GetFiles(folder, "*.dll").Where(path => !Path.GetFileName(path).StartsWith("ToApis.", StringComparison.Ordinal));
            foreach (var path in dependencies)
            {
                var file = AssemblyFile.Read(path);
                Assert.True(pins.TryGetValue(file.Name, out var pinned), $"bin/{build}/{file.FileName} comes from no package pinned in Directory.Packages.props: pin it.");
                var package = Path.Combine(Frameworks.NuGetPackageRoot, file.Name.ToLowerInvariant(), pinned, "lib");
                var hash = Hash(path);
                var same = Directory.Exists(package)
                    ? Directory.GetFiles(package, file.FileName, SearchOption.AllDirectories).Where(candidate => Hash(candidate) == hash).ToList()
                    : [];
                Assert.True(same.Count > 0, $"bin/{build}/{file.FileName} ({file.Identity.Version}) is not the assembly of {file.Name} {pinned}, the pinned version.");
                log.WriteLine($"bin/{build}/{file.FileName}: {file.Name} {pinned} (assembly {file.Identity.Version})");
                shippedPackages.Add(file.Name);
            }
        }

        Assert.Empty(pins.Keys.Except(shippedPackages, StringComparer.OrdinalIgnoreCase).Except(CompileOnly).Order(StringComparer.Ordinal));
    }

    /// <summary>The pins of the module's packages and of what they bring transitively (the props file's first two groups).</summary>
    internal static IReadOnlyDictionary<string, string> ModulePins()
    {
        var props = XDocument.Load(Path.Combine(ModuleAssembly.RepoRoot(), "Directory.Packages.props"));
        return props.Root!.Elements("ItemGroup")
            .Where(group => (string?)group.Attribute("Label") is "The module" or "Shipped transitively, pinned")
            .Elements("PackageVersion")
            .ToDictionary(pin => (string)pin.Attribute("Include")!, pin => (string)pin.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
