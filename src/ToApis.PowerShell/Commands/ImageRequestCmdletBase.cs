using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Submitting;
using ToApis.Completion;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Base of the cmdlets that describe an image to generate: the request's parameters, bound from the command
/// line or a row by property name, turned into a checked <see cref="GenerationInput"/> per row.
/// </summary>
public abstract class ImageRequestCmdletBase : JournaledCmdletBase
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

    /// <summary>An aspect ratio such as 16:9 (not pixels), or auto / match_input_image where the model takes them.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("AspectRatio")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(SizeCompleter))]
    public string? Size { get; set; }

    /// <summary>
    /// Images to generate (the API's n); many models allow only 1. 0 (or an empty CSV cell) leaves it to the model.
    /// Bound as text so that a CSV cell such as "abc" or "1.5" is this row's error, never silently dropped or rounded.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("N")]
    [AllowEmptyString]
    [AllowNull]
    public string? Count { get; set; }

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

    /// <summary>
    /// Local reference images taken exactly as written, for names with [ ] or other wildcard characters.
    /// Files piped in (Get-ChildItem, Get-Item) are reference images too.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralImagePath { get; set; }

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

    /// <summary>Per-task webhook URL (callback_url): the token's default webhook URL with another path or query.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("callback_url")]
    [AllowEmptyString]
    public string? CallbackUrl { get; set; }

    /// <summary>Other top-level request fields some models take: resolution, quality, reference_images, seed, …</summary>
    [Parameter]
    public Hashtable? ExtraBody { get; set; }

    /// <summary>
    /// Sends a -Model that is not in the account's model list (read by Connect-ToApis), for a model newer than
    /// the list. Without it such a model is refused before anything is sent, naming the closest models.
    /// </summary>
    [Parameter]
    public SwitchParameter SkipModelCheck { get; set; }

    /// <summary>U+FFFD stands where a decoder met bytes that are not text in the encoding it assumed.</summary>
    private const char ReplacementCharacter = '\uFFFD';

    private HashSet<string> _onCommandLine = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyList<LocalImage>? _givenImages;
    private Exception? _givenImagesError;

    private protected override string? LiteralPathParameter => nameof(LiteralImagePath);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Only command-line arguments are bound at this point.
        _onCommandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// -ImagePath and -LiteralImagePath come only from the command line: their files are found and read once per
    /// command, not once per row (a 10 MB reference on a 1,000-row CSV), and a failure is every row's failure.
    /// </summary>
    private IReadOnlyList<LocalImage> GivenImages()
    {
        if (_givenImages is null)
        {
            try
            {
                var references = Files.Resolve(ImagePath ?? Array.Empty<string>(), literal: false)
                    .Concat(Files.Resolve(LiteralImagePath ?? Array.Empty<string>(), literal: true));
                _givenImages = references.Select(r => r.Error is null ? LocalImage.Read(r.Path!) : throw r.Error).ToList();
            }
            catch (Exception error) when (error is not (PipelineStoppedException or OperationCanceledException))
            {
                _givenImagesError = error;
                _givenImages = Array.Empty<LocalImage>();
            }
        }

        return _givenImagesError is { } failed ? throw failed : _givenImages;
    }

    /// <summary>The current row's request as given, and its local reference images, read and checked.</summary>
    internal (GenerationInput Input, List<LocalImage> LocalImages) ReadRequest()
    {
        CheckPromptCameFromTheInput();
        var pipedFile = InputObject?.BaseObject as FileSystemInfo;
        var localImages = new List<LocalImage>(GivenImages());

        if (pipedFile is not null)
        {
            localImages.Add(LocalImage.Read(pipedFile.FullName));
        }

        var input = new GenerationInput
        {
            Prompt = Prompt, Model = Model, AvailableModels = KnownModels(), SkipModelCheck = SkipModelCheck, Size = SizeFromTheRow(pipedFile), Count = Count, ImageUrls = ImageUrl, LocalImages = localImages.Select(image => (image.FileName, image.Format)).ToList(),
            Metadata = PSValues.ToDictionary(Metadata), ExtraBody = PSValues.ToDictionary(ExtraBody),
            Temperature = Temperature, TopP = TopP, MaxOutputTokens = MaxOutputTokens, PersonGeneration = PersonGeneration,
            OutputMimeType = OutputMimeType, CompressionQuality = CompressionQuality, ClientBusinessId = ClientBusinessId,
            CallbackUrl = CallbackUrl,
            SafetySettings = SafetySetting?.Select(PSValues.ToDictionary).ToList(),
        };
        return (input, localImages);
    }

    /// <summary>The account's model ids if this command's session already knows them; never asks the service.</summary>
    private IReadOnlyList<string>? KnownModels() =>
        SkipModelCheck ? null : (Session ?? SessionStore.Connected) is { IsClosed: false } session ? session.ImageModels.Known : null;

    /// <summary>
    /// PowerShell would otherwise bind a row with no Prompt column by turning the whole row into text
    /// ("@{Name=fox}") and send that as the prompt.
    /// </summary>
    private void CheckPromptCameFromTheInput()
    {
        if (!_onCommandLine.Contains(nameof(Prompt)) && InputObject is { BaseObject: not string } row
            && row.Properties[nameof(Prompt)] is null && row.Properties["Text"] is null)
        {
            throw new ToApisValidationException(
                "Prompt", $"The input object ({row.BaseObject.GetType().Name}) has no Prompt property. Add a Prompt column, or pass -Prompt.");
        }
    }

    /// <summary>
    /// A file piped in is a reference image, and its properties describe the file, not the request: on Linux and
    /// macOS the file system adds a Size (its length in bytes), which would otherwise bind to -Size.
    /// </summary>
    private string? SizeFromTheRow(FileSystemInfo? pipedFile) =>
        pipedFile is not null && !_onCommandLine.Contains(nameof(Size)) ? null : Size;

    /// <summary>
    /// The columns of the current row (the prompt first) that hold U+FFFD: a file read with the wrong encoding
    /// (a Latin-1 CSV read as UTF-8) turns every accented letter into it, and the garbled text would be sent as is.
    /// </summary>
    internal string? EncodingWarning() =>
        ColumnsWithReplacementCharacters() is { Count: > 0 } garbled
            ? $"{string.Join(", ", garbled)} contain(s) U+FFFD (\uFFFD), which stands for bytes that were not text in the encoding the file was read with; the text is sent as it is. " +
              "Read the file again with its real encoding, e.g. Import-Csv prompts.csv -Encoding Latin1 (Windows PowerShell 5.1: -Encoding Default)."
            : null;

    private List<string> ColumnsWithReplacementCharacters()
    {
        var columns = new List<string>();
        if (Prompt.IndexOf(ReplacementCharacter) >= 0)
        {
            columns.Add(nameof(Prompt));
        }

        foreach (var column in TaskOutput.RowColumns(InputObject))
        {
            if (column.Value is string text && text.IndexOf(ReplacementCharacter) >= 0 && !columns.Contains(column.Key, StringComparer.OrdinalIgnoreCase))
            {
                columns.Add(column.Key);
            }
        }

        return columns;
    }
}
