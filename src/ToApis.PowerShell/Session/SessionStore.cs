using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ToApis.Client;

namespace ToApis.Session;

/// <summary>
/// Sessions per runspace: parallel runspaces (ForEach-Object -Parallel, runbook jobs) each keep their own,
/// and a runspace's state goes away with it. Never a process-wide static session.
/// </summary>
internal static class SessionStore
{
    public const string ApiKeyVariable = "TOAPIS_API_KEY";
    public const string BaseUrlVariable = "TOAPIS_BASE_URL";

    private static readonly ConditionalWeakTable<Runspace, RunspaceSessions> ByRunspace = new();

    private static RunspaceSessions Current => ByRunspace.GetValue(Runspace.DefaultRunspace, _ => new RunspaceSessions());

    public static ToApisSession? Connected => Current.Connected;

    public static void Connect(ToApisSession session) => Current.Connected = session;

    public static bool Disconnect()
    {
        var state = Current;
        var had = state.Connected is not null;
        state.Connected = null;
        return had;
    }

    /// <summary>
    /// The session to use when none was given or connected: built from the environment, reused while the
    /// environment says the same, or null when no key is set.
    /// </summary>
    public static ToApisSession? FromEnvironment()
    {
        var key = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        var baseUrl = Environment.GetEnvironmentVariable(BaseUrlVariable);
        var state = Current;
        lock (state)
        {
            if (state.FromEnvironment is { } cached && cached.Key == key && cached.BaseUrl == baseUrl)
            {
                return cached.Session;
            }

            var settings = new ToApisConnectionSettings
            {
                BaseUri = string.IsNullOrWhiteSpace(baseUrl)
                    ? ToApisConnectionSettings.DefaultBaseUri
                    : ToApisConnectionSettings.NormalizeBaseUri(baseUrl!),
            };
            var session = new ToApisSession(new ToApisConnection(settings, key!), "environment");
            state.FromEnvironment = new EnvironmentSession(key!, baseUrl, session);
            return session;
        }
    }

    private sealed class RunspaceSessions
    {
        public ToApisSession? Connected { get; set; }

        public EnvironmentSession? FromEnvironment { get; set; }
    }

    private sealed record EnvironmentSession(string Key, string? BaseUrl, ToApisSession Session);
}
