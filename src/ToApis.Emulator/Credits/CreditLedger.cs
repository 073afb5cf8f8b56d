namespace ToApis.Emulator.Credits;

internal readonly record struct CreditBalance(decimal? RemainingCredits, decimal UsedCredits);

/// <summary>
/// Per-user credits. Cost is pre-deducted per image at submit (contract §1 <c>n</c>); a failed task is refunded
/// once it has failed (contract §6), which the ledger knows in advance because outcomes are planned at submit.
/// The budget is read from <see cref="EmulatorOptions.Credits"/> on every call, so tests may change it at run time.
/// </summary>
internal sealed class CreditLedger(EmulatorOptions options, EmulatorClock clock)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Account> accounts = new(StringComparer.Ordinal);

    /// <summary>Charges <paramref name="cost"/> unless it exceeds what remains.</summary>
    /// <param name="refundAt">When the task fails, for tasks planned to fail.</param>
    public bool TryCharge(string userId, decimal cost, DateTimeOffset? refundAt)
    {
        var now = clock.UtcNow;
        lock (gate)
        {
            var account = AccountOf(userId);
            if (options.Credits is { } budget && account.UsedAt(now) + cost > budget)
            {
                return false;
            }

            account.Charged += cost;
            if (refundAt is { } refundTime)
            {
                account.Refunds.Add((refundTime, cost));
            }

            return true;
        }
    }

    public CreditBalance BalanceOf(string userId)
    {
        var now = clock.UtcNow;
        lock (gate)
        {
            var used = AccountOf(userId).UsedAt(now);
            return new CreditBalance(options.Credits is { } budget ? Math.Max(0, budget - used) : null, used);
        }
    }

    private Account AccountOf(string userId)
    {
        if (!accounts.TryGetValue(userId, out var account))
        {
            account = new Account();
            accounts[userId] = account;
        }

        return account;
    }

    private sealed class Account
    {
        public decimal Charged { get; set; }

        public List<(DateTimeOffset At, decimal Amount)> Refunds { get; } = [];

        public decimal UsedAt(DateTimeOffset now) =>
            Charged - Refunds.Where(refund => refund.At <= now).Sum(refund => refund.Amount);
    }
}
