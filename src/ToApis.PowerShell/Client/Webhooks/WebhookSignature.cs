using System;
using System.Collections.Generic;
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
    private const int Sha256Length = 32;
    private const string Version1Prefix = "v1=";

    public static byte[] Compute(byte[] secretKey, string eventId, string timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(eventId + "." + timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        Buffer.BlockCopy(prefix, 0, signed, 0, prefix.Length);
        Buffer.BlockCopy(body, 0, signed, prefix.Length, body.Length);
        using var hmac = new HMACSHA256(secretKey);
        return hmac.ComputeHash(signed);
    }

    /// <summary>
    /// The signatures in the header: each <c>v1=</c> value of a comma-separated list (two during the 24 h after a
    /// secret rotation), and, as the docs' own samples accept, a bare value without the prefix. Other versions are ignored.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string header)
    {
        var candidates = new List<string>();
        foreach (var part in header.Split(','))
        {
            var entry = part.Trim();
            if (entry.StartsWith(Version1Prefix, StringComparison.OrdinalIgnoreCase))
            {
                candidates.Add(entry.Substring(Version1Prefix.Length).Trim());
            }
            else if (entry.Length > 0 && entry.IndexOf('=') < 0)
            {
                candidates.Add(entry);
            }
        }

        return candidates;
    }

    /// <summary>Whether the hex <paramref name="candidate"/> is <paramref name="expected"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(byte[] expected, string candidate) =>
        TryDecodeHex(candidate, out var received) && FixedTimeEquals(expected, received);

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

    private static bool TryDecodeHex(string hex, out byte[] bytes)
    {
        bytes = new byte[Sha256Length];
        if (hex.Length != Sha256Length * 2)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var high = HexValue(hex[2 * i]);
            var low = HexValue(hex[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
