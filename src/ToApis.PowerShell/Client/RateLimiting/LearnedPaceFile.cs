using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using ToApis.Client.Files;
using ToApis.Client.Wire;

namespace ToApis.Client.RateLimiting;

/// <summary>The paces a run settled on for one account, and when.</summary>
internal sealed record LearnedPace(double? Submit, double? Query, DateTimeOffset Updated)
{
    public double? For(RequestCategory category) => category == RequestCategory.Submit ? Submit : Query;
}

/// <summary>
/// Remembers per account the pace a run settled on, so the next run starts there instead of at the documented
/// default: one small JSON file in the user's local application data (or <c>$env:TOAPIS_STATE_DIR</c>), with
/// accounts told apart by a SHA-256 of the base URI and the key, never the key itself. Writes go to a temporary
/// file renamed over the old one while holding a lock file, so processes that share the file never read half of
/// it or drop each other's accounts. Best effort throughout: a file that cannot be read or written means only
/// that the next run starts at the documented default.
/// </summary>
internal sealed class LearnedPaceFile(string path)
{
    public const string FileName = "learned-rate-limits.json";

    /// <summary>An account not seen for this long may have changed tier: start from the documented default.</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromDays(30);

    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LockRetryInterval = TimeSpan.FromMilliseconds(25);
    private const int MaxAccounts = 200;

    private static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Path => path;

    /// <summary>The file of this user (or of <c>$env:TOAPIS_STATE_DIR</c>), or null where there is no such folder.</summary>
    public static LearnedPaceFile? ForCurrentUser() =>
        StateFolder.Find() is { } folder ? new LearnedPaceFile(System.IO.Path.Combine(folder, FileName)) : null;

    /// <summary>The account's entry name: SHA-256 of the service root and the key, in hex.</summary>
    public static string AccountId(Uri baseUri, string apiKey)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(baseUri.GetLeftPart(UriPartial.Authority) + "\n" + apiKey));
        return BitConverter.ToString(hash).Replace("-", "").ToLowerInvariant();
    }

    /// <summary>What a run found for the account, unless it is older than a month at <paramref name="now"/>.</summary>
    public LearnedPace? Read(string accountId, DateTimeOffset now)
    {
        try
        {
            return ReadAll().TryGetValue(accountId, out var pace) && now - pace.Updated < Forget ? pace : null;
        }
        catch (Exception error) when (IsFileProblem(error))
        {
            return null;
        }
    }

    /// <summary>Records what this run learned; a category it learned nothing about keeps the file's figure.</summary>
    /// <returns>Null when written, else why not (for -Verbose).</returns>
    public string? Write(string accountId, LearnedPace learned)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using var held = TakeLock();
            if (held is null)
            {
                return $"another process held {Path} for {LockPatience.TotalSeconds:0} s";
            }

            var accounts = ReadAll();
            accounts.TryGetValue(accountId, out var earlier);
            accounts[accountId] = new LearnedPace(learned.Submit ?? earlier?.Submit, learned.Query ?? earlier?.Query, learned.Updated);
            var bytes = Serialize(accounts);
            AtomicFile.Write(Path, stream => stream.Write(bytes, 0, bytes.Length));

            return null;
        }
        catch (Exception error) when (IsFileProblem(error))
        {
            return error.Message;
        }
    }

    private FileStream? TakeLock() =>
        FileLock.WaitAsync(() => FileLock.TryOpenExclusive(Path + ".lock"), LockPatience, () => LockRetryInterval, TimeProvider.System, CancellationToken.None)
            .GetAwaiter().GetResult();

    private Dictionary<string, LearnedPace> ReadAll()
    {
        var accounts = new Dictionary<string, LearnedPace>(StringComparer.Ordinal);
        if (!File.Exists(Path))
        {
            return accounts;
        }

        using var document = Json.TryParse(File.ReadAllText(Path));
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("accounts", out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return accounts; // unreadable: start over rather than fail
        }

        foreach (var entry in entries.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Object
                && DateTimeOffset.TryParse(entry.Value.String("updated"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var updated))
            {
                accounts[entry.Name] = new LearnedPace(Rate(entry.Value, "submit"), Rate(entry.Value, "query"), updated);
            }
        }

        return accounts;
    }

    private static double? Rate(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0 ? value.GetDouble() : null;

    private static byte[] Serialize(Dictionary<string, LearnedPace> accounts) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        version = 1,
        accounts = accounts.OrderByDescending(a => a.Value.Updated).Take(MaxAccounts).ToDictionary(a => a.Key, a => new
        {
            submit = Rounded(a.Value.Submit),
            query = Rounded(a.Value.Query),
            updated = a.Value.Updated.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        }),
    }, FileFormat);

    private static double? Rounded(double? rate) => rate is { } value ? Math.Round(value, 3) : null;

    private static bool IsFileProblem(Exception error) =>
        error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException
            or ToApisFileException; // a link planted where it writes
}
