using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Every command owns its end: what it never sent costs nothing, and no task it paid for is lost from view.</summary>
[Collection(nameof(PacingCollection))]
public sealed class RunEngineTests
{
    [Fact]
    public async Task Select_First_3_spends_at_most_5_tasks_and_accounts_for_every_one()
    {
        await using var service = await EmulatedService.StartAsync();
        using var folder = new TempFolder();
        var journal = Path.Combine(folder.Path, "run.jsonl");
        // The third submit answers slowly, so the fourth and fifth are created while the third is awaited.
        service.Emulator.Faults.Delay = TimeSpan.FromMilliseconds(500);
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.Pass, count: 2);
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.DelayResponse);

        var result = service.Run($"1..40 | ForEach-Object {{ \"p$_\" }} | New-ToApisImage -Journal '{journal}' | Select-Object -First 3");

        var emitted = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(new[] { "p1", "p2", "p3" }, emitted.Select(t => t.Prompt));
        var created = service.Emulator.Stats.ClientBusinessIdsCreated;
        Assert.InRange(created.Count, 3, 5);
        Assert.Equal(created.Count, service.Submits);

        var unseen = created.Except(emitted.Select(t => t.ClientBusinessId!)).ToList();
        var warning = string.Join("\n", result.Warnings.Select(w => w.Message));
        Assert.All(unseen, id => Assert.Contains(id, warning));
        // Whether later submits were on the wire when the third came out depends on which arrived first.
        Assert.Equal(unseen.Count > 0, warning.Contains("were not passed on"));
        var journaled = File.ReadAllLines(journal)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(entry => entry.GetProperty("event").GetString() == "submitted")
            .Select(entry => entry.GetProperty("client_business_id").GetString()!)
            .ToHashSet();
        Assert.Equal(created.ToHashSet(), journaled);
    }

    [Fact]
    public async Task The_window_opens_one_task_at_a_time_so_a_bad_key_costs_one_request()
    {
        await using var service = await EmulatedService.StartAsync();
        using var other = new PowerShellHost();
        other.Connect(service.Emulator.BaseUri, "sk-not-a-key", EmulatedService.FastRetries + " -SkipValidation");

        var result = other.Run("1..20 | ForEach-Object { \"p$_\" } | New-ToApisImage");

        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.Unauthorized", ErrorCategory.AuthenticationError);
        Assert.Equal(1, service.Submits);
    }

    [Fact]
    public async Task Waiting_for_the_clients_own_pace_is_not_a_timeout_and_needs_no_lookup()
    {
        // One submit every ~2 s, and each HTTP attempt may take 1 s: the second row queues for its token longer
        // than an attempt may last, which is no reason to suspect the request (it was never sent).
        await using var service = await EmulatedService.StartAsync(connectParameters: EmulatedService.FastRetries + " -SubmitRateLimit 0.5 -TimeoutSec 1");

        var result = service.Run("'first', 'second' | New-ToApisImage");

        Assert.Empty(result.Errors);
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("ambiguous"));
        Assert.Equal(2, result.OutputOf<ToApisTask>().Count());
        Assert.Equal(2, service.Submits);
        Assert.Equal(0, service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration));
    }

    /// <summary>
    /// Every submit is journaled before it is sent, so a journal that cannot be opened (here a file in /proc, where
    /// no lock file can be made either) ends the command before anything is paid. A journal that fails later
    /// still lets paid tasks out (see LocalFilesTests).
    /// </summary>
    [Fact]
    public async Task A_journal_that_cannot_be_written_ends_the_command_before_anything_is_paid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/version reads but refuses writes only on Linux
        }

        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("try { 'first', 'second' | New-ToApisImage -Journal /proc/version } catch { $_ }");

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.JournalNotWritable", ErrorCategory.WriteError);
        Assert.Contains("/proc/version", error.ErrorDetails.Message);
        Assert.Equal(0, service.Submits);
    }

    [Fact]
    public async Task Disconnect_closes_the_session_and_a_closed_session_says_so()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(
            $"$s = Connect-ToApis -BaseUri '{service.Emulator.BaseUri}' -ApiKey (ConvertTo-SecureString '{service.Emulator.ApiKey}' -AsPlainText -Force) -PassThru; " +
            "Disconnect-ToApis; New-ToApisImage 'after' -Session $s");

        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.SessionClosed", ErrorCategory.InvalidOperation);
        Assert.Equal(0, service.Submits);
    }

    [Fact]
    public async Task A_finished_pipeline_keeps_nothing_of_its_run_alive()
    {
        // The account's pacer outlives every command (it is shared by the process) and reports pace changes to the
        // last command that used it: it must not keep that command, its pipeline and all they gathered.
        await using var service = await EmulatedService.StartAsync();
        using var folder = new TempFolder();

        var row = RunOneRow(service, folder.Path);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(row.IsAlive, "the last row of a finished New | Wait | Save is still referenced");
    }

    /// <summary>Runs one row through the whole pipeline; only a weak reference to an object of the row leaves this frame.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RunOneRow(EmulatedService service, string folder)
    {
        var marker = new object();
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("Name", "kept"));
        row.Properties.Add(new PSNoteProperty("Prompt", "a lighthouse"));
        row.Properties.Add(new PSNoteProperty("Marker", marker));
        // The host runs scripts in the global scope, where a parameter would outlive the script: the row is dropped.
        var result = service.Run(
            "param($row, $folder) $row | New-ToApisImage | Wait-ToApisTask | Save-ToApisImage -Path $folder -FileName '{Name}' | Out-Null; $row = $null",
            new System.Collections.Hashtable { ["row"] = row, ["folder"] = folder });
        Assert.Empty(result.Errors);
        Assert.NotEmpty(Directory.GetFiles(folder, "kept.*"));
        return new WeakReference(marker);
    }
}
