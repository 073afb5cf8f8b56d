using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Submits one image-generation task per prompt or input row and emits the task at once (it runs on the
/// server; pipe to Wait-ToApisTask). Every value is checked before anything is sent or spent.
/// </summary>
[Cmdlet(VerbsCommon.New, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ToApisTask))]
public sealed class NewToApisImageCommand : JournaledCmdletBase
{
    /// <summary>Top-level fields that have parameters of their own, so -ExtraBody cannot set them behind their checks.</summary>
    private static readonly HashSet<string> ReservedFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "model", "prompt", "size", "n", "image_urls", "metadata", "client_business_id",
    };

    private static readonly Regex AspectRatio = new(@"^\d{1,3}:\d{1,3}$", RegexOptions.CultureInvariant);

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

    /// <summary>An aspect ratio such as 16:9 (not pixels), or auto / match_input_image where the model takes them.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("AspectRatio")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(SizeCompleter))]
    public string? Size { get; set; }

    /// <summary>Images to generate (the API's n); many models allow only 1. 0 (or an empty CSV cell) leaves it to the model.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("N")]
    [ValidateRange(0, 100)]
    public int Count { get; set; }

    /// <summary>Reference images as public http(s) URLs; an upload object's Url binds here.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Url", "ImageUrls", "image_urls")]
    [AllowEmptyCollection]
    [AllowEmptyString]
    public string[] ImageUrl { get; set; } = Array.Empty<string>();

    /// <summary>Local reference images (wildcards allowed): checked, uploaded, then sent as image_urls.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ImagePath { get; set; }

    /// <summary>Model-specific parameters, sent as the request's metadata object unchanged.</summary>
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

    /// <summary>The generated file type (metadata.imageOutputOptions.mimeType).</summary>
    [Parameter]
    [ValidateSet("image/png", "image/jpeg", "image/webp")]
    public string? OutputMimeType { get; set; }

    /// <summary>JPEG/WebP quality 0–100 (metadata.imageOutputOptions.compressionQuality).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? CompressionQuality { get; set; }

    /// <summary>Safety thresholds: hashtables with category and threshold (metadata.safetySettings).</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable[]? SafetySetting { get; set; }

    /// <summary>Your own id for the task: it can be used instead of the task id to look the task up.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("client_business_id", "BusinessId")]
    [AllowEmptyString]
    public string? ClientBusinessId { get; set; }

    /// <summary>
    /// Makes the run safe to repeat: each row's client_business_id is derived from this key and the row's
    /// request (prompt, model, size, parameters, reference images by content), and before submitting, the
    /// task with that id is looked up. Rerunning the same input with the same key (after a crash, a stop or
    /// a timeout) reuses the tasks that exist instead of paying for them again; only failed or missing ones
    /// are submitted. An explicit -ClientBusinessId (or column) is used as is and looked up the same way.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunKey { get; set; }

    /// <summary>Other top-level request fields some models take: resolution, quality, reference_images, seed, …</summary>
    [Parameter]
    public Hashtable? ExtraBody { get; set; }

    private readonly ConcurrentDictionary<string, Task<string>> _uploadedThisRun = new(StringComparer.Ordinal);
    private readonly Queue<PendingSubmit> _inFlight = new();
    private ProgressReporter? _progress;
    private bool _promptOnCommandLine;
    private int _read;
    private int _submitted;
    private int _failed;
    private Exception? _fatal;
    private RequestFingerprint? _fingerprint;

    /// <summary>
    /// Submits in flight at once while input keeps arriving (each still paced by the account's rate limit).
    /// Tasks are emitted in input order.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Only command-line arguments are bound at this point.
        _promptOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Prompt));
        _progress = new ProgressReporter(this, activityId: 1, "Submitting image tasks");
    }

    protected override void ProcessRecord()
    {
        _read++;
        var input = InputObject?.BaseObject is string || InputObject is null ? (object)Prompt : InputObject;
        TrackJournalRow(input);
        GenerationRequest request;
        List<LocalImage> localImages;
        try
        {
            CheckPromptCameFromTheInput();
            localImages = ReadLocalImages();
            request = BuildRequest(localImages.Count);
        }
        catch (Exception invalid) when (invalid is ToApisValidationException or ToApisFileException)
        {
            _failed++;
            WriteFailure(invalid, input);
            return;
        }

        // A known id (given, or derived from -RunKey) may already name a task from an earlier run.
        var mayExist = request.ClientBusinessId is not null || RunKey is not null;
        if (request.ClientBusinessId is null && RunKey is not null)
        {
            _fingerprint ??= new RequestFingerprint(RunKey);
            request.ClientBusinessId = _fingerprint.BusinessIdFor(request, localImages.Select(i => i.Content));
        }

        if (ShouldProcess($"'{Shorten(request.Prompt)}' with {request.Model}", "Submit image generation (uses credits)"))
        {
            _inFlight.Enqueue(new PendingSubmit(input, SubmitAsync(Client, RunJournal, request, localImages, input, mayExist)));
        }

        // The first submit goes alone: a bad key or an empty balance then costs one request, not a burst.
        EmitFinished(maxWaiting: _submitted > 0 ? ThrottleLimit : 1);
    }

    protected override void EndProcessing()
    {
        EmitFinished(maxWaiting: 1);
        _progress?.Complete();
        base.EndProcessing();
    }

    /// <summary>Runs in the background: uploads the row's local references (once per file), then submits.</summary>
    private async Task<ToApisTask> SubmitAsync(
        ToApisClient client, RunJournal? journal, GenerationRequest request, List<LocalImage> localImages, object input, bool mayExist)
    {
        if (mayExist && await FindEarlierTaskAsync(client, journal, request.ClientBusinessId!).ConfigureAwait(false) is { } existing
            && !existing.IsFailed && !IsExpired(existing))
        {
            RequestLog.Verbose($"Reusing task {existing.Id} ({existing.Status}) for client_business_id '{request.ClientBusinessId}': not submitted again.");
            existing = WithLocalContext(existing, request, input);
            journal?.Record("reused", existing, details: JournalRowOf(input));
            return existing;
        }

        foreach (var image in localImages)
        {
            var upload = _uploadedThisRun.GetOrAdd(image.Path, _ => UploadUrlAsync(client, image));
            request.ImageUrls.Add(await upload.ConfigureAwait(false));
        }

        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            throw fatal; // nothing further can succeed with this key
        }

        ToApisTask task;
        try
        {
            task = await client.SubmitAsync(request, CancelToken).ConfigureAwait(false);
        }
        catch (ToApisApiException error) when (error.IsFatalForSession)
        {
            Interlocked.CompareExchange(ref _fatal, error, null);
            throw;
        }

        task = WithLocalContext(task, request, input);
        journal?.Record("submitted", task, details: JournalRowOf(input));
        return task;
    }

    /// <summary>
    /// The task an earlier run made for this id: asked of the service first; where the service cannot answer
    /// a lookup by client_business_id, the journal's record of the task id is used.
    /// </summary>
    private async Task<ToApisTask?> FindEarlierTaskAsync(ToApisClient client, RunJournal? journal, string clientBusinessId)
    {
        try
        {
            if (await client.FindTaskAsync(clientBusinessId, CancelToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }
        catch (ToApisApiException refused) when (refused.Kind == ApiErrorKind.InvalidRequest)
        {
            RequestLog.Verbose($"The service cannot look tasks up by client_business_id ({refused.Message}).");
        }

        return journal?.TaskIdFor(clientBusinessId) is { } taskId
            ? await client.FindTaskAsync(taskId, CancelToken).ConfigureAwait(false)
            : null;
    }

    private static ToApisTask WithLocalContext(ToApisTask task, GenerationRequest request, object input)
    {
        task.Prompt = request.Prompt;
        task.Size = request.Size;
        task.Model ??= request.Model;
        task.ClientBusinessId ??= request.ClientBusinessId;
        task.InputObject = input;
        return task;
    }

    /// <summary>A completed task whose images can no longer be downloaded is worth nothing to a rerun.</summary>
    private static bool IsExpired(ToApisTask task) => task.IsCompleted && task.ExpiresAt <= DateTimeOffset.UtcNow;

    private async Task<string> UploadUrlAsync(ToApisClient client, LocalImage image) =>
        (await client.UploadAsync(image, null, CancelToken).ConfigureAwait(false)).Url;

    /// <summary>
    /// Writes finished submits in input order. Waits for the oldest while <paramref name="maxWaiting"/> or more
    /// are queued, which bounds both the submits in flight and the memory held, whatever the input's length.
    /// </summary>
    private void EmitFinished(int maxWaiting)
    {
        Mailbox.RunPending();
        while (_inFlight.Count > 0)
        {
            var oldest = _inFlight.Peek();
            if (!oldest.Work.IsCompleted)
            {
                if (_inFlight.Count < maxWaiting)
                {
                    break;
                }

                WaitFor(oldest.Work);
            }

            _inFlight.Dequeue();
            Emit(oldest);
        }

        _progress?.Report($"{_submitted} of {_read} submitted" + (_failed > 0 ? $", {_failed} failed" : ""), _submitted + _failed, _read);
    }

    private void Emit(PendingSubmit finished)
    {
        if (finished.Work.Status == TaskStatus.RanToCompletion)
        {
            _submitted++;
            WriteObject(finished.Work.Result);
            return;
        }

        var error = finished.Work.Exception?.GetBaseException() ?? new OperationCanceledException();
        if (error is OperationCanceledException && CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        _failed++;
        if (error is ToApisApiException { IsFatalForSession: true })
        {
            // The submits already under way may have been charged: report them before stopping.
            EmitRemainingBeforeStopping();
        }

        WriteFailure(error, finished.Input);
    }

    private void EmitRemainingBeforeStopping()
    {
        while (_inFlight.Count > 0)
        {
            var next = _inFlight.Dequeue();
            WaitFor(next.Work);
            if (next.Work.Status == TaskStatus.RanToCompletion)
            {
                _submitted++;
                WriteObject(next.Work.Result);
            }
        }
    }

    private sealed record PendingSubmit(object Input, Task<ToApisTask> Work);

    /// <summary>
    /// PowerShell would otherwise bind a row with no Prompt column by turning the whole row into text
    /// ("@{Name=fox}") and send that as the prompt.
    /// </summary>
    private void CheckPromptCameFromTheInput()
    {
        if (!_promptOnCommandLine && InputObject is { BaseObject: not string } row
            && row.Properties[nameof(Prompt)] is null && row.Properties["Text"] is null)
        {
            throw new ToApisValidationException(
                "Prompt", $"The input object ({row.BaseObject.GetType().Name}) has no Prompt property. Add a Prompt column, or pass -Prompt.");
        }
    }

    private List<LocalImage> ReadLocalImages()
    {
        var images = new List<LocalImage>();
        foreach (var (_, path, error) in ResolveFilePaths(ImagePath ?? Array.Empty<string>(), literal: false))
        {
            images.Add(error is null ? LocalImage.Read(path!) : throw error);
        }

        return images;
    }

    private GenerationRequest BuildRequest(int localImageCount)
    {
        var prompt = Prompt.Trim();
        if (prompt.Length == 0)
        {
            throw new ToApisValidationException("Prompt", "The prompt is empty.");
        }

        var model = string.IsNullOrWhiteSpace(Model) ? ModelCatalog.DefaultModel : Model.Trim();
        var info = ModelCatalog.Find(model);
        if (info?.MaxPromptLength is { } maxLength && prompt.Length > maxLength)
        {
            throw new ToApisValidationException(
                "Prompt", $"The prompt has {prompt.Length} characters; {model} accepts at most {maxLength}.");
        }

        var size = NullIfBlank(Size);
        if (size is not null)
        {
            CheckSize(size, model, info);
        }

        if (Count > 0 && info?.MaxCount is { } maxCount && Count > maxCount)
        {
            throw new ToApisValidationException(
                "Count", $"Count {Count} is more than {model} makes per task (at most {maxCount}).");
        }

        var imageUrls = ImageUrl.Select(NullIfBlank).OfType<string>().ToList();
        CheckImageUrls(imageUrls, localImageCount, model, info);

        var extra = PSValues.ToDictionary(ExtraBody);
        if (extra.Keys.FirstOrDefault(ReservedFields.Contains) is { } reserved)
        {
            throw new ToApisValidationException(
                "ExtraBody", $"-ExtraBody may not set '{reserved}': use the parameter for it (e.g. -Model, -Size, -Count, -ImageUrl, -Metadata, -ClientBusinessId).");
        }

        return new GenerationRequest
        {
            Model = model,
            Prompt = prompt,
            Size = size,
            Count = Count > 0 ? Count : null,
            ImageUrls = imageUrls,
            Metadata = BuildMetadata(),
            ExtraBody = extra,
            ClientBusinessId = NullIfBlank(ClientBusinessId),
        };
    }

    private void CheckSize(string size, string model, ModelInfo? info)
    {
        if (!AspectRatio.IsMatch(size) && size != "auto" && size != "match_input_image")
        {
            throw new ToApisValidationException(
                "Size", $"Size '{size}' is not an aspect ratio. Use a ratio such as 1:1 or 16:9 (not pixels), or auto / match_input_image where the model takes them.");
        }

        // Models gain sizes over time: an undocumented one is worth a warning, not a refusal.
        if (info is { Sizes.Length: > 0 } && !info.Sizes.Contains(size))
        {
            WriteWarning($"Size '{size}' is not documented for {model} (documented: {string.Join(", ", info.Sizes)}); sending it anyway.");
        }
    }

    private static void CheckImageUrls(List<string> imageUrls, int localImageCount, string model, ModelInfo? info)
    {
        foreach (var url in imageUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ToApisValidationException(
                    "ImageUrl", $"'{Shorten(url)}' is not a public http(s) URL. The service no longer accepts base64 or local paths: upload the file first (Send-ToApisFile) and pass its Url.");
            }
        }

        var total = imageUrls.Count + localImageCount;
        if (info is not null && total > info.MaxReferenceImages)
        {
            throw new ToApisValidationException(
                localImageCount > 0 ? "ImagePath" : "ImageUrl",
                $"{total} reference images given; {model} accepts at most {info.MaxReferenceImages}. Nothing was uploaded or submitted.");
        }
    }

    private Dictionary<string, object?> BuildMetadata()
    {
        var metadata = PSValues.ToDictionary(Metadata);
        SetIfGiven(metadata, "temperature", Temperature);
        SetIfGiven(metadata, "topP", TopP);
        SetIfGiven(metadata, "maxOutputTokens", MaxOutputTokens);
        SetIfGiven(metadata, "personGeneration", PersonGeneration);
        if (OutputMimeType is not null || CompressionQuality is not null)
        {
            var options = metadata.TryGetValue("imageOutputOptions", out var existing) && existing is Dictionary<string, object?> given
                ? given
                : new Dictionary<string, object?>();
            SetIfGiven(options, "mimeType", OutputMimeType);
            SetIfGiven(options, "compressionQuality", CompressionQuality);
            metadata["imageOutputOptions"] = options;
        }

        if (SafetySetting is not null)
        {
            var settings = SafetySetting.Select(PSValues.ToDictionary).ToList();
            if (settings.FirstOrDefault(s => !s.ContainsKey("category") || !s.ContainsKey("threshold")) is { } incomplete)
            {
                throw new ToApisValidationException(
                    "SafetySetting", $"Each -SafetySetting needs a category and a threshold, e.g. @{{ category = 'HARM_CATEGORY_HATE_SPEECH'; threshold = 'BLOCK_ONLY_HIGH' }}; got keys: {string.Join(", ", incomplete.Keys)}.");
            }

            metadata["safetySettings"] = settings;
        }

        return metadata;
    }

    private static void SetIfGiven(IDictionary<string, object?> target, string key, object? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
}
