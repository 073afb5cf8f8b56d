using System;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Errors;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Base of the cmdlets that call the API: owns -Session and resolves it once per invocation
/// (explicit session, then Connect-ToApis, then $env:TOAPIS_API_KEY / $env:TOAPIS_BASE_URL).
/// </summary>
public abstract class ToApisApiCmdletBase : ToApisCmdletBase
{
    private ToApisClient? _client;

    /// <summary>Use this session instead of the one Connect-ToApis stored for this runspace.</summary>
    [Parameter]
    [ValidateNotNull]
    public ToApisSession? Session { get; set; }

    /// <summary>The session in use, resolved on first need; a missing key ends the command.</summary>
    protected ToApisSession ActiveSession => _session ??= OpenSession(ResolveSession());

    private ToApisSession? _session;

    /// <summary>The client for this invocation, reporting through this cmdlet's verbose stream.</summary>
    internal ToApisClient Client => _client ??= ActiveSession.Connection.CreateClient(RequestLog);

    private ToApisSession OpenSession(ToApisSession session)
    {
        if (session.IsClosed)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new PSInvalidOperationException($"The session to {session.BaseUri} was closed by Disconnect-ToApis."),
                "ToApis.SessionClosed", ErrorCategory.InvalidOperation, session,
                "Connect again with Connect-ToApis (-PassThru gives a new session for -Session)."));
        }

        return session;
    }

    private ToApisSession ResolveSession()
    {
        if (Session is not null)
        {
            return Session;
        }

        if (SessionStore.Connected is { } connected)
        {
            return connected;
        }

        ToApisSession? fromEnvironment = null;
        try
        {
            fromEnvironment = SessionStore.FromEnvironment();
        }
        catch (ToApisValidationException invalid)
        {
            ThrowTerminatingError(ErrorRecords.InvalidBaseUri(invalid, Environment.GetEnvironmentVariable(SessionStore.BaseUrlVariable)));
        }

        if (fromEnvironment is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new PSInvalidOperationException("No ToAPIs API key: nothing was connected and $env:TOAPIS_API_KEY is not set."),
                "ToApis.MissingApiKey", ErrorCategory.AuthenticationError, null,
                "Run Connect-ToApis -ApiKey (Read-Host -AsSecureString 'API key'), or set $env:TOAPIS_API_KEY to a key from https://toapis.com/console/token."));
        }

        return fromEnvironment!;
    }
}
