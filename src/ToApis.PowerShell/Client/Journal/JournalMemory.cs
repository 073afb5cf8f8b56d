using System;
using System.Collections.Generic;
using System.IO;

namespace ToApis.Client.Journal;

/// <summary>
/// What a journal's lines prove, for a rerun: the task of each client_business_id (any line naming both proves it
/// exists), the files saved, and the submits an earlier run sent without learning the outcome. Thread-safe.
/// </summary>
internal sealed class JournalMemory
{
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _taskIdByBusinessId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _savedFileByImage = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unresolvedByEarlierRuns = new(StringComparer.Ordinal);
    private (string ClientBusinessId, string TaskId)? _knownTask;

    /// <summary>The task an earlier run created for this client_business_id, if the journal saw one.</summary>
    public string? TaskIdFor(string clientBusinessId)
    {
        lock (_gate)
        {
            return _taskIdByBusinessId.TryGetValue(clientBusinessId, out var id) ? id : null;
        }
    }

    /// <summary>The file an earlier run saved for this task image, if it is still there.</summary>
    public string? SavedFileFor(string taskId, int imageIndex)
    {
        lock (_gate)
        {
            return _savedFileByImage.TryGetValue($"{taskId}|{imageIndex}", out var file) && File.Exists(file) ? file : null;
        }
    }

    /// <summary>
    /// An earlier run sent a submit with this client_business_id and never learned whether it created a task
    /// (it was stopped or killed with the submit unanswered, or the lookups failed).
    /// </summary>
    public bool WasLeftUnresolved(string clientBusinessId)
    {
        lock (_gate)
        {
            return _unresolvedByEarlierRuns.Contains(clientBusinessId);
        }
    }

    /// <summary>A task an earlier run created, with its client_business_id: lets a rerun ask the service whether it can look ids up.</summary>
    public (string ClientBusinessId, string TaskId)? KnownTask
    {
        get
        {
            lock (_gate)
            {
                return _knownTask;
            }
        }
    }

    public void Remember(JournalLine entry, bool loadedFromEarlierRun)
    {
        lock (_gate)
        {
            RememberLocked(entry, loadedFromEarlierRun);
        }
    }

    private void RememberLocked(JournalLine entry, bool loadedFromEarlierRun)
    {
        var businessId = entry.ClientBusinessId;
        // Any line that names both proves the task exists (submitted, reused, completed, saved, …): a journal cut
        // short by a log rotation still finds every task whose later lines survived, and nothing is paid twice.
        if (businessId is not null && entry.TaskId is { Length: > 0 } createdTaskId)
        {
            _taskIdByBusinessId[businessId] = createdTaskId;
            _knownTask ??= (businessId, createdTaskId);
        }

        if (entry.Event == JournalEvents.Saved && entry.File is not null && entry.TaskId is { } savedTaskId && entry.ImageIndex is { } index)
        {
            _savedFileByImage[$"{savedTaskId}|{index}"] = entry.File;
        }

        if (businessId is null)
        {
            return;
        }

        if (entry.Event is JournalEvents.Submitting or JournalEvents.Unknown)
        {
            // This run's own unanswered submits are the engine's to report, not a rerun's question.
            if (loadedFromEarlierRun)
            {
                _unresolvedByEarlierRuns.Add(businessId);
            }
        }
        else
        {
            _unresolvedByEarlierRuns.Remove(businessId); // a task was seen, or the submit provably made none
        }
    }
}
