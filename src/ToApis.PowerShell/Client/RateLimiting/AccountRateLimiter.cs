using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// The client-side limits of one account (API key at one service), shared by every session and runspace
/// of the process that uses the same key, since the server counts them together.
/// </summary>
public sealed class AccountRateLimiter
{
    private static readonly ConcurrentDictionary<string, AccountRateLimiter> ByAccount = new();

    private CategoryLimiter? _submit;
    private CategoryLimiter? _query;

    private AccountRateLimiter(RateLimitSettings settings) => Apply(settings);

    public RateLimitSettings Settings { get; private set; } = new(null, null);

    /// <summary>
    /// The limiter for this key at this service. Settings the user chose (<paramref name="chosen"/>, from
    /// Connect-ToApis) replace earlier ones; defaults (a session from environment variables) never
    /// overwrite what another runspace chose or learned from the server.
    /// </summary>
    public static AccountRateLimiter For(Uri baseUri, string apiKey, RateLimitSettings settings, bool chosen)
    {
        var account = AccountKey(baseUri, apiKey);
        var created = false;
        var limiter = ByAccount.GetOrAdd(account, _ =>
        {
            created = true;
            return new AccountRateLimiter(settings);
        });
        if (chosen && !created && limiter.Settings != settings)
        {
            limiter.Apply(settings);
        }

        return limiter;
    }

    public Task AcquireAsync(RequestCategory category, CancellationToken cancellationToken) =>
        Limiter(category)?.AcquireAsync(cancellationToken) ?? Task.CompletedTask;

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

        // Requests already waiting on the old buckets finish there; new ones use the new buckets.
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
