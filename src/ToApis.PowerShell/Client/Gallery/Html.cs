using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ToApis.Client.Gallery;

/// <summary>Text and links made safe for an HTML page built from CSV values.</summary>
internal static class Html
{
    /// <summary>
    /// Escapes text for element content and for double- or single-quoted attribute values: a CSV prompt such as
    /// &lt;script&gt; shows as text and never runs. Control characters other than tab and line breaks are dropped.
    /// </summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var encoded = new StringBuilder(text!.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': encoded.Append("&amp;"); break;
                case '<': encoded.Append("&lt;"); break;
                case '>': encoded.Append("&gt;"); break;
                case '"': encoded.Append("&quot;"); break;
                case '\'': encoded.Append("&#39;"); break;
                case '\t' or '\n' or '\r': encoded.Append(c); break;
                case var control when char.IsControl(control): break;
                default: encoded.Append(c); break;
            }
        }

        return encoded.ToString();
    }

    /// <summary>
    /// A link from a page in <paramref name="pageFolder"/> to <paramref name="file"/> that works opened from disk:
    /// relative (../ where needed), each segment percent-encoded; a file on another drive gets a file:/// URL.
    /// </summary>
    public static string RelativeLink(string pageFolder, string file)
    {
        var ignoreCase = Path.DirectorySeparatorChar == '\\';
        var from = Segments(Path.GetFullPath(pageFolder));
        var to = Segments(Path.GetFullPath(file));
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var common = 0;
        while (common < from.Count && common < to.Count - 1 && string.Equals(from[common], to[common], comparison))
        {
            common++;
        }

        if (common == 0)
        {
            return "file:///" + string.Join("/", to.Where(s => s.Length > 0).Select(EscapeSegment));
        }

        return string.Concat(Enumerable.Repeat("../", from.Count - common)) + string.Join("/", to.Skip(common).Select(EscapeSegment));
    }

    private static List<string> Segments(string fullPath) =>
        fullPath.Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.None)
            .Where((segment, index) => index == 0 || segment.Length > 0)
            .ToList();

    /// <summary>A drive such as C: stays as it is; everything else is percent-encoded.</summary>
    private static string EscapeSegment(string segment) =>
        segment.Length == 2 && segment[1] == ':' && char.IsLetter(segment[0]) ? segment : Uri.EscapeDataString(segment);
}
