using System;
using System.Linq;
using System.Management.Automation;
using ToApis.Session;

namespace ToApis.Binding;

/// <summary>
/// On -Session: a session that went through Start-Job, Invoke-Command or remoting arrives as a property bag
/// (Deserialized.ToApis.Session.ToApisSession) that no binding can turn back into a session. It is let through
/// as a marked stand-in, so the command can stop with advice that works instead of a type-conversion error.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SessionTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly string DeserializedTypeName = "Deserialized." + typeof(ToApisSession).FullName;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        inputData is PSObject { BaseObject: not ToApisSession } copy && copy.TypeNames.Contains(DeserializedTypeName, StringComparer.OrdinalIgnoreCase)
            ? ToApisSession.CopyFromAnotherProcess(copy.ToString())
            : inputData;
}
