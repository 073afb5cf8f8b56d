using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Client.Submitting;
using ToApis.Client.Wire;
using ToApis.Commands;
using ToApis.Session;

namespace ToApis.Binding;

/// <summary>
/// New-ToApisImage's parameters as bound for the current row, turned into a checked item to submit. Made when the
/// command begins, when only command-line arguments are bound.
/// </summary>
internal sealed class ImageRequestReader(NewToApisImageCommand command)
{
    /// <summary>U+FFFD stands where a decoder met bytes that are not text in the encoding it assumed.</summary>
    private const char ReplacementCharacter = '\uFFFD';

    private readonly HashSet<string> _onCommandLine = new(command.MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
    private readonly RequestFingerprint? _fingerprint = command.RunKey is { } runKey ? new RequestFingerprint(runKey) : null;
    private IReadOnlyList<LocalImage>? _givenImages;
    private Exception? _givenImagesError;

    /// <exception cref="ToApisValidationException">A value breaks a rule.</exception>
    /// <exception cref="ToApisFileException">A reference image cannot be used.</exception>
    public (SubmitItem Item, List<string> Warnings) Read(object input, int row, JournalRecord? journalRow)
    {
        CheckPromptCameFromTheInput();
        var pipedFile = command.InputObject?.BaseObject as FileSystemInfo;
        var localImages = new List<LocalImage>(GivenImages());
        if (pipedFile is not null)
        {
            localImages.Add(LocalImage.Read(pipedFile.FullName));
        }

        var warnings = new List<string>();
        var request = GenerationRequestFactory.Build(Input(pipedFile, localImages), warnings);
        if (EncodingWarning() is { } garbled)
        {
            warnings.Add(garbled);
        }

        // A known id (given, or derived from -RunKey) may already name a task from an earlier run.
        var derived = request.ClientBusinessId is null && _fingerprint is not null;
        if (derived)
        {
            request.ClientBusinessId = _fingerprint!.BusinessIdFor(request, localImages.Select(i => i.Content));
        }

        var mayExist = request.ClientBusinessId is not null;
        return (new SubmitItem(input, request, localImages, mayExist, row, journalRow) { DerivedId = derived }, warnings);
    }

    private GenerationInput Input(FileSystemInfo? pipedFile, List<LocalImage> localImages) => new()
    {
        Prompt = command.Prompt, Model = command.Model, AvailableModels = KnownModels(), SkipModelCheck = command.SkipModelCheck,
        Size = SizeFromTheRow(pipedFile), Count = command.Count, ImageUrls = command.ImageUrl,
        LocalImages = localImages.Select(image => (image.FileName, image.Format)).ToList(),
        Metadata = PSValues.ToDictionary(command.Metadata), ExtraBody = PSValues.ToDictionary(command.ExtraBody),
        Temperature = command.Temperature, TopP = command.TopP, MaxOutputTokens = command.MaxOutputTokens,
        PersonGeneration = command.PersonGeneration, OutputMimeType = command.OutputMimeType, CompressionQuality = command.CompressionQuality,
        ClientBusinessId = command.ClientBusinessId, CallbackUrl = command.CallbackUrl,
        SafetySettings = command.SafetySetting?.Select(PSValues.ToDictionary).ToList(),
    };

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
                var references = command.Files.Resolve(command.ImagePath ?? [], literal: false)
                    .Concat(command.Files.Resolve(command.LiteralImagePath ?? [], literal: true));
                _givenImages = references.Select(r => r.Error is null ? LocalImage.Read(r.Path!) : throw r.Error).ToList();
            }
            catch (Exception error) when (error is not (PipelineStoppedException or OperationCanceledException))
            {
                _givenImagesError = error;
                _givenImages = [];
            }
        }

        return _givenImagesError is { } failed ? throw failed : _givenImages;
    }

    /// <summary>The account's model ids if this command's session already knows them; never asks the service.</summary>
    private IReadOnlyList<string>? KnownModels() =>
        command.SkipModelCheck ? null : (command.Session ?? SessionStore.Connected) is { IsClosed: false } session ? session.ImageModels.Known : null;

    /// <summary>
    /// PowerShell would otherwise bind a row with no Prompt column by turning the whole row into text
    /// ("@{Name=fox}") and send that as the prompt.
    /// </summary>
    private void CheckPromptCameFromTheInput()
    {
        if (!_onCommandLine.Contains(nameof(command.Prompt)) && command.InputObject is { BaseObject: not string } row
            && row.Properties[nameof(command.Prompt)] is null && row.Properties["Text"] is null)
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
        pipedFile is not null && !_onCommandLine.Contains(nameof(command.Size)) ? null : command.Size;

    /// <summary>
    /// The columns of the current row (the prompt first) that hold U+FFFD: a file read with the wrong encoding
    /// (a Latin-1 CSV read as UTF-8) turns every accented letter into it, and the garbled text would be sent as is.
    /// </summary>
    private string? EncodingWarning()
    {
        var garbled = TaskOutput.RowColumns(command.InputObject)
            .Prepend(new(nameof(command.Prompt), command.Prompt))
            .Where(column => column.Value is string text && text.IndexOf(ReplacementCharacter) >= 0)
            .Select(column => column.Key)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return garbled.Count == 0 ? null
            : $"{string.Join(", ", garbled)} contain(s) U+FFFD (\uFFFD), which stands for bytes that were not text in the encoding the file was read with; the text is sent as it is. " +
              "Read the file again with its real encoding, e.g. Import-Csv prompts.csv -Encoding Latin1 (Windows PowerShell 5.1: -Encoding Default).";
    }
}
