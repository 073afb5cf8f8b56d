using System.Management.Automation;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>Forgets this runspace's session; later commands fall back to the environment variables.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ToApis")]
[OutputType(typeof(void))]
public sealed class DisconnectToApisCommand : ToApisCmdletBase
{
    protected override void EndProcessing()
    {
        WriteVerbose(SessionStore.Disconnect()
            ? "Disconnected from ToAPIs."
            : "No ToAPIs session was connected in this runspace.");
    }
}
