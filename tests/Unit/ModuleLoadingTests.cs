using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests;

public sealed class ModuleLoadingTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Fact]
    public void Import_from_out_folder_exports_every_cmdlet()
    {
        using var host = new PowerShellHost();
        var result = host.Run("(Get-Command -Module ToApis).Name");
        Assert.Empty(result.Errors);
        Assert.Equal(
            new[] { "Connect-ToApis", "Disconnect-ToApis", "Get-ToApisTask", "New-ToApisImage", "Wait-ToApisTask" },
            result.Output.Select(o => o.ToString()).Order());
        var path = host.Run("(Get-Module ToApis).ModuleBase").Output.Single().ToString();
        Assert.Equal(Path.GetFullPath(ModuleAssembly.ModuleFolder).TrimEnd('/'), Path.GetFullPath(path).TrimEnd('/'));
    }

    [Fact]
    public void Binding_probe()
    {
        using var host = new PowerShellHost();
        var result = host.Run("$env:TOAPIS_API_KEY=$null; 'a cat', [pscustomobject]@{ Prompt = 'a dog'; Name = 'dog' } | New-ToApisImage -WhatIf -Verbose");
        foreach (var e in result.Errors) log.WriteLine("ERR " + e + " " + e.FullyQualifiedErrorId);
        foreach (var e in result.Verbose) log.WriteLine("VERBOSE " + e);
        var r2 = host.Run("[pscustomobject]@{ Prompt = 'a dog'; Name = 'dog'; Size='1024x1024' }, [pscustomobject]@{ Prompt = 'x'; Count='' }, [pscustomobject]@{ Prompt = 'y'; Count='0' },[pscustomobject]@{ Prompt = 'z'; Temperature='' } | New-ToApisImage -WhatIf");
        foreach (var e in r2.Errors) log.WriteLine("ERR2 " + e + " " + e.FullyQualifiedErrorId + " target=" + e.TargetObject);
    }
}
