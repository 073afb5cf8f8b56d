using System;
using System.IO;

namespace ToApis.Client;

/// <summary>
/// The one rule for where the module keeps what outlives a command (learned paces, run-key locks):
/// <c>$env:TOAPIS_STATE_DIR</c> when set, else <c>ToApis</c> in the user's local application data.
/// </summary>
internal static class StateFolder
{
    public const string Variable = "TOAPIS_STATE_DIR";

    /// <summary>The folder, or null in a sandbox with neither the variable nor a profile.</summary>
    public static string? Find()
    {
        var chosen = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(chosen))
        {
            return chosen;
        }

        var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return string.IsNullOrEmpty(appData) ? null : Path.Combine(appData, "ToApis");
    }
}
