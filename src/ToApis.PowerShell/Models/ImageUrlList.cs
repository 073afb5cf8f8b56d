using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace ToApis.Models;

/// <summary>
/// A task's result URLs: a read-only list that scripts index and count like an array, and whose text is the
/// URLs separated by spaces, so Export-Csv and string expansion write the URLs themselves, not "System.String[]".
/// </summary>
public sealed class ImageUrlList : ReadOnlyCollection<string>
{
    public static readonly ImageUrlList None = new(Array.Empty<string>());

    public ImageUrlList(IEnumerable<string> urls)
        : base(urls.ToList())
    {
    }

    /// <summary>Any list of URLs, e.g. the object[] a script builds with @('…'): each item as text.</summary>
    public ImageUrlList(System.Collections.IEnumerable urls)
        : base(urls.Cast<object?>().Select(url => Convert.ToString(url, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList())
    {
    }

    /// <summary>As on an array, for scripts and code written against string[].</summary>
    public int Length => Count;

    public static implicit operator ImageUrlList(string[] urls) => new(urls);

    public override string ToString() => string.Join(" ", this);
}
