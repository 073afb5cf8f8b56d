using System.Collections;
using System.Management.Automation;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// Tasks leave the live pipeline (Export-Csv, Export-Clixml, a job's serialization) and come back: readable on
/// the way out, accepted by Save-, Wait- and Get-ToApisTask on the way in, still carrying their row for {Name}.
/// </summary>
public sealed class TravelTests : IDisposable
{
    private const string TwoRows = """
        $rows = [pscustomobject]@{ Name = 'fox'; Prompt = 'A fox'; Shelf = 'A1' }, [pscustomobject]@{ Name = 'whale'; Prompt = 'A whale'; Shelf = 'B2' }

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Script text with the paths as parameters and $rows set to two CSV-shaped rows.</summary>
    private static string WithRows(string body) => "param($csv, $xml, $out, $id, $url)\n" + TwoRows + body;

    private Hashtable Paths() => new() { ["csv"] = Path.Combine(_temp.Path, "tasks.csv"), ["xml"] = Path.Combine(_temp.Path, "tasks.xml"), ["out"] = Path.Combine(_temp.Path, "out") };

    [Fact]
    public async Task Export_Csv_writes_urls_as_text_times_in_ISO_8601_and_the_rows_columns()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(WithRows($"$rows | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling} | Sort-Object Name | Export-Csv -Path $csv -NoTypeInformation"), Paths());

        Assert.Empty(result.Errors);
        var lines = File.ReadAllLines(Path.Combine(_temp.Path, "tasks.csv"));
        var header = Csv(lines[0]);
        var fox = header.Zip(Csv(lines[1])).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("fox", fox["Name"]);
        Assert.Equal("A1", fox["Shelf"]);
        Assert.Matches(@"^https?://\S+$", fox["ImageUrls"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", fox["Created"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", fox["Expires"]);
        var text = string.Join("\n", lines);
        Assert.DoesNotContain("System.String[]", text);
        Assert.DoesNotContain("@{", text);
        Assert.DoesNotContain("InputObject", header);
    }

    [Fact]
    public async Task Import_Csv_of_the_export_is_saved_under_the_rows_names_without_asking_the_service_again()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Run(WithRows($"$rows | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling} | Export-Csv -Path $csv"), Paths());
        var queries = service.Emulator.Stats.RequestCount(ToApis.Emulator.RouteKeys.QueryGeneration);

        var result = service.Run("param($csv, $out) Import-Csv -Path $csv | Save-ToApisImage -Path $out -FileName '{Name}-{Shelf}'", Paths());

        Assert.Empty(result.Errors);
        Assert.Equal(["fox-A1.png", "whale-B2.png"], _temp.Files("out"));
        Assert.Equal(queries, service.Emulator.Stats.RequestCount(ToApis.Emulator.RouteKeys.QueryGeneration));
    }

    [Fact]
    public async Task Import_Clixml_tasks_wait_and_save_with_their_rows()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Run(WithRows("$rows | New-ToApisImage | Export-Clixml -Path $xml"), Paths());

        var result = service.Run($"param($xml, $out) Import-Clixml -Path $xml | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out -FileName '{{Name}}'", Paths());

        Assert.Empty(result.Errors);
        Assert.Equal(["fox.png", "whale.png"], _temp.Files("out"));
    }

    /// <summary>
    /// What Start-Job / Receive-Job does to a task: serialized in the job's process, deserialized here. The hosted
    /// engine has no pwsh to start a job with, so this is the same round trip through PSSerializer, at the type's
    /// own depth (ToApis.Types.ps1xml) and at depth 1, the shallowest a serializer goes.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData(", 1")]
    public async Task Tasks_that_went_through_a_jobs_serialization_are_accepted_by_Save_Wait_and_Get(string depth)
    {
        await using var service = await EmulatedService.StartAsync();
        var script = WithRows($$"""
            $done = $rows | New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}}
            $received = $done | ForEach-Object {
                [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_{{depth}}))
            }
            $received[0].pstypenames[0]
            $received | Get-ToApisTask | ForEach-Object { "get:$($_.Name):$($_.Status)" }
            $received | Wait-ToApisTask {{EmulatedService.FastPolling}} | ForEach-Object { "wait:$($_.Name)" }
            $received | Save-ToApisImage -Path $out -FileName '{Name}-{Shelf}' | ForEach-Object { "saved:$($_.Name)" }
            """);

        var result = service.Run(script, Paths());

        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.StartsWith("Deserialized.ToApis.Models.ToApisTask", lines[0]);
        Assert.Equal(["get:fox:completed", "get:whale:completed"], lines.Where(l => l.StartsWith("get:")).Order());
        Assert.Equal(["wait:fox", "wait:whale"], lines.Where(l => l.StartsWith("wait:")).Order());
        Assert.Equal(["saved:fox-A1.png", "saved:whale-B2.png"], lines.Where(l => l.StartsWith("saved:")).Order());
    }

    [Fact]
    public async Task Save_looks_up_an_object_that_has_only_a_task_id_and_takes_a_list_of_urls_as_is()
    {
        await using var service = await EmulatedService.StartAsync();
        var task = service.Run($"New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling}").OutputOf<ToApisTask>().Single();
        var paths = Paths();
        paths["id"] = task.Id;
        paths["url"] = task.ImageUrls[0];

        var result = service.Run("""
            param($id, $url, $out)
            [pscustomobject]@{ TaskId = $id; Name = 'by-id' }, @{ Url = $url; Name = 'by-url' } | Save-ToApisImage -Path $out -FileName '{Name}'
            """, paths);

        Assert.Empty(result.Errors);
        Assert.Equal(["by-id.png", "by-url.png"], _temp.Files("out"));
    }

    [Fact]
    public async Task An_object_with_neither_a_task_id_nor_urls_is_refused_by_the_binder()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("param($out) [pscustomobject]@{ Name = 'x' } | Save-ToApisImage -Path $out", Paths());

        Assert.Contains("InputObjectNotBound", Assert.Single(result.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public async Task A_task_in_the_live_pipeline_carries_its_rows_columns_and_hides_the_raw_row()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(WithRows("""
            $task = $rows[0] | New-ToApisImage
            $task.Name; $task.Shelf; $task.InputObject.Shelf
            ($task.psobject.Properties | Where-Object Name -in 'InputObject', 'CreatedAt', 'IsCompleted').Count
            $task.CreatedAt.GetType().Name
            "$($task.ImageUrls)" -eq ''
            """));

        Assert.Empty(result.Errors);
        Assert.Equal(["fox", "A1", "A1", "0", "DateTimeOffset", "True"], result.Output.Select(o => o.ToString()));
    }

    private static string[] Csv(string line) =>
        System.Text.RegularExpressions.Regex.Matches(line, "\"((?:[^\"]|\"\")*)\"|(?<=^|,)([^,\"]*)(?=,|$)")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value.Replace("\"\"", "\"") : m.Groups[2].Value)
            .ToArray();
}
