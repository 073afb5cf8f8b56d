namespace ToApis.Bench;

internal enum ScenarioKind
{
    /// <summary>a. Our pipeline.</summary>
    Pipeline,

    /// <summary>b. The docs' sample algorithm, one row at a time.</summary>
    DocsSample,

    /// <summary>c. A fixed-concurrency loop with no rate awareness.</summary>
    Parallel,
}

/// <summary>
/// The script each scenario runs in the hosted engine. Every script ends in
/// <c>ForEach-Object { $recorder.Add(...) }</c> in the runspace that runs it, which stamps the moment each task is
/// emitted. All poll every <c>$pollSec</c> (5 s × time scale).
/// </summary>
internal static class Scenarios
{
    public const int ParallelThrottleLimit = 10;

    public static string Letter(this ScenarioKind kind) => kind switch
    {
        ScenarioKind.Pipeline => "a",
        ScenarioKind.DocsSample => "b",
        ScenarioKind.Parallel => "c",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Title(this ScenarioKind kind, bool save) => kind switch
    {
        ScenarioKind.Pipeline => save
            ? "`New-ToApisImage | Wait-ToApisTask | Save-ToApisImage`"
            : "`New-ToApisImage | Wait-ToApisTask`",
        ScenarioKind.DocsSample => "docs' sample: submit, sleep, poll until terminal, one row at a time",
        ScenarioKind.Parallel => $"`ForEach-Object -Parallel -ThrottleLimit {ParallelThrottleLimit} {{ New-ToApisImage | Wait-ToApisTask }}`",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Script(this ScenarioKind kind, bool save) => kind switch
    {
        ScenarioKind.Pipeline => save ? PipelineWithSave : Pipeline,
        ScenarioKind.DocsSample => DocsSample,
        ScenarioKind.Parallel => Parallel,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private const string Pipeline = """
        param($rows, $recorder, $pollSec)
        $rows | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $pollSec | ForEach-Object { $recorder.Add($_.Id) }
        """;

    private const string PipelineWithSave = """
        param($rows, $recorder, $pollSec, $savePath)
        $rows | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $pollSec |
            Save-ToApisImage -Path $savePath -FileName '{Name}' | ForEach-Object { $recorder.Add($_.TaskId) }
        """;

    /// <summary>
    /// The algorithm of the docs' polling sample (contract §2), written with our cmdlets: submit one row, wait,
    /// poll until the task is completed or failed, and only then take the next row.
    /// </summary>
    private const string DocsSample = """
        param($rows, $recorder, $pollSec)
        $pollMs = [int][Math]::Ceiling($pollSec * 1000)
        & {
            foreach ($row in $rows) {
                $task = $row | New-ToApisImage
                while ($task) {
                    [System.Threading.Thread]::Sleep($pollMs)
                    $task = $task | Get-ToApisTask
                    if ($task.Status -in 'completed', 'failed') { break }
                }
                if ($task.Status -eq 'completed') { $task }
            }
        } | ForEach-Object { $recorder.Add($_.Id) }
        """;

    /// <summary>
    /// What a script written with ForEach-Object -Parallel does: each block imports the module and connects
    /// (runspaces start empty), then runs the pipeline for its one row, with no idea of the other nine.
    /// -RateTier None: the module would otherwise pace all ten runspaces together (they share the key), and
    /// this scenario stands for a loop with no rate awareness.
    /// </summary>
    private static readonly string Parallel = $$"""
        param($rows, $recorder, $pollSec, $manifest, $baseUri, $apiKey)
        $rows | ForEach-Object -ThrottleLimit {{ParallelThrottleLimit}} -Parallel {
            Import-Module $using:manifest
            Connect-ToApis -BaseUri $using:baseUri -ApiKey $using:apiKey -RateTier None
            $_ | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $using:pollSec
        } | ForEach-Object { $recorder.Add($_.Id) }
        """;
}
