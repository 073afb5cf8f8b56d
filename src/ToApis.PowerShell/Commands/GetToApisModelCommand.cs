using System;
using System.Linq;
using System.Management.Automation;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>Lists the models this key may use (GET /v1/models), with their documented limits.</summary>
[Cmdlet(VerbsCommon.Get, "ToApisModel")]
[OutputType(typeof(ToApisModel))]
public sealed class GetToApisModelCommand : ToApisApiCmdletBase
{
    /// <summary>Model ids to show; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The kind of model; the module works with image models.</summary>
    [Parameter]
    [ValidateSet("image", "video", "chat", "text", "audio", "all")]
    public string Type { get; set; } = "image";

    protected override void EndProcessing()
    {
        try
        {
            var models = Await(Client.GetModelsAsync(Type, CancelToken));
            ActiveSession.RememberModels(Type, models);
            var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var model in models.Where(m => patterns is null || patterns.Any(p => p.IsMatch(m.Id))))
            {
                WriteObject(model);
            }
        }
        catch (Exception error) when (error is not PipelineStoppedException)
        {
            WriteFailure(error, Type);
        }
    }
}
