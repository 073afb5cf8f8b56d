using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Journaling;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Reads the journal of a bulk run (-Journal of New-, Wait- and Save-ToApisImage) and returns how it ended:
/// rows done, failed and pending, errors by id, pace, and the input rows to feed again. Works on a journal
/// that a run is still writing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ToApisRun")]
[OutputType(typeof(ToApisRun))]
public sealed class GetToApisRunCommand : ToApisCmdletBase
{
    /// <summary>The journal file(s); wildcards are expanded. A FileInfo from Get-ChildItem binds by its FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string[] Journal { get; set; } = Array.Empty<string>();

    /// <summary>
    /// After writing the run, ends with the terminating error ToApis.RunIncomplete (listing each row not done and
    /// why) when any row failed or is pending: under $ErrorActionPreference = 'Stop' a scheduled script then
    /// exits 1, and 0 only when every row got through.
    /// </summary>
    [Parameter]
    public SwitchParameter FailIfIncomplete { get; set; }

    private readonly List<(string Message, ToApisRun Run)> _incomplete = new();

    protected override void ProcessRecord()
    {
        foreach (var (input, path, error) in Files.Resolve(Journal, literal: false))
        {
            if (error is not null)
            {
                WriteFailure(error, input);
                continue;
            }

            if (RunReport.TryRead(path!, input, out var unreadable) is not { } summary)
            {
                WriteItemError(unreadable!);
                continue;
            }

            if (summary.SkippedLines > 0)
            {
                WriteVerbose($"{summary.SkippedLines} line(s) of {input} are not JSON (a line cut short by a crash, or still being written) and were skipped.");
            }

            var run = RunReport.ToRun(summary, input);
            if (RunReport.RowsWithoutInput(summary) is > 0 and var withoutInput)
            {
                WriteWarning($"{withoutInput} row(s) to retry were journaled without their input row (by an older ToApis): FailedRows holds only their prompt, or nothing where the journal has none.");
            }

            WriteObject(run);
            if (FailIfIncomplete && RunReport.Incomplete(summary, run) is { } incomplete)
            {
                _incomplete.Add((incomplete, run));
            }
        }
    }

    /// <summary>Every journal was read and written first: the error comes once, after all the summaries.</summary>
    protected override void EndProcessing()
    {
        if (_incomplete.Count > 0)
        {
            var (_, first) = _incomplete[0];
            ThrowTerminatingError(ErrorRecords.RunIncomplete(string.Join("\n", _incomplete.Select(run => run.Message)), first, first.Journal));
        }
    }
}
