# Loads the build of ToApis that fits this PowerShell.
# PowerShell 7.4+: the net8.0 build, inside the module's own assembly load context (see
#   src/ToApis.LoadContext), so its dependencies never clash with other modules' versions.
# Windows PowerShell 5.1: the netstandard2.0 build; its dependencies load from beside it.

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
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'netstandard2.0', 'ToApis.PowerShell.dll'))
}
