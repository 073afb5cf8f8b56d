using System.Management.Automation;
using ToApis.Binding;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>Reads the current state of tasks by id, client_business_id or task object.</summary>
[Cmdlet(VerbsCommon.Get, "ToApisTask", DefaultParameterSetName = TaskInput.TaskSet)]
[OutputType(typeof(ToApisTask))]
public sealed class GetToApisTaskCommand : ToApisCmdletBase, ISessionParameter
{
    /// <summary>Task ids, or the client_business_id values they were submitted with.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TaskInput.IdSet)]
    [Alias("TaskId", "task_id")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = System.Array.Empty<string>();

    /// <summary>
    /// Tasks from New-ToApisImage or Wait-ToApisTask, or as they come back from Receive-Job, Import-Clixml or
    /// Import-Csv; the refreshed task keeps their prompt and input row.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TaskInput.TaskSet)]
    [ValidateNotNull]
    [TaskTransformation]
    public ToApisTask[] Task { get; set; } = System.Array.Empty<ToApisTask>();

    private int _received;

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var requested in TaskInput.From(Id, Task))
        {
            _received++;
            Attempt(
                () => WriteObject(TaskOutput.ToPSObject(Await(Client.GetTaskAsync(requested.Id, CancelToken)).WithLocalContextFrom(requested))),
                TaskInput.HasKnownStatus(requested) ? requested : requested.Id,
                new InputRow(requested.RowNumber ?? _received, requested));
        }
    }
}
