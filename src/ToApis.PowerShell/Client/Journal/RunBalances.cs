using System;
using System.Collections.Generic;
using System.Linq;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>
/// The key's balance as each invocation of a run read it when it began and ended, and the tasks it paid for
/// between: what the run cost. Runs of one journal never overlap (it is locked), so an end closes the latest start.
/// </summary>
internal sealed class RunBalances
{
    private readonly List<BalanceSpan> _spans = new();
    private BalanceSpan? _open;

    public void Add(JournalRecord record)
    {
        if (record is { Event: JournalEvents.Balance, Balance: { } balance })
        {
            if (record.BalanceAt == BalanceReadings.Start)
            {
                _open = new BalanceSpan(balance);
                _spans.Add(_open);
            }
            else if (record.BalanceAt == BalanceReadings.End && _open is not null)
            {
                _open.End = balance;
                _open = null;
            }
        }
        else if (record is { Event: JournalEvents.Submitted, TaskId: { } submitted })
        {
            _open?.SubmittedTasks.Add(submitted);
        }
    }

    /// <summary>What the key spent while the invocations lasted; null when no invocation read both balances.</summary>
    /// <param name="imagesOf">Images a task made, as far as the journal knows.</param>
    public ToApisRunCost? Cost(Func<string, int> imagesOf)
    {
        var measured = _spans.Where(span => span.CreditsUsed() is not null).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        var credits = measured.Sum(span => span.CreditsUsed()!.Value);
        var money = measured.Select(span => span.MoneyUsed()).ToList();
        var images = measured.SelectMany(span => span.SubmittedTasks).Sum(imagesOf);
        var last = _spans[_spans.Count - 1];
        var lastReading = last.End ?? last.Start;
        return new ToApisRunCost
        {
            CreditsUsed = credits,
            MoneyUsed = money.All(spent => spent is not null) ? money.Sum() : null,
            CreditsLeft = lastReading.UnlimitedQuota ? null : lastReading.RemainCredits,
            CreditsPerImage = images > 0 ? credits / images : null,
            Complete = measured.Count == _spans.Count,
        };
    }

    /// <summary>One invocation of the run between its balance readings, and the tasks it paid for.</summary>
    private sealed class BalanceSpan(ToApisBalance start)
    {
        public ToApisBalance Start { get; } = start;

        public ToApisBalance? End { get; set; }

        public HashSet<string> SubmittedTasks { get; } = new(StringComparer.Ordinal);

        /// <summary>From the used credits where both readings have them, else from what remained.</summary>
        public decimal? CreditsUsed() =>
            End is not { } end ? null
            : Start.UsedCredits is { } usedBefore && end.UsedCredits is { } usedAfter ? usedAfter - usedBefore
            : !Start.UnlimitedQuota && Start.RemainCredits is { } before && end.RemainCredits is { } after ? before - after
            : null;

        public decimal? MoneyUsed() =>
            End is not { } end ? null
            : Start.UsedBalance is { } usedBefore && end.UsedBalance is { } usedAfter ? usedAfter - usedBefore
            : !Start.UnlimitedQuota && Start.RemainBalance is { } before && end.RemainBalance is { } after ? before - after
            : CreditsUsed() is { } credits && end.CreditsPerUsd is > 0 and { } perUsd ? credits / perUsd
            : null;
    }
}
