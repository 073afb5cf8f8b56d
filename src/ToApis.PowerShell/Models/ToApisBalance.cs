namespace ToApis.Models;

/// <summary>The quota of the API key (Scope Token) or of the whole account (Scope User).</summary>
public sealed class ToApisBalance
{
    public string Scope { get; set; } = "Token";

    public decimal? RemainBalance { get; set; }

    public decimal? UsedBalance { get; set; }

    public decimal? RemainCredits { get; set; }

    public decimal? UsedCredits { get; set; }

    public decimal? CreditsPerUsd { get; set; }

    public bool UnlimitedQuota { get; set; }
}
