using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ToApis.Client;
using ToApis.Errors;

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

    /// <summary>
    /// Connect-ToApis ran in some runspace of this process: a runspace without a session then most likely is a
    /// ForEach-Object -Parallel block or a thread job whose script expected the caller's session.
    /// </summary>
    public static bool ConnectedInAnyRunspace { get; private set; }

    /// <summary>
    /// The session a command uses: <paramref name="given"/> (-Session), else Connect-ToApis's for this runspace,
    /// else one from $env:TOAPIS_API_KEY / $env:TOAPIS_BASE_URL; or, when none is usable, why not and what to do.
    /// </summary>
    public static (ToApisSession? Session, ErrorRecord? Refusal) Find(ToApisSession? given = null)
    {
        ToApisSession? session;
        try
        {
            session = given ?? Connected ?? FromEnvironment();
        }
        catch (ToApisValidationException invalid)
        {
            return (null, ErrorRecords.InvalidBaseUri(invalid, Environment.GetEnvironmentVariable(BaseUrlVariable)));
        }

        return session switch
        {
            null => (null, ErrorRecords.NoSession(ConnectedInAnyRunspace)),
            { CopyDescription: not null } => (null, ErrorRecords.SessionNotTransferable(session)),
            { IsClosed: true } => (null, ErrorRecords.SessionClosed(session, session.BaseUri)),
            _ => (session, null),
        };
    }

    /// <summary>
    /// Makes <paramref name="session"/> this runspace's. A session it replaces stays usable (a script may hold
    /// it for -Session) until Disconnect-ToApis or the module's removal disposes it.
    /// </summary>
    public static void Connect(ToApisSession session)
    {
        var state = Current;
        lock (state)
        {
            state.Connected = session;
            state.Owned.Add(session);
        }

        ConnectedInAnyRunspace = true;
    }

    /// <summary>Forgets and disposes this runspace's connected session; false when there was none.</summary>
    public static bool Disconnect()
    {
        var state = Current;
        ToApisSession? connected;
        lock (state)
        {
            connected = state.Connected;
            state.Connected = null;
            if (connected is not null)
            {
                state.Owned.Remove(connected);
            }
        }

        connected?.Close();
        return connected is not null;
    }

    /// <summary>The module is being removed from this runspace: dispose every session it made here.</summary>
    public static void DisposeRunspaceSessions()
    {
        var state = Current;
        ToApisSession[] owned;
        lock (state)
        {
            owned = state.Owned.ToArray();
            state.Owned.Clear();
            state.Connected = null;
            state.FromEnvironment = null;
        }

        foreach (var session in owned)
        {
            session.Close();
        }
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
            var session = new ToApisSession(
                new ToApisConnection(settings, key!), "environment", "RateTier Default (a session from the environment)", "not checked (a session from the environment)");
            state.FromEnvironment = new EnvironmentSession(key!, baseUrl, session);
            state.Owned.Add(session);
            return session;
        }
    }

    private sealed class RunspaceSessions
    {
        public ToApisSession? Connected { get; set; }

        public EnvironmentSession? FromEnvironment { get; set; }

        /// <summary>Every session made in this runspace and not yet disposed.</summary>
        public List<ToApisSession> Owned { get; } = [];
    }

    private sealed record EnvironmentSession(string Key, string? BaseUrl, ToApisSession Session);
}
