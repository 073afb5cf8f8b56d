using ToApis.Emulator;

namespace ToApis.Bench;

internal enum ScenarioKind
{
    /// <summary>a. Our pipeline with Save, CDN downloads, default tier told.</summary>
    Pipeline,

    /// <summary>b. The docs' sample algorithm, one row at a time.</summary>
    DocsSample,

    /// <summary>c. A fixed-concurrency loop with no rate awareness.</summary>
    Parallel,

    /// <summary>d. Our pipeline with Save, CDN downloads, svip tier told.</summary>
    PipelineSvip,

    /// <summary>e. An account four times the default pace that the client is not told about.</summary>
    FasterAccount,

    /// <summary>f. The same account again, starting from what e remembered.</summary>
    FasterAccountAgain,

    /// <summary>g. An account at half the default pace, not told.</summary>
    SlowerAccount,

    /// <summary>h. Two processes at once on one default-tier account, not told.</summary>
    TwoProcesses,

    /// <summary>i. Three processes at once on one default-tier account, not told.</summary>
    ThreeProcesses,

    /// <summary>j. h, against a service that sends the rate-limit headers only on 429s.</summary>
    TwoProcessesHeadersOn429s,

    /// <summary>k. i, against a service that sends the rate-limit headers only on 429s.</summary>
    ThreeProcessesHeadersOn429s,

    /// <summary>l. A second process joins one account halfway through the first one's run.</summary>
    JoinsHalfway,

    /// <summary>m. e with 200 rows: how soon an untold account's pace is found.</summary>
    FasterAccountFewRows,
}

/// <summary>What each process of a scenario runs in the hosted engine.</summary>
internal enum ScriptKind
{
    /// <summary>Rows | New-ToApisImage | Wait-ToApisTask.</summary>
    NewWait,

    /// <summary>Rows | New-ToApisImage | Wait-ToApisTask | Save-ToApisImage.</summary>
    NewWaitSave,

    DocsSample,

    Parallel,
}

