using System.Collections.Generic;
using System.Linq;
using ToApis.Models;

namespace ToApis.Binding;

/// <summary>The two ways a task reaches a cmdlet: an object from an earlier cmdlet, or a bare id.</summary>
internal static class TaskInput
{
    public const string IdSet = "Id";
    public const string TaskSet = "Task";

    /// <summary>Tasks to act on; ids become placeholder tasks with an empty (unknown) status.</summary>
    public static IEnumerable<ToApisTask> From(string[] ids, ToApisTask[] tasks) =>
        tasks.Concat(ids.Select(id => new ToApisTask { Id = id.Trim() }));

    public static bool HasKnownStatus(ToApisTask task) => task.Status.Length > 0;
}
