namespace ToApis.Client;

/// <summary>Where the client reports what it does (-Verbose, -Debug). Never given the API key.</summary>
internal interface IRequestLog
{
    void Verbose(string message);

    void Warning(string message);

    /// <summary>True when -Debug is on: describing every HTTP exchange costs, so the client asks first.</summary>
    bool IsDebugEnabled { get; }

    /// <summary>One HTTP exchange in full (headers and bodies, the key masked), for -Debug.</summary>
    void Debug(string message);
}

internal sealed class NullRequestLog : IRequestLog
{
    public static readonly NullRequestLog Instance = new();

    public bool IsDebugEnabled => false;

    public void Verbose(string message) { }

    public void Warning(string message) { }

    public void Debug(string message) { }
}
