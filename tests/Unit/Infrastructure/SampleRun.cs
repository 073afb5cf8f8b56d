namespace ToApis.Tests.Infrastructure;

/// <summary>
/// A journaled 20-row CSV run with four failures of four kinds, for the tests of what a run leaves behind:
/// row 7 has a pixel size (sent with a warning, refused by the service), row 12 a prompt the service refuses at submit (content
/// policy), and the tasks of rows 3 and 15 end failed. The other 16 rows are saved as {Name}.png. Row 20's
/// name and prompt carry markup, as a hostile or careless CSV could.
/// </summary>
internal static class SampleRun
{
    public const int Rows = 20;

    public static readonly string[] FailingNames = ["row3", "row7", "row12", "row15"];

    public const string HostileName = "<img src=x onerror=window.__xss=1>row20";

    public const string HostilePrompt = "</p><script>window.__xss=2</script>A lighthouse number 20";

    /// <summary>Script that sets $rows to the run's CSV-shaped rows.</summary>
    public const string CsvRows = $$"""
        $rows = 1..20 | ForEach-Object {
            $prompt = switch ($_) {
                3 { 'A lighthouse in a storm, doomed-task' }
                12 { 'A lighthouse, forbidden-content' }
                15 { 'A lighthouse at night, doomed-task' }
                20 { '{{HostilePrompt}}' }
                default { "A lighthouse number $_" }
            }
            $name = if ($_ -eq 20) { '{{HostileName}}' } else { "row$_" }
            [pscustomobject]@{ Name = $name; Prompt = $prompt; Size = $(if ($_ -eq 7) { '1920x1080' } else { '1:1' }); Tag = "tag-$_" }
        }

        """;

    /// <summary>New | Wait | Save of <paramref name="input"/>, every cmdlet with the same -Journal.</summary>
    public static string Pipeline(string input, string journal, string output, string runKey = "sample") =>
        $"{input} | New-ToApisImage -RunKey '{runKey}' -Journal '{journal}' | " +
        $"Wait-ToApisTask -Journal '{journal}' {EmulatedService.FastPolling} | " +
        $"Save-ToApisImage -Path '{output}' -FileName '{{Name}}' -Journal '{journal}'";

    /// <summary>The whole run: rows, then the pipeline.</summary>
    public static string Script(string journal, string output) => CsvRows + Pipeline("$rows", journal, output);
}
