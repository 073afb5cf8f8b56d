using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Client.Journal;
using ToApis.Client.Submitting;
using ToApis.Completion;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Pipeline;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Submits one image-generation task per prompt or input row and emits the task at once. The cmdlet binds and
/// writes; <see cref="ImageRequestReader"/> checks each row and <see cref="SubmitDelivery"/> submits and delivers it.
/// </summary>
[Cmdlet(VerbsCommon.New, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ToApisTask))]
public sealed class NewToApisImageCommand : JournaledCmdletBase, ISessionParameter
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Text")]
    [AllowEmptyString]
    public string Prompt { get; set; } = "";

    /// <summary>The whole pipeline object (e.g. a CSV row), kept on the task for later cmdlets.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string Model { get; set; } = ModelCatalog.DefaultModel;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("AspectRatio")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(SizeCompleter))]
    public string? Size { get; set; }

    /// <summary>Bound as text so that a CSV cell such as "abc" or "1.5" is this row's error, never silently dropped or rounded.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("N")]
    [AllowEmptyString]
    [AllowNull]
    public string? Count { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Url", "ImageUrls", "image_urls")]
    [AllowEmptyCollection]
    [AllowEmptyString]
    public string[] ImageUrl { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ImagePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralImagePath { get; set; }

    [Parameter]
    public Hashtable? Metadata { get; set; }

    [Parameter]
    [ValidateRange(0.0, 2.0)]
    public double? Temperature { get; set; }

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? TopP { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxOutputTokens { get; set; }

    [Parameter]
    [ValidateSet("ALLOW_ALL", "ALLOW_ADULT", "ALLOW_NONE")]
    public string? PersonGeneration { get; set; }

    [Parameter]
    [ValidateSet("image/png", "image/jpeg", "image/webp")]
    public string? OutputMimeType { get; set; }

    [Parameter]
    [ValidateRange(0, 100)]
    public int? CompressionQuality { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable[]? SafetySetting { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("client_business_id", "BusinessId")]
    [AllowEmptyString]
    public string? ClientBusinessId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("callback_url")]
    [AllowEmptyString]
    public string? CallbackUrl { get; set; }

    [Parameter]
    public Hashtable? ExtraBody { get; set; }

    [Parameter]
    public SwitchParameter SkipModelCheck { get; set; }

    /// <summary>Makes the run safe to repeat: each row's client_business_id is derived from this key and the row's request.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunKey { get; set; }

    /// <summary>Submits in flight at once while input keeps arriving (each still paced by the account's rate limit).</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 64;

    /// <summary>Pays again for rows whose submit an earlier run sent without learning the outcome.</summary>
    [Parameter]
    public SwitchParameter RetryUnknown { get; set; }

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    private protected override string? LiteralPathParameter => nameof(LiteralImagePath);

    private ImageRequestReader? _request;
    private SubmitDelivery? _submits;
    private ProgressReporter? _progress;
    private RunLock? _runKeyLock;
    private readonly BusinessIdClaims _businessIds = new();

    private BatchTally Tally => _submits!.Tally;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _request = new ImageRequestReader(this);
        _progress = new ProgressReporter(this, activityId: 1, "Submitting image tasks");
        _submits = new SubmitDelivery(this, ThrottleLimit, CancelToken);
        if (RecordBalance(BalanceReadings.Start) is { UnlimitedQuota: false, RemainCredits: { } left })
        {
            WarnIfCreditIsShort(left);
        }
    }

    /// <summary>
    /// Before anything is spent: a warning when the credit left cannot pay for the rows this journal knows are
    /// still to be paid for, at the cost per image its earlier runs measured.
    /// </summary>
    private void WarnIfCreditIsShort(decimal creditsLeft)
    {
        if (RunSummary.Read(RunJournal!.Path).ExpectedSpendOfRerun() is { } expected && expected.Credits > creditsLeft)
        {
            WriteWarning(
                $"The key has {ToApisRunCost.Number(creditsLeft)} credits left, but the {expected.Rows} row(s) of the journal {Journal} still to be paid for " +
                $"will likely cost about {ToApisRunCost.Number(expected.Credits)} at the last known cost per image. Submitting stops when the credit runs out; " +
                "top up first, or run now and again after topping up with the same -RunKey: rows already paid for are not paid again.");
        }
    }

    protected override void ProcessRecord()
    {
        var input = InputObject?.BaseObject is string || InputObject is null ? (object)Prompt : InputObject;
        TrackJournalRow(input);
        var row = new InputRow(Tally.Read + 1, input);
        if (Accept(input, row) is { } item)
        {
            if (ShouldProcess($"'{GenerationRequestFactory.Shorten(item.Request.Prompt)}' with {item.Request.Model}", "Submit image generation (uses credits)"))
            {
                _submits!.Add(item);
            }
            else
            {
                Tally.ItemRead();
            }
        }

        // Read no further while the window is full: a downstream Select-Object -First then stops before more is sent.
        DrainEndingEarlyOnAnyFailure(DrainUntil.Room);
    }

    protected override void EndProcessing()
    {
        _submits!.Runner.CompleteAdding();
        DrainEndingEarlyOnAnyFailure(DrainUntil.Drained);
        _submits.End();
        _progress?.Complete();
        base.EndProcessing();
    }

    /// <summary>A stop that no catch above ran into (the pipeline is being torn down): keep the record straight.</summary>
    protected override void OnDisposing()
    {
        try
        {
            _submits?.EndEarly(canWrite: false);
        }
        finally
        {
            _submits?.Dispose();
            _runKeyLock?.Dispose();
            base.OnDisposing();
        }
    }

    protected override string RunState() => _submits!.RunState();

    /// <summary>Made before the first submit; with -RunKey, that is when the run key's lock is taken (-WhatIf takes none).</summary>
    internal Submitter MakeSubmitter()
    {
        if (RunKey is not null)
        {
            // Two runs of one run key at once would both find a row missing and both pay for it.
            _runKeyLock = TakeRunLock(RunLock.PathForRunKey(RunKey, ActiveSession.BaseUri), $"The run key '{RunKey}'");
        }

        return new Submitter(Client, RequestLog, RunJournal, RetryUnknown);
    }

    /// <summary>The row's checked item to submit; null when the row is settled here (refused, a repeat, or spending stopped).</summary>
    private SubmitItem? Accept(object input, InputRow row)
    {
        if (_submits!.SpendingStoppedBy is { } cause)
        {
            // Nothing more is submitted; tasks already paid for still flow on to be delivered.
            Tally.ItemRead();
            _submits.NotSubmitted(cause, input);
            return null;
        }

        SubmitItem item;
        try
        {
            (item, var warnings) = _request!.Read(input, row.Number, JournalRowOf(input));
            warnings.ForEach(warning => WriteWarning(row.Describe(warning)));
        }
        catch (Exception invalid) when (invalid is ToApisValidationException or ToApisFileException)
        {
            Tally.ItemRead();
            Tally.ItemFailed(invalid);
            WriteFailure(invalid, input, row);
            return null;
        }

        if (item.Request.ClientBusinessId is not { } given || item.DerivedId)
        {
            return item;
        }

        switch (_businessIds.Claim(given, item.Request, item.LocalImages.Select(i => i.Content), row.Number))
        {
            case (BusinessIdClaim.Conflict, var firstRow):
                Tally.ItemRead();
                Tally.ItemFailed(null);
                WriteItemError(ErrorRecords.DuplicateClientBusinessId(given, firstRow, input), row);
                return null;
            case (BusinessIdClaim.SameRequest, var firstRow):
                Tally.ItemRead();
                Tally.ItemDone();
                WriteWarning(row.Describe($"it asks for the same request as row {firstRow} under the same client_business_id '{given}': it reuses that row's task (not submitted, and not passed on a second time)."));
                return null;
            default:
                return item;
        }
    }

    /// <summary>However the drain fails (Ctrl+C, a downstream Select-Object -First, an error that ends the command), account for the submits first.</summary>
    private void DrainEndingEarlyOnAnyFailure(DrainUntil until)
    {
        try
        {
            Drain(_submits!.Runner, _submits.Write, until);
            _progress?.Report(Tally.Progress("submitted"), Tally.Done + Tally.Failed, Tally.Read);
        }
        catch (Exception)
        {
            _submits!.EndEarly(canWrite: false);
            throw;
        }
    }
}
