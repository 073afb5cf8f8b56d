using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace ToApis.Client.Webhooks;

/// <summary>
/// The documented signature (contract §6): HMAC-SHA256, keyed by the secret's UTF-8 bytes, over
/// <c>event_id + "." + timestamp + "." + raw body</c>, as hex in <c>X-ToAPIs-Webhook-Signature: v1=&lt;hex&gt;[,v1=&lt;hex&gt;]</c>.
/// </summary>
internal static class WebhookSignature
{
    private const string Version1Prefix = "v1=";

    public static byte[] Compute(byte[] secretKey, string eventId, string timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(eventId + "." + timestamp + ".");
        using var hmac = new HMACSHA256(secretKey);
        hmac.TransformBlock(prefix, 0, prefix.Length, null, 0);
        hmac.TransformFinalBlock(body, 0, body.Length);
        return hmac.Hash!;
    }

    /// <summary>
    /// The signatures in the header: each <c>v1=</c> value of a comma-separated list (two during the 24 h after a
    /// secret rotation), and, as the docs' own samples accept, a bare value without the prefix. Other versions are ignored.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string header) =>
        header.Split(',')
            .Select(part => part.Trim())
            .Select(entry => entry.StartsWith(Version1Prefix, StringComparison.OrdinalIgnoreCase) ? entry.Substring(Version1Prefix.Length).Trim()
                : entry.Length > 0 && entry.IndexOf('=') < 0 ? entry
                : null)
            .OfType<string>()
            .ToList();

    /// <summary>Whether the hex candidate (either case) is <paramref name="expected"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(byte[] expected, string candidate) =>
        FixedTimeEquals(
            Encoding.UTF8.GetBytes(BitConverter.ToString(expected).Replace("-", "").ToLowerInvariant()),
            Encoding.UTF8.GetBytes(candidate.ToLowerInvariant()));

    /// <summary>
    /// Compares every byte whatever the first difference (netstandard2.0 has no CryptographicOperations.FixedTimeEquals),
    /// so the time taken tells an attacker nothing about how much of a forged signature was right.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool FixedTimeEquals(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < left.Length; i++)
        {
            difference |= left[i] ^ right[i];
        }

        return difference == 0;
    }
}
