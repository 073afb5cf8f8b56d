using System.Collections.Generic;
using ToApis.Models;

namespace ToApis.Binding;

/// <summary>The two ways a task reaches a cmdlet: an object from an earlier cmdlet, or a bare id.</summary>
internal static class TaskInput
{
    public const string IdSet = "Id";
    public const string TaskSet = "Task";

    /// <summary>Tasks to act on; ids become placeholder tasks with an empty (unknown) status.</summary>
    public static IEnumerable<ToApisTask> From(string[] ids, ToApisTask[] tasks)
    {
        foreach (var task in tasks)
        {
            yield return task;
        }

        foreach (var id in ids)
        {
            yield return new ToApisTask { Id = id.Trim() };
        }
    }

    public static bool HasKnownStatus(ToApisTask task) => task.Status.Length > 0;
}
