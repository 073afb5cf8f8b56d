using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// The client-side limits of one account (API key at one service), shared by every session and runspace
/// of the process that uses the same key, since the server counts them together.
/// </summary>
internal sealed class AccountRateLimiter
{
    private static readonly Dictionary<string, AccountRateLimiter> ByAccount = new();

    private readonly string _account;
    private int _users;

    private CategoryLimiter? _submit;
    private CategoryLimiter? _query;

    private AccountRateLimiter(string account, RateLimitSettings settings)
    {
        _account = account;
        Apply(settings);
    }

    public RateLimitSettings Settings { get; private set; } = new(null, null);

    /// <summary>
    /// The limiter for this key at this service. Settings the user chose (<paramref name="chosen"/>, from
    /// Connect-ToApis) replace earlier ones; defaults (a session from environment variables) never
    /// overwrite what another runspace chose or learned from the server.
    /// </summary>
    /// <remarks>Each call is one more user of the limiter; <see cref="Release"/> it when the connection is disposed.</remarks>
    public static AccountRateLimiter Acquire(Uri baseUri, string apiKey, RateLimitSettings settings, bool chosen)
    {
        var account = AccountKey(baseUri, apiKey);
        lock (ByAccount)
        {
            if (!ByAccount.TryGetValue(account, out var limiter))
            {
                limiter = new AccountRateLimiter(account, settings);
                ByAccount[account] = limiter;
            }
            else if (chosen && limiter.Settings != settings)
            {
                limiter.Apply(settings);
            }

            limiter._users++;
            return limiter;
        }
    }

    /// <summary>One user fewer; the last one stops the buckets' timers and forgets the account.</summary>
    public static void Release(AccountRateLimiter limiter)
    {
        lock (ByAccount)
        {
            if (--limiter._users > 0)
            {
                return;
            }

            ByAccount.Remove(limiter._account);
        }

        limiter.Apply(new RateLimitSettings(null, null));
    }

    /// <summary>Waits for a token; a request queued on buckets that were replaced meanwhile queues on the new ones.</summary>
    public async Task AcquireAsync(RequestCategory category, CancellationToken cancellationToken)
    {
        while (Limiter(category) is { } limiter)
        {
            if (await limiter.TryAcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>The server answered 429 with Retry-After: every request of the category waits.</summary>
    public void PauseFor(RequestCategory category, TimeSpan delay) => Limiter(category)?.PauseFor(delay);

    /// <summary>
    /// The server reports a smaller per-second limit than configured (say the account is not the tier the
    /// user chose): follow the server. Larger figures are ignored; their meaning (per second, per burst or
    /// per minute) is not documented, and a higher tier is the user's to choose.
    /// </summary>
    public bool AdaptTo(RequestCategory category, int serverLimit)
    {
        var current = Limiter(category);
        if (current is null || serverLimit <= 0 || serverLimit >= current.Limits.PerSecond)
        {
            return false;
        }

        var adapted = CategoryLimits.FromPerSecond(serverLimit);
        Apply(category == RequestCategory.Submit ? Settings with { Submit = adapted } : Settings with { Query = adapted });
        return true;
    }

    private CategoryLimiter? Limiter(RequestCategory category) => category == RequestCategory.Submit ? _submit : _query;

    private void Apply(RateLimitSettings settings)
    {
        lock (this)
        {
            Settings = settings;
            _submit = Replace(_submit, settings.Submit);
            _query = Replace(_query, settings.Query);
        }
    }

    private static CategoryLimiter? Replace(CategoryLimiter? current, CategoryLimits? limits)
    {
        if (current?.Limits == limits)
        {
            return current;
        }

        // The old buckets' timers stop; requests queued on them move to the new buckets (see AcquireAsync).
        current?.Dispose();
        return limits is null ? null : new CategoryLimiter(limits);
    }

    /// <summary>Accounts are told apart by a hash: the key itself is never used as a dictionary key.</summary>
    private static string AccountKey(Uri baseUri, string apiKey)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(apiKey));
        return baseUri.GetLeftPart(UriPartial.Authority) + "|" + Convert.ToBase64String(hash);
    }
}
