# Loads the build of ToApis that fits this PowerShell.
# PowerShell 7+: the net8.0 build, inside the module's own assembly load context (see
#   src/ToApis.LoadContext), so its dependencies never clash with other modules' versions.
# Windows PowerShell 5.1: the netstandard2.0 build; its dependencies load from beside it.

if ($PSEdition -eq 'Core') {
    $binFolder = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0')
    if (-not ('ToApis.LoadContext.ModuleLoadContext' -as [type])) {
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($binFolder, 'ToApis.LoadContext.dll'))
    }
    $cmdletAssembly = [ToApis.LoadContext.ModuleLoadContext]::Initialize()
    Import-Module -Assembly $cmdletAssembly
}
else {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'netstandard2.0', 'ToApis.PowerShell.dll'))
}
