using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text.Json;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Send-ToApisFile, New-ToApisImage -ImagePath and Save-ToApisImage against the emulator's files host.</summary>
public sealed class FilesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Hashtable Folders(string output = "out") => new() { ["refs"] = Path.Combine(_temp.Path, "refs"), ["out"] = Path.Combine(_temp.Path, output) };

    private static void AssertSavedBytesAreWhatWasServed(EmulatedService service, IEnumerable<PSObject> files)
    {
        foreach (var file in files)
        {
            var info = Assert.IsType<FileInfo>(file.BaseObject);
            var task = service.Shell.Run("param($id) Get-ToApisTask -Id $id", new Hashtable { ["id"] = file.Properties["TaskId"].Value }).OutputOf<ToApisTask>().Single();
            var url = task.ImageUrls[(int)file.Properties["ImageIndex"].Value - 1];
            Assert.Equal(service.Emulator.Stats.ServedSha256(url), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(info.FullName))));
        }
    }

    [Fact]
    public async Task Reference_folder_to_saved_images_in_one_pipeline()
    {
        await using var service = await EmulatedService.StartAsync();
        _temp.Write("refs/cat.jpg", SampleImages.Jpeg(1));
        _temp.Write("refs/dog.jpg", SampleImages.Jpeg(2));
        _temp.Write("refs/notes.txt", SampleImages.Text);

        var result = service.Run($"""
            param($refs, $out)
            [System.IO.DirectoryInfo]::new($refs).GetFiles('*.jpg') | Send-ToApisFile |
                New-ToApisImage -Prompt 'as a watercolor' | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out
            """, Folders());

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
        Assert.Equal(2, service.Emulator.Stats.TasksCreated);
        Assert.All(_temp.Files("out"), name => Assert.Matches(@"^tsk_img_\w+-1\.png$", name));
        AssertSavedBytesAreWhatWasServed(service, result.Output);
        Assert.Equal(0, service.Emulator.Stats.AuthorizedFileRequestCount);
    }

    [Fact]
    public async Task Upload_objects_carry_the_url_and_the_uploaded_bytes_are_served_back()
    {
        await using var service = await EmulatedService.StartAsync();
        var path = _temp.Write("refs/pixel.png", SampleImages.Png);

        var result = service.Run("param($path) Send-ToApisFile -LiteralPath $path", new Hashtable { ["path"] = path });

        var upload = Assert.Single(result.OutputOf<ToApisUpload>());
        Assert.StartsWith(service.Emulator.FilesBaseUri.ToString(), upload.Url);
        Assert.Equal("image/png", upload.MimeType);
        Assert.Equal(SampleImages.Png.Length, upload.Length);
        Assert.Equal(path, upload.Path);
    }

    [Fact]
    public async Task Csv_rows_are_saved_under_their_name_column()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($$"""
            param($out)
            [pscustomobject]@{ Name = 'lighthouse'; Prompt = 'a lighthouse'; Size = '16:9' },
            [pscustomobject]@{ Name = 'fox'; Prompt = 'a fox'; Size = '1:1' } |
                New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}} | Save-ToApisImage -Path $out -FileName '{Name}'
            """, Folders());

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "fox.png", "lighthouse.png" }, _temp.Files("out"));
        AssertSavedBytesAreWhatWasServed(service, result.Output);
    }

    [Fact]
    public async Task Bad_files_each_get_their_own_error_and_nothing_is_sent_for_them()
    {
        await using var service = await EmulatedService.StartAsync();
        var good = _temp.Write("refs/good.png", SampleImages.Png);
        var huge = _temp.Write("refs/huge.png", SampleImages.OversizedPng());
        var bitmap = _temp.Write("refs/old.bmp", SampleImages.Bmp);
        var fake = _temp.Write("refs/fake.png", SampleImages.Text);
        var missing = Path.Combine(_temp.Path, "refs", "missing.png");

        var result = service.Run("param($paths) $paths | Send-ToApisFile", new Hashtable { ["paths"] = new[] { missing, huge, bitmap, fake, good } });

        Assert.Single(result.OutputOf<ToApisUpload>());
        Assert.Equal(4, result.Errors.Count);
        Assert.Equal(missing, ErrorAssert.Target(ErrorAssert.Is(result.Errors[0], "ToApis.FileNotFound", ErrorCategory.ObjectNotFound)));
        Assert.Equal(huge, ErrorAssert.Target(ErrorAssert.Is(result.Errors[1], "ToApis.FileTooLarge", ErrorCategory.LimitsExceeded)));
        Assert.Equal(bitmap, ErrorAssert.Target(ErrorAssert.Is(result.Errors[2], "ToApis.UnsupportedImageType", ErrorCategory.InvalidData)));
        Assert.Equal(fake, ErrorAssert.Target(ErrorAssert.Is(result.Errors[3], "ToApis.UnsupportedImageType", ErrorCategory.InvalidData)));
        Assert.Contains("the upload limit is 10,485,760 bytes (10 MiB)", result.Errors[1].Exception.Message);
        Assert.Equal(1, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
    }

    [Fact]
    public async Task Wildcards_expand_and_a_pattern_that_matches_nothing_is_an_error()
    {
        await using var service = await EmulatedService.StartAsync();
        _temp.Write("refs/a.png", SampleImages.Png);
        _temp.Write("refs/b.png", SampleImages.Png);

        var result = service.Run("param($refs) Send-ToApisFile -Path ([IO.Path]::Combine($refs, '*.png')), ([IO.Path]::Combine($refs, '*.gif')) -WhatIf; Send-ToApisFile -Path ([IO.Path]::Combine($refs, '*.png'))",
            new Hashtable { ["refs"] = Path.Combine(_temp.Path, "refs") });

        Assert.Equal(2, result.OutputOf<ToApisUpload>().Count());
        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.FileNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
    }

    [Fact]
    public async Task ImagePath_uploads_each_reference_once_per_command()
    {
        await using var service = await EmulatedService.StartAsync();
        _temp.Write("refs/a.png", SampleImages.Png);
        _temp.Write("refs/b.jpg", SampleImages.Jpeg(3));

        var result = service.Run("param($refs) 'one', 'two', 'three' | New-ToApisImage -ImagePath ([IO.Path]::Combine($refs, '*'))",
            new Hashtable { ["refs"] = Path.Combine(_temp.Path, "refs") });

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.OutputOf<ToApisTask>().Count());
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
    }

    [Fact]
    public async Task Four_references_for_a_model_that_allows_three_upload_nothing()
    {
        await using var service = await EmulatedService.StartAsync();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            _temp.Write($"refs/{name}.png", SampleImages.Png);
        }

        var result = service.Run("param($refs) New-ToApisImage 'p' -ImagePath ([IO.Path]::Combine($refs, '*.png'))",
            new Hashtable { ["refs"] = Path.Combine(_temp.Path, "refs") });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains("at most 3", error.Exception.Message);
        Assert.Contains("ImagePath", error.ErrorDetails.RecommendedAction);
        Assert.Equal(0, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
        Assert.Equal(0, service.Submits);
    }

    [Theory]
    [InlineData(@"..\..\evil", "_.._evil.png")]
    [InlineData("../../evil", "_.._evil.png")]
    [InlineData("/etc/passwd", "_etc_passwd.png")]
    [InlineData(@"C:\Windows\win.ini", "C__Windows_win.ini.png")]
    [InlineData("CON", "_CON.png")]
    [InlineData("aux.txt", "_aux.txt.png")]
    [InlineData("what?*<>|\"", "what______.png")]
    [InlineData("...", "_.png")]
    [InlineData("", "_.png")]
    public async Task Names_from_csv_values_are_made_safe(string name, string expectedFile)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($$"""
            param($out, $name)
            [pscustomobject]@{ Name = $name; Prompt = 'p' } | New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}} |
                Save-ToApisImage -Path $out -FileName '{Name}'
            """, new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["name"] = name });

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { expectedFile }, _temp.Files("out"));
        Assert.Equal(new[] { "out" }, Directory.GetDirectories(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Duplicate_names_get_a_suffix_and_a_rerun_keeps_identical_files()
    {
        await using var service = await EmulatedService.StartAsync();
        const string Script = """
            param($out, $tasks)
            $tasks | Save-ToApisImage -Path $out -FileName '{Name}' -Verbose
            """;
        var tasks = service.Run($$"""
            [pscustomobject]@{ Name = 'fox'; Prompt = 'a fox' }, [pscustomobject]@{ Name = 'fox'; Prompt = 'another fox' } |
                New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}}
            """).Output.ToArray();
        var parameters = new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["tasks"] = tasks };

        var first = service.Run(Script, parameters);
        var downloadsAfterFirst = service.Emulator.Stats.RequestCount(RouteKeys.Files);
        var rerun = service.Run(Script, parameters);

        Assert.Empty(first.Errors);
        Assert.Empty(rerun.Errors);
        Assert.Equal(new[] { "fox (2).png", "fox.png" }, _temp.Files("out"));
        Assert.All(first.Output, f => Assert.False((bool)f.Properties["AlreadyPresent"].Value));
        Assert.All(rerun.Output, f => Assert.True((bool)f.Properties["AlreadyPresent"].Value));
        Assert.Contains(rerun.Verbose, v => v.Message.Contains("already holds this image"));
        Assert.Equal(2, downloadsAfterFirst);
    }

    [Fact]
    public async Task A_different_existing_file_is_never_overwritten_without_Force()
    {
        await using var service = await EmulatedService.StartAsync();
        var existing = _temp.Write("out/fox.png", SampleImages.Png);
        var task = service.Run($"[pscustomobject]@{{ Name = 'fox'; Prompt = 'a fox' }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}").Output.Single();
        var parameters = new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["task"] = task };

        var kept = service.Run("param($out, $task) $task | Save-ToApisImage -Path $out -FileName '{Name}'", parameters);
        Assert.Equal(SampleImages.Png, File.ReadAllBytes(existing));
        Assert.Equal(new[] { "fox (2).png", "fox.png" }, _temp.Files("out"));

        var forced = service.Run("param($out, $task) $task | Save-ToApisImage -Path $out -FileName '{Name}' -Force", parameters);
        Assert.Empty(kept.Errors);
        Assert.Empty(forced.Errors);
        Assert.NotEqual(SampleImages.Png, File.ReadAllBytes(existing));
        AssertSavedBytesAreWhatWasServed(service, forced.Output);
    }

    [Fact]
    public async Task A_result_past_its_expiry_is_a_clear_error_without_a_download()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($$"""
            param($out)
            $task = New-ToApisImage 'p' | Wait-ToApisTask {{EmulatedService.FastPolling}}
            $task.ExpiresAt = [DateTimeOffset]::UtcNow.AddMinutes(-5)
            $task | Save-ToApisImage -Path $out
            """, Folders());

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.ResultExpired", ErrorCategory.ResourceUnavailable);
        Assert.Contains("expired at", error.Exception.Message);
        Assert.Contains("New-ToApisImage", error.ErrorDetails.RecommendedAction);
        Assert.IsType<ToApisTask>(ErrorAssert.Target(error));
        Assert.Equal(0, service.Emulator.Stats.RequestCount(RouteKeys.Files));
        Assert.Empty(_temp.Files());
    }

    /// <summary>
    /// Only the clock says a result has expired: a host that refuses a result before its expires_at (here the
    /// emulator's clock runs two days ahead) is retried, then reported with its status, never as "generate it
    /// again", which would cost money.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refusal_before_the_results_expiry_is_retried_then_reported_with_its_status(bool answer403)
    {
        await using var service = await EmulatedService.StartAsync(o => o.ExpiredResultsAnswer403 = answer403);
        var task = service.Run($"New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling}").Output.Single();
        service.Emulator.Clock.Advance(TimeSpan.FromDays(2));

        var result = service.Run("param($out, $task) $task | Save-ToApisImage -Path $out", new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["task"] = task });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.DownloadFailed", ErrorCategory.ResourceUnavailable);
        Assert.Contains(answer403 ? "HTTP 403" : "HTTP 404", error.Exception.Message);
        Assert.Contains("has not expired", error.Exception.Message);
        Assert.DoesNotContain("New-ToApisImage", error.ErrorDetails.RecommendedAction);
        Assert.Equal(6, service.Emulator.Stats.RequestCount(RouteKeys.Files));
        Assert.Empty(_temp.Files());
    }

    /// <summary>A proxy that ends the body early without a Content-Length: only the image's own end marker tells.</summary>
    [Theory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("image/webp")]
    public async Task A_body_cut_short_without_a_length_is_retried_and_never_saved_as_finished(string mimeType)
    {
        await using var service = await EmulatedService.StartAsync();
        var task = service.Run($"New-ToApisImage 'p' -OutputMimeType {mimeType} | Wait-ToApisTask {EmulatedService.FastPolling}").Output.Single();
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.CutBodyNoLength);

        var retried = service.Run("param($out, $task) $task | Save-ToApisImage -Path $out", new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["task"] = task });

        Assert.Empty(retried.Errors);
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.Files));
        AssertSavedBytesAreWhatWasServed(service, retried.Output);

        service.Emulator.Faults.SetRate(FaultTarget.Files, FaultKind.CutBodyNoLength, 1.0);
        var cut = service.Run("param($out, $task) $task | Save-ToApisImage -Path $out", new Hashtable { ["out"] = Path.Combine(_temp.Path, "cut"), ["task"] = task });

        var error = ErrorAssert.Is(Assert.Single(cut.Errors), "ToApis.DownloadIncomplete", ErrorCategory.InvalidResult);
        Assert.Contains("before the end of its", error.Exception.Message);
        Assert.Empty(_temp.Files("cut"));
    }

    /// <summary>Failures the result host gets over: cut bodies, 5xx, and 403/404 blips before the result expires.</summary>
    [Theory]
    [InlineData(FaultKind.TruncatedBody, FaultKind.Status502HtmlPage)]
    [InlineData(FaultKind.Status403, FaultKind.Status403)]
    [InlineData(FaultKind.Status404, FaultKind.Status404)]
    public async Task Failed_downloads_are_retried_and_leave_no_partial_file(FaultKind first, FaultKind second)
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Add(FaultTarget.Files, first);
        service.Emulator.Faults.Add(FaultTarget.Files, second);

        var result = service.Run($"param($out) New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out", Folders());

        Assert.Empty(result.Errors);
        Assert.Single(_temp.Files("out"));
        Assert.Equal(3, service.Emulator.Stats.RequestCount(RouteKeys.Files));
        AssertSavedBytesAreWhatWasServed(service, result.Output);
    }

    [Fact]
    public async Task Stopping_mid_download_leaves_no_partial_file()
    {
        await using var service = await EmulatedService.StartAsync();
        var task = service.Run($"New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling}").Output.Single();
        service.Emulator.Faults.Delay = TimeSpan.FromMinutes(5);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.StallMidBody);
        var output = Path.Combine(_temp.Path, "out");

        using var shell = service.Shell.Start("param($out, $task) $task | Save-ToApisImage -Path $out", new Hashtable { ["out"] = output, ["task"] = task });
        shell.BeginInvoke();
        // The first half of the image is on disk in a temporary file when the stop arrives.
        Assert.True(SpinWait.SpinUntil(() => _temp.Files("out").Any(f => new FileInfo(Path.Combine(output, f)).Length > 0), TimeSpan.FromSeconds(20)));

        // The rest of the body would come in five minutes: the stop must end the download, not wait for it.
        shell.StopWithin(TimeSpan.FromSeconds(30));

        Assert.Empty(_temp.Files("out"));
    }

    [Fact]
    public async Task Sidecar_describes_the_image_and_its_source_row()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($$"""
            param($out)
            [pscustomobject]@{ Name = 'fox'; Prompt = 'a fox'; Size = '1:1'; Owner = 'marketing' } |
                New-ToApisImage -ClientBusinessId 'fox-1' | Wait-ToApisTask {{EmulatedService.FastPolling}} |
                Save-ToApisImage -Path $out -FileName '{Name}-{Index}' -Sidecar
            """, Folders());

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "fox-1.png", "fox-1.png.json" }, _temp.Files("out"));
        using var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(_temp.Path, "out", "fox-1.png.json")));
        var root = sidecar.RootElement;
        Assert.Equal("a fox", root.GetProperty("prompt").GetString());
        Assert.Equal("fox-1", root.GetProperty("client_business_id").GetString());
        Assert.Equal("1:1", root.GetProperty("size").GetString());
        Assert.Equal("marketing", root.GetProperty("source").GetProperty("Owner").GetString());
        Assert.StartsWith("tsk_img_", root.GetProperty("task_id").GetString());
        Assert.DoesNotContain(service.Emulator.ApiKey, File.ReadAllText(Path.Combine(_temp.Path, "out", "fox-1.png.json")));
    }

    [Theory]
    [InlineData("{Nmae}", "ToApis.InvalidParameter", ErrorCategory.InvalidArgument)]
    public async Task Unknown_file_name_token_names_the_known_ones(string template, string errorId, ErrorCategory category)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($"param($out, $template) [pscustomobject]@{{ Name = 'fox'; Prompt = 'p' }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out -FileName $template",
            new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["template"] = template });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), errorId, category);
        Assert.Contains("{Name}", error.Exception.Message);
        Assert.Contains("{Id}", error.Exception.Message);
    }

    [Fact]
    public async Task Tasks_that_are_not_completed_are_refused()
    {
        await using var service = await EmulatedService.StartAsync(o => o.MinLatency = o.MaxLatency = TimeSpan.FromHours(1));

        var result = service.Run("param($out) New-ToApisImage 'p' | Save-ToApisImage -Path $out", Folders());

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.TaskNotCompleted", ErrorCategory.InvalidOperation);
        Assert.Contains("Wait-ToApisTask", error.ErrorDetails.RecommendedAction);
    }
}
