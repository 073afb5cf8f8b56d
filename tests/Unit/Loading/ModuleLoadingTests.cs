using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Loading;

public sealed class ModuleLoadingTests
{
    [Fact]
    public void Import_from_out_folder_exports_every_cmdlet()
    {
        using var host = new PowerShellHost();
        var result = host.Run("(Get-Command -Module ToApis).Name");
        Assert.Empty(result.Errors);
        Assert.Equal(
            new[]
            {
                "Connect-ToApis", "ConvertFrom-ToApisWebhook", "Disconnect-ToApis", "Export-ToApisGallery", "Get-ToApisBalance", "Get-ToApisModel",
                "Get-ToApisRun", "Get-ToApisSession", "Get-ToApisTask", "New-ToApisImage", "Save-ToApisImage", "Send-ToApisFile", "Wait-ToApisTask",
            },
            result.Output.Select(o => o.ToString()).Order());
        var path = host.Run("(Get-Module ToApis).ModuleBase").Output.Single().ToString();
        Assert.Equal(Path.GetFullPath(ModuleAssembly.ModuleFolder).TrimEnd('/'), Path.GetFullPath(path).TrimEnd('/'));
    }

    [Fact]
    public void Importing_again_with_Force_keeps_every_cmdlet()
    {
        using var host = new PowerShellHost();

        var result = host.Run("param($manifest) Import-Module $manifest -Force; Import-Module $manifest -Force; (Get-Command -Module ToApis).Count",
            new System.Collections.Hashtable { ["manifest"] = ModuleAssembly.ManifestPath });

        Assert.Empty(result.Errors);
        Assert.Equal(13, (int)result.Output.Single().BaseObject);
    }
}
