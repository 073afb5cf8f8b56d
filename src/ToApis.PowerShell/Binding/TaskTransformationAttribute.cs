using System;
using System.Management.Automation;

namespace ToApis.Binding;

/// <summary>
/// On a ToApisTask parameter: also accepts tasks that went through Start-Job, Import-Clixml or Export-Csv /
/// Import-Csv, and any object with a task id or image URLs (see <see cref="TaskConversion"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TaskTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => TaskConversion.Transform(inputData);
}
