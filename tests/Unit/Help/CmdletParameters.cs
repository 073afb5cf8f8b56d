using System.Management.Automation;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>A cmdlet's parameters as the engine sees them, less what help does not document.</summary>
internal static class CmdletParameters
{
    /// <summary>
    /// Every parameter a user can see: not the common parameters (-Verbose, -ErrorAction, ...), which help covers
    /// with one CommonParameters entry, and not DontShow ones (New-ToApisImage -InputObject), which platyPS leaves
    /// out with -ExcludeDontShow. -WhatIf and -Confirm are documented.
    /// </summary>
    public static IReadOnlyList<ParameterMetadata> Public(PowerShellHost shell, string cmdlet) =>
        Command(shell, cmdlet).Parameters.Values
            .Where(p => !Cmdlet.CommonParameters.Contains(p.Name))
            .Where(p => !p.Attributes.OfType<ParameterAttribute>().Any(a => a.DontShow))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();

    public static CmdletInfo Command(PowerShellHost shell, string cmdlet)
    {
        var result = shell.Run("param($Name) Get-Command -Name $Name -CommandType Cmdlet", new System.Collections.Hashtable { ["Name"] = cmdlet });
        Assert.Empty(result.Errors);
        return Assert.IsType<CmdletInfo>(Assert.Single(result.Output).BaseObject);
    }
}
