using System.Globalization;

namespace ToApis.Models;

/// <summary>
/// What the API key spent while a journaled run lasted: its balance read when each invocation of the run began
/// and ended. The key's balance is the key's, not the run's: other scripts or people using the same key in that
/// time are counted too.
/// </summary>
public sealed class ToApisRunCost
{
    /// <summary>Credits the key used between the readings (refunds of failed tasks that came in meanwhile subtracted).</summary>
    public decimal CreditsUsed { get; set; }

    /// <summary>The same in the account's currency (US dollars), where the service says it.</summary>
    public decimal? MoneyUsed { get; set; }

    /// <summary>Credits the key had left at the last reading; empty for a key without a limit.</summary>
    public decimal? CreditsLeft { get; set; }

    /// <summary>Credits per image made in the measured part of the run: what the next run's rows will likely cost.</summary>
    public decimal? CreditsPerImage { get; set; }

    /// <summary>
    /// False when an invocation of the run has no closing reading (it is still running, or it was killed): what it
    /// spent is not in <see cref="CreditsUsed"/>.
    /// </summary>
    public bool Complete { get; set; } = true;

    /// <summary>"170 credits ($0.85) used by the key during the run, any other use of the key included".</summary>
    public override string ToString()
    {
        var money = MoneyUsed is { } spent ? $" (${spent.ToString("0.00##", CultureInfo.InvariantCulture)})" : "";
        return $"{Number(CreditsUsed)} credits{money} used by the key during the run" +
            ", any other use of the key included" +
            (Complete ? "" : " (an invocation without its closing balance reading, still running or killed, is not counted)");
    }

    internal static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
