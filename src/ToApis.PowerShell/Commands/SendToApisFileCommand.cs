using System;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client.Batches;
using ToApis.Client.Files;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Uploads local reference images and emits upload objects whose Url binds to New-ToApisImage -ImageUrl.
/// Each file is checked (exists, real image type by content, at most 10 MB) before any byte is sent. Up to
/// -ThrottleLimit uploads run at once while input keeps arriving; the results come out in input order.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "ToApisFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ToApisUpload))]
public sealed class SendToApisFileCommand : ToApisCmdletBase, ISessionParameter
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Files to upload, taken exactly as written; Get-ChildItem output binds here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The upload's purpose field; the service documents only "generation" (its default).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Purpose { get; set; }

    /// <summary>Uploads in flight at once (each holds its file, at most 10 MB, in memory until it is sent).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    private protected override string? LiteralPathParameter => nameof(LiteralPath);

    private BatchRunner<LocalImage, ToApisUpload>? _uploads;
    private int _received;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _uploads = new BatchRunner<LocalImage, ToApisUpload>(
            (image, batch) => Client.UploadAsync(image, Purpose, batch.Stopping), new BatchOptions<ToApisUpload> { ThrottleLimit = ThrottleLimit, InOrder = true }, CancelToken);
    }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var (input, path, resolveError) in Files.Resolve(literal ? LiteralPath : Path, literal))
        {
            var row = new InputRow(++_received, null); // the messages name the file
            if (resolveError is not null)
            {
                WriteFailure(resolveError, input, row);
                continue;
            }

            LocalImage? image = null;
            if (Attempt(() => image = LocalImage.Read(path!), path, row) && ShouldProcess(path, "Upload reference image"))
            {
                _ = Client; // the session is resolved here, on the pipeline thread, never by an upload
                _uploads!.Add(image!);
            }

            Drain(_uploads!, Emit, DrainUntil.Room);
        }
    }

    protected override void EndProcessing()
    {
        _uploads!.CompleteAdding();
        Drain(_uploads, Emit, DrainUntil.Drained);
    }

    protected override void OnDisposing()
    {
        _uploads?.Dispose();
        base.OnDisposing();
    }

    private void Emit(BatchOutcome<LocalImage, ToApisUpload> outcome)
    {
        if (outcome.Result is { } upload)
        {
            WriteObject(upload);
        }
        else if (outcome.End == ItemEnd.NotStarted && CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        else
        {
            WriteFailure(outcome.Error ?? new OperationCanceledException(), outcome.Item.Path);
        }
    }
}
