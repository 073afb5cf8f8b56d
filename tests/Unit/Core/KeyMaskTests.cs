using System.Text;
using ToApis.Client;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The key is hidden in every form a server might echo it in; text without it is left exactly as it was.</summary>
public sealed class KeyMaskTests
{
    private const string Key = "sk-Live_Key/with+odd=chars-0123456789";

    private static readonly KeyMask Mask = new(Key, "\u20266789");

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string UrlSafe(string base64) => base64.Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static string EveryCharacterEncoded(string text, string format) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => "%" + b.ToString(format)));

    public static TheoryData<string, string> Echoes() => new()
    {
        { "exact", Key },
        { "upper case", Key.ToUpperInvariant() },
        { "lower case", Key.ToLowerInvariant() },
        { "URL-encoded", Uri.EscapeDataString(Key) },
        { "URL-encoded, lower-case hex", Uri.EscapeDataString(Key).Replace("%2F", "%2f").Replace("%2B", "%2b").Replace("%3D", "%3d") },
        { "every character %XX", EveryCharacterEncoded(Key, "X2") },
        { "every character %xx", EveryCharacterEncoded(Key, "x2") },
        { "JSON \\u escapes", string.Concat(Key.Select(c => $"\\u{(int)c:x4}")) },
        { "base64", Base64(Key) },
        { "base64 unpadded", Base64(Key).TrimEnd('=') },
        { "base64 URL-safe", UrlSafe(Base64(Key)) },
        { "base64 of Bearer key", Base64("Bearer " + Key) },
        { "base64 of user:key", Base64("user:" + Key) },
        { "base64 of key:", Base64(Key + ":") },
        { "base64 of api:key, URL-safe", UrlSafe(Base64("api:" + Key)) },
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public void Every_form_of_the_key_is_masked(string form, string echoed)
    {
        var shown = Mask.Apply($"upstream said: token {echoed} is not allowed");

        Assert.DoesNotContain(echoed, shown, StringComparison.Ordinal);
        Assert.Contains("***\u20266789", shown);
        Assert.StartsWith("upstream said: token ", shown);
        Assert.True(shown.EndsWith(" is not allowed", StringComparison.Ordinal) || form.StartsWith("base64", StringComparison.Ordinal), shown);
    }

    [Theory]
    [InlineData("tsk_img_01HZX3Q38PAV and https://files.example/a%20b.png?x=1")]
    [InlineData("dGhpcyBpcyBqdXN0IGJhc2U2NCBvZiBzb21ldGhpbmcgZWxzZQ==")]
    [InlineData("")]
    public void Text_without_the_key_is_left_exactly_as_it_was(string text) => Assert.Same(text, Mask.Apply(text));

    [Fact]
    public void A_short_key_is_masked_in_text_but_the_mask_is_never_given_data()
    {
        var shortKey = new KeyMask("38", "\u2026");

        Assert.Equal("id ***\u2026 and ***\u2026", shortKey.Apply("id 38 and %33%38"));
    }
}
