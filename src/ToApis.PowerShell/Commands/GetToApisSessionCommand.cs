using System.Management.Automation;
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
        // Not terminating: "is there a session?" is this command's question, and no session is an answer a script can test.
        var (session, refusal) = SessionStore.Find();
        if (refusal is not null)
        {
            WriteError(refusal);
            return;
        }

        WriteObject(session);
    }
}
