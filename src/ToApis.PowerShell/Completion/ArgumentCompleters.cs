using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ToApis.Client;
using ToApis.Session;

namespace ToApis.Completion;

/// <summary>
/// Completes -Model from the models this key may use (GET /v1/models, cached per session), falling back to
/// the documented catalogue when there is no session or the service does not answer at once: a Tab never
/// waits more than <see cref="LookupBudget"/>, and a service that failed is not asked again for a while.
/// </summary>
public sealed class ModelCompleter : IArgumentCompleter
{
    internal static readonly TimeSpan LookupBudget = TimeSpan.FromSeconds(0.8);

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(ModelIds(), wordToComplete, id => ModelCatalog.Find(id) is { } info
            ? $"{id}: {(info.MaxReferenceImages is { } max ? $"up to {max}" : "any number of")} reference image(s); sizes {string.Join(", ", info.Sizes)}"
            : id);

    private static IEnumerable<string> ModelIds() =>
        SessionStore.Find().Session?.ImageModels.Get(LookupBudget) is { Count: > 0 } live ? live : ModelCatalog.Documented.Select(m => m.Id);
}

/// <summary>Completes -Size with the ratios documented for the -Model already typed (or the default model).</summary>
public sealed class SizeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var model = fakeBoundParameters["Model"] as string ?? ModelCatalog.DefaultModel;
        var sizes = ModelCatalog.Find(model)?.Sizes ?? ModelCatalog.Documented.SelectMany(m => m.Sizes).Distinct();
        return Completions.Matching(sizes, wordToComplete, size => $"{size} ({model})");
    }
}

internal static class Completions
{
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> values, string wordToComplete, Func<string, string> tooltip)
    {
        var typed = wordToComplete.Trim('\'', '"');
        return values
            .Where(value => value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(value => new CompletionResult(value, value, CompletionResultType.ParameterValue, tooltip(value)));
    }
}
