# Loads the build of ToApis that fits this PowerShell.
# PowerShell 7.4+: the net8.0 build, inside the module's own assembly load context (see
#   src/ToApis.LoadContext), so its dependencies never clash with other modules' versions.
# Windows PowerShell 5.1: the netstandard2.0 build. .NET Framework binds strong-named assemblies by exact
#   version and the module's dependencies disagree on versions (Polly.Core wants Microsoft.Bcl.TimeProvider
#   8.0.0.0, 8.0.0.1 ships), so ToApis.Initializer.dll, which needs nothing but PowerShell, is imported
#   first: it installs an AssemblyResolve handler that answers from bin/netstandard2.0 by simple name when
#   the copy there is the same or newer, before any type that needs a dependency loads (see
#   src/ToApis.Initializer). Removing the module removes the handler.

if ($PSEdition -eq 'Core') {
    if ($PSVersionTable.PSVersion -lt [version]'7.4') {
        throw "ToApis needs PowerShell 7.4 or later, or Windows PowerShell 5.1; this is PowerShell $($PSVersionTable.PSVersion)."
    }

    $binFolder = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0')
    $isReload = [bool]('ToApis.LoadContext.ModuleLoadContext' -as [type])
    if (-not $isReload) {
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($binFolder, 'ToApis.LoadContext.dll'))
    }

    $cmdletAssembly = [ToApis.LoadContext.ModuleLoadContext]::Initialize()
    $inner = Import-Module -Assembly $cmdletAssembly -PassThru
    if ($isReload -and $inner) {
        # Import-Module -Force reuses the cached assembly module without exporting its cmdlets again
        # (https://github.com/PowerShell/PowerShell/issues/20710): export them to this module by hand.
        $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
            'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
        foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
            $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
        }
    }
}
else {
    $binFolder = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'netstandard2.0')
    Import-Module ([System.IO.Path]::Combine($binFolder, 'ToApis.Initializer.dll'))
    Import-Module ([System.IO.Path]::Combine($binFolder, 'ToApis.PowerShell.dll'))
}
