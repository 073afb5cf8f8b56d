namespace ToApis.Client;

/// <summary>Where the client reports what it does (for -Verbose). Never given the API key.</summary>
internal interface IRequestLog
{
    void Verbose(string message);

    void Warning(string message);
}

internal sealed class NullRequestLog : IRequestLog
{
    public static readonly NullRequestLog Instance = new();

    public void Verbose(string message) { }

    public void Warning(string message) { }
}
