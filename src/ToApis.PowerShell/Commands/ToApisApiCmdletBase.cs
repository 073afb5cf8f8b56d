using System;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Errors;
using ToApis.Models;
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
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    /// <summary>The session in use, resolved on first need; a missing key ends the command.</summary>
    protected ToApisSession ActiveSession => _session ??= OpenSession(ResolveSession());

    private ToApisSession? _session;

    /// <summary>The client for this invocation, reporting through this cmdlet's verbose stream.</summary>
    internal ToApisClient Client => _client ??= ActiveSession.Connection.CreateClient(RequestLog);

    private ToApisSession OpenSession(ToApisSession session)
    {
        if (session.CopyDescription is not null)
        {
            ThrowTerminatingError(ErrorRecords.SessionNotTransferable(session));
        }

        if (session.IsClosed)
        {
            ThrowTerminatingError(ErrorRecords.SessionClosed(session, session.BaseUri));
        }

        return session;
    }

    /// <summary>
    /// Writes a task with its input row's columns as properties (see <see cref="TaskOutput"/>), as every cmdlet
    /// that emits tasks does.
    /// </summary>
    private protected void WriteTask(ToApisTask task) => WriteObject(TaskOutput.ToPSObject(task));

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
            ThrowTerminatingError(ErrorRecords.NoSession(SessionStore.ConnectedInAnyRunspace));
        }

        return fromEnvironment!;
    }
}
