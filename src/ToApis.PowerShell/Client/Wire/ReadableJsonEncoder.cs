using System;
using System.Globalization;
using System.Text.Encodings.Web;

namespace ToApis.Client.Wire;

/// <summary>
/// Escapes only what JSON requires (quote, backslash, control characters) and characters that are not text
/// (lone surrogates), so files people read (sidecars, the journal) keep 日本語, café and emoji as they are.
/// The built-in encoders escape all of them: even UnsafeRelaxedJsonEscaping turns emoji into \uD83D\uDE00.
/// </summary>
internal sealed class ReadableJsonEncoder : JavaScriptEncoder
{
    public static readonly ReadableJsonEncoder Instance = new();

    private ReadableJsonEncoder()
    {
    }

    /// <summary>\uXXXX is the longest escape written for one UTF-16 unit.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar == '"' || unicodeScalar == '\\' || unicodeScalar is >= 0xD800 and <= 0xDFFF
        || unicodeScalar is 0x2028 or 0x2029 || unicodeScalar > 0x10FFFF;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++; // a whole pair is one readable character
                continue;
            }

            if (WillEncode(c))
            {
                return i;
            }
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var escape = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when WillEncode(unicodeScalar) && unicodeScalar <= 0xFFFF => "\\u" + unicodeScalar.ToString("X4", CultureInfo.InvariantCulture),
            _ when unicodeScalar > 0xFFFF => char.ConvertFromUtf32(unicodeScalar),
            _ => ((char)unicodeScalar).ToString(),
        };

        var fits = escape.AsSpan().TryCopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = fits ? escape.Length : 0;
        return fits;
    }
}