/// <summary>
/// One scenario: the account it runs against (tier, a multiple of the tier's pace, told to the client or not), what
/// each of its processes runs, how many processes, and its goal as a ratio to its own physical limit.
/// </summary>
internal sealed record Scenario(
    ScenarioKind Kind,
    string Letter,
    string Title,
    RateTier Tier,
    double RateScale,
    bool Told,
    ScriptKind Script,
    int Processes = 1,
    double TaskShare = 1,
    double? GoalRatio = null,
    int? Goal429s = null,
    double? Goal429sPer100 = null,
    RateLimitHeaders Headers = RateLimitHeaders.EveryAnswer,
    bool JoinsHalfway = false)
{
    public const int ParallelThrottleLimit = 10;

    public static readonly IReadOnlyList<Scenario> All =
    [
        new(ScenarioKind.Pipeline, "a", "`New | Wait | Save`, CDN downloads, default tier (told)", RateTier.Default, 1, Told: true, ScriptKind.NewWaitSave, GoalRatio: 1.10),
        new(ScenarioKind.DocsSample, "b", "docs' sample: submit, sleep, poll until terminal, one row at a time (default tier)", RateTier.Default, 1, Told: true, ScriptKind.DocsSample),
        new(ScenarioKind.Parallel, "c", $"`ForEach-Object -Parallel -ThrottleLimit {ParallelThrottleLimit} {{ New | Wait }}`, no pacing (default tier)", RateTier.Default, 1, Told: false, ScriptKind.Parallel),
        new(ScenarioKind.PipelineSvip, "d", "`New | Wait | Save`, CDN downloads, svip tier (told)", RateTier.Svip, 1, Told: true, ScriptKind.NewWaitSave, GoalRatio: 1.10),
        new(ScenarioKind.FasterAccount, "e", "`New | Wait`, untold account at 4× the default pace, first run", RateTier.Default, 4, Told: false, ScriptKind.NewWait, GoalRatio: 1.05, Goal429s: 30),
        new(ScenarioKind.FasterAccountAgain, "f", "`New | Wait`, the same account, second run (remembered pace)", RateTier.Default, 4, Told: false, ScriptKind.NewWait, GoalRatio: 1.05),
        new(ScenarioKind.SlowerAccount, "g", "`New | Wait`, untold account at half the default pace", RateTier.Default, 0.5, Told: false, ScriptKind.NewWait, TaskShare: 0.5, GoalRatio: 1.15, Goal429s: 10),
        new(ScenarioKind.TwoProcesses, "h", "`New | Wait` in two processes at once on one default-tier account (untold), half the rows each", RateTier.Default, 1, Told: false, ScriptKind.NewWait, Processes: 2, GoalRatio: 1.15, Goal429sPer100: 10),
        new(ScenarioKind.ThreeProcesses, "i", "`New | Wait` in three processes at once on one default-tier account (untold), a third of the rows each", RateTier.Default, 1, Told: false, ScriptKind.NewWait, Processes: 3, GoalRatio: 1.20),
        new(ScenarioKind.TwoProcessesHeadersOn429s, "j", "h against a service that sends X-RateLimit-* only on 429s", RateTier.Default, 1, Told: false, ScriptKind.NewWait, Processes: 2, GoalRatio: 1.20, Goal429sPer100: 25, Headers: RateLimitHeaders.RefusalsOnly),
        new(ScenarioKind.ThreeProcessesHeadersOn429s, "k", "i against a service that sends X-RateLimit-* only on 429s", RateTier.Default, 1, Told: false, ScriptKind.NewWait, Processes: 3, GoalRatio: 1.20, Goal429sPer100: 25, Headers: RateLimitHeaders.RefusalsOnly),
        new(ScenarioKind.JoinsHalfway, "l", "`New | Wait`, a second process joins one default-tier account (untold) halfway through the first one's rows", RateTier.Default, 1, Told: false, ScriptKind.NewWait, Processes: 2, GoalRatio: 1.15, Goal429sPer100: 10, JoinsHalfway: true),
        new(ScenarioKind.FasterAccountFewRows, "m", "`New | Wait`, untold account at 4× the default pace, 200 rows of a 1,000-task run", RateTier.Default, 4, Told: false, ScriptKind.NewWait, TaskShare: 0.2, GoalRatio: 1.10),
    ];

    public bool Saves => Script == ScriptKind.NewWaitSave;

    /// <summary>The account's emulated user: its tier, at a multiple of the tier's pace.</summary>
    public EmulatorUser User => new(EmulatorOptions.DefaultUserId, Tier, RateScale);

    /// <summary>Connect-ToApis parameters: the tier when told; nothing (learn it) when not.</summary>
    public string ConnectParameters => Told ? $"-RateTier {Tier}" : "";

    public string Account =>
        $"{Tier.ToString().ToLowerInvariant()}{(RateScale == 1 ? "" : $" × {RateScale:0.##}")}, {(Told ? "told" : "untold")}{(Headers == RateLimitHeaders.RefusalsOnly ? ", headers on 429s only" : "")}";

    /// <summary>The goal as the table states it, or null.</summary>
    public string? GoalText => GoalRatio is { } ratio
        ? $"≤ {ratio:0.00}{(Goal429s is { } most ? $", ≤ {most} 429s" : "")}{(Goal429sPer100 is { } per100 ? $", ≤ {per100:0} 429s/100 tasks" : "")}{(Processes > 1 ? ", no row lost" : "")}"
        : null;

    public static Scenario Of(ScenarioKind kind) => All.Single(s => s.Kind == kind);

    public static Scenario? FromLetter(string letter) => All.SingleOrDefault(s => s.Letter == letter);

    /// <summary>
    /// The scripts, each ending in a recorder stage in the runspace that runs it, which stamps the moment each task
    /// (or file) comes out. All poll every <c>$pollSec</c> (5 s × time scale).
    /// </summary>
    public static string ScriptText(ScriptKind kind) => kind switch
    {
        ScriptKind.NewWait => """
            param($rows, $recorder, $pollSec)
            $rows | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $pollSec | ForEach-Object { $recorder.Add($_.Id) }
            """,
        // Each file is deleted once recorded: 10,000 results of 1-3 MB would otherwise fill the disk.
        ScriptKind.NewWaitSave => """
            param($rows, $recorder, $pollSec, $savePath)
            $rows | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $pollSec |
                Save-ToApisImage -Path $savePath -FileName '{Name}' | ForEach-Object { $recorder.AddFile($_.TaskId, $_.FullName) }
            """,
        // The algorithm of the docs' polling sample (contract §2), written with our cmdlets: submit one row, wait,
        // poll until the task is completed or failed, and only then take the next row.
        ScriptKind.DocsSample => """
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
            """,
        // What a script written with ForEach-Object -Parallel does: each block imports the module and connects
        // (runspaces start empty), then runs the pipeline for its one row, with no idea of the other nine.
        // -RateTier None: the module would otherwise pace all ten runspaces together (they share the key), and
        // this scenario stands for a loop with no rate awareness.
        ScriptKind.Parallel => $$"""
            param($rows, $recorder, $pollSec, $manifest, $baseUri, $apiKey)
            $rows | ForEach-Object -ThrottleLimit {{ParallelThrottleLimit}} -Parallel {
                Import-Module $using:manifest
                Connect-ToApis -BaseUri $using:baseUri -ApiKey $using:apiKey -RateTier None
                $_ | New-ToApisImage | Wait-ToApisTask -PollIntervalSec $using:pollSec
            } | ForEach-Object { $recorder.Add($_.Id) }
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
