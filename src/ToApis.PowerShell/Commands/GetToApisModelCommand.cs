using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>Lists the models this key may use (GET /v1/models), with their documented limits.</summary>
[Cmdlet(VerbsCommon.Get, "ToApisModel")]
[OutputType(typeof(ToApisModel))]
public sealed class GetToApisModelCommand : ToApisCmdletBase, ISessionParameter
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The kind of model; the module works with image models.</summary>
    [Parameter]
    [ValidateSet("image", "video", "chat", "text", "audio", "all")]
    public string Type { get; set; } = "image";

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    protected override void EndProcessing() => Attempt(
        () =>
        {
            var models = Await(Client.GetModelsAsync(Type, CancelToken));
            ActiveSession.RememberModels(Type, models);
            var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var model in models.Where(m => patterns is null || patterns.Any(p => p.IsMatch(m.Id))))
            {
                WriteObject(model);
            }

            // As Get-Process does: a name without wildcards that matches nothing is an error; a pattern may match nothing.
            foreach (var missing in (Name ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)
                && !models.Any(m => string.Equals(m.Id, n, StringComparison.OrdinalIgnoreCase))))
            {
                WriteError(ModelNotFound(missing, models));
            }
        },
        Type);

    private ErrorRecord ModelNotFound(string name, IReadOnlyList<ToApisModel> models)
    {
        var similar = models.Select(m => m.Id)
            .Where(id => id.IndexOf(name, StringComparison.OrdinalIgnoreCase) >= 0
                || (name.Length >= 4 && id.StartsWith(name.Substring(0, 4), StringComparison.OrdinalIgnoreCase)))
            .Take(5)
            .ToList();
        return ErrorRecords.ModelNotFound(
            $"No {Type} model '{name}' is available to this key ({models.Count} are).", name,
            similar.Count > 0
                ? $"Did you mean {string.Join(", ", similar)}? Get-ToApisModel with no -Name lists them all."
                : "Get-ToApisModel with no -Name lists the models this key may use; -Name takes wildcards such as 'gpt*'.");
    }
}
