using System.Management.Automation;
using ToApis.Client;
using ToApis.Errors;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Shows the session this runspace's cmdlets would use now: the one Connect-ToApis stored, else the one built
/// from $env:TOAPIS_API_KEY. Never the key itself.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ToApisSession")]
[OutputType(typeof(ToApisSession))]
public sealed class GetToApisSessionCommand : ToApisCmdletBase
{
    protected override void EndProcessing()
    {
        ToApisSession? session;
        try
        {
            session = SessionStore.Connected ?? SessionStore.FromEnvironment();
        }
        catch (ToApisValidationException invalid)
        {
            WriteError(ErrorRecords.InvalidBaseUri(invalid, System.Environment.GetEnvironmentVariable(SessionStore.BaseUrlVariable)));
            return;
        }

        if (session is null)
        {
            // Not terminating: "is there a session?" is this command's question, and no session is an answer a script can test.
            WriteError(ErrorRecords.NoSession(SessionStore.ConnectedInAnyRunspace));
            return;
        }

        WriteObject(session);
    }
}
