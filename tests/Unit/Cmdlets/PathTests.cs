using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Paths as PowerShell users expect: literal forms, files piped in, folders named as such, wildcards that resolve.</summary>
public sealed class PathTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Hashtable Folder(string? extra = null) => new() { ["dir"] = _temp.Path, ["file"] = extra };

    [Fact]
    public async Task A_file_name_with_brackets_is_found_with_LiteralImagePath_and_the_advice_names_that_parameter()
    {
        await using var service = await EmulatedService.StartAsync();
        var path = _temp.Write("cat[1].png", SampleImages.Png);

        var wildcard = service.Run("param($file) New-ToApisImage 'p' -ImagePath $file", Folder(path));
        var literal = service.Run("param($file) New-ToApisImage 'p' -LiteralImagePath $file", Folder(path));

        var error = ErrorAssert.Is(Assert.Single(wildcard.Errors), "ToApis.FileNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains("-LiteralImagePath", error.ErrorDetails.RecommendedAction);
        Assert.Empty(literal.Errors);
        Assert.Single(literal.OutputOf<ToApisTask>());
        Assert.Equal(1, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
    }

    [Fact]
    public async Task Advice_names_only_parameters_the_cmdlet_has()
    {
        await using var service = await EmulatedService.StartAsync();

        var send = service.Run("param($dir) Send-ToApisFile -Path (Join-Path $dir 'x[1].png')", Folder());
        var plain = service.Run("param($dir) Send-ToApisFile -LiteralPath (Join-Path $dir 'missing.png')", Folder());

        Assert.Contains("-LiteralPath", ErrorAssert.Is(Assert.Single(send.Errors), "ToApis.FileNotFound", ErrorCategory.ObjectNotFound).ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("Literal", ErrorAssert.Is(Assert.Single(plain.Errors), "ToApis.FileNotFound", ErrorCategory.ObjectNotFound).ErrorDetails.RecommendedAction);
        var advice = File.ReadAllText(Path.Combine(ModuleAssembly.RepoRoot(), "src", "ToApis.PowerShell", "Errors", "ErrorRecords.cs"));
        Assert.DoesNotContain("use -LiteralPath", advice);
    }

    [Fact]
    public async Task A_folder_is_reported_as_a_folder_and_a_pattern_skips_folders()
    {
        await using var service = await EmulatedService.StartAsync();
        _temp.Write("refs/a.png", SampleImages.Png);
        Directory.CreateDirectory(Path.Combine(_temp.Path, "refs", "b.png.d"));

        var folder = service.Run("param($dir) Send-ToApisFile (Join-Path $dir 'refs')", Folder());
        var pattern = service.Run("param($dir) Send-ToApisFile (Join-Path $dir 'refs/*')", Folder());

        var error = ErrorAssert.Is(Assert.Single(folder.Errors), "ToApis.PathIsFolder", ErrorCategory.InvalidArgument);
        Assert.Contains("is a folder", error.Exception.Message);
        Assert.Contains("Get-ChildItem", error.ErrorDetails.RecommendedAction);
        Assert.Empty(pattern.Errors);
        Assert.Single(pattern.OutputOf<ToApisUpload>());
    }

    [Fact]
    public async Task Files_piped_from_Get_ChildItem_are_reference_images_and_their_size_is_not_an_aspect_ratio()
    {
        await using var service = await EmulatedService.StartAsync();
        _temp.Write("cat.png", SampleImages.Png);
        _temp.Write("dog.jpg", SampleImages.Jpeg(2));

        var result = service.Run("param($dir) Get-ChildItem $dir -File | Sort-Object Name | New-ToApisImage -Prompt 'as a watercolor'", Folder());

        Assert.Empty(result.Errors);
        var tasks = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => Assert.Null(t.Size));
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
        Assert.Equal(["cat.png", "dog.jpg"], tasks.Select(t => ((FileInfo)((PSObject)t.InputObject!).BaseObject).Name));
    }

    [Fact]
    public async Task A_piped_file_with_Size_on_the_command_line_keeps_that_size()
    {
        await using var service = await EmulatedService.StartAsync();
        var path = _temp.Write("cat.png", SampleImages.Png);

        var result = service.Run("param($file) Get-Item $file | New-ToApisImage -Prompt 'x' -Size 16:9", Folder(path));

        Assert.Empty(result.Errors);
        Assert.Equal("16:9", Assert.Single(result.OutputOf<ToApisTask>()).Size);
    }

    [Theory]
    [InlineData("w*", "ToApis.InvalidPath", "matches no existing folder")]
    [InlineData("o*", "ToApis.InvalidPath", "matches 2 folders")]
    public async Task Save_refuses_a_wildcard_that_does_not_name_one_folder_and_never_creates_it(string pattern, string errorId, string message)
    {
        await using var service = await EmulatedService.StartAsync();
        Directory.CreateDirectory(Path.Combine(_temp.Path, "out1"));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "out2"));

        var result = service.Run($"param($dir, $file) try {{ New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path (Join-Path $dir $file) }} catch {{ $_ }}", Folder(pattern));

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), errorId, ErrorCategory.InvalidArgument);
        Assert.Contains(message, error.Exception.Message);
        Assert.Equal(["out1", "out2"], Directory.GetDirectories(_temp.Path).Select(Path.GetFileName).Order());
        Assert.Equal(0, service.Emulator.Stats.RequestCount(RouteKeys.Files));
    }

    [Fact]
    public async Task Save_resolves_a_wildcard_to_the_one_folder_it_matches_and_LiteralPath_creates_a_bracketed_name()
    {
        await using var service = await EmulatedService.StartAsync();
        Directory.CreateDirectory(Path.Combine(_temp.Path, "work"));

        var result = service.Run($"""
            param($dir)
            $task = New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling}
            $task | Save-ToApisImage -Path (Join-Path $dir 'w*') -FileName one
            $task | Save-ToApisImage -LiteralPath (Join-Path $dir 'set[1]') -FileName two
            """, Folder());

        Assert.Empty(result.Errors);
        Assert.Equal(["set[1]/two.png", "work/one.png"], _temp.Files().Select(f => f.Replace('\\', '/')));
    }
}
