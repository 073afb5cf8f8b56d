using System.Management.Automation;
using Xunit;

namespace ToApis.Tests.Infrastructure;

internal static class ErrorAssert
{
    /// <summary>Asserts the parts of an error record a script relies on: id, category, advice.</summary>
    public static ErrorRecord Is(ErrorRecord error, string errorId, ErrorCategory category)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction), "no RecommendedAction on " + error.FullyQualifiedErrorId);
        return error;
    }

    /// <summary>A terminating error as a script sees it: the record caught by try/catch.</summary>
    public static ErrorRecord Caught(ScriptResult result) =>
        Assert.Single(result.OutputOf<ErrorRecord>());

    public static object? Target(ErrorRecord error) =>
        error.TargetObject is PSObject wrapped ? wrapped.BaseObject : error.TargetObject;
}
