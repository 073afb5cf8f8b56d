using System.Collections.Concurrent;

namespace ToApis.Emulator.Tasks;

internal sealed class TaskStore
{
    private readonly ConcurrentDictionary<string, EmulatedTask> tasksById = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string UserId, string ClientBusinessId), EmulatedTask> latestByClientBusinessId = new();

    public ICollection<EmulatedTask> All => tasksById.Values;

    public void Add(EmulatedTask task)
    {
        tasksById[task.Id] = task;
        if (task.ClientBusinessId is { } clientBusinessId)
        {
            // No server-side dedupe (contract U7): a reused client_business_id finds the latest task.
            latestByClientBusinessId.AddOrUpdate(
                (task.UserId, clientBusinessId),
                task,
                (_, existing) => task.CreatedAt >= existing.CreatedAt ? task : existing);
        }
    }

    /// <summary>Finds a task by its ID or client_business_id, only among the user's own tasks.</summary>
    public EmulatedTask? FindForUser(string userId, string idOrClientBusinessId, bool byClientBusinessId = true)
    {
        if (tasksById.TryGetValue(idOrClientBusinessId, out var task) && task.UserId == userId)
        {
            return task;
        }

        return byClientBusinessId ? latestByClientBusinessId.GetValueOrDefault((userId, idOrClientBusinessId)) : null;
    }

    /// <summary>For the public files host, where no user is known.</summary>
    public EmulatedTask? FindById(string id) => tasksById.GetValueOrDefault(id);
}
