using System;
using System.Management.Automation;
using System.Threading;
using ToApis.Client;
using ToApis.Commands;

namespace ToApis.Pipeline;

/// <summary>
/// The command's streams, seen from the core. Whatever keeps it after the command ended (the account's pacer
/// reports pace changes to the last command that used it) keeps only this shell: detached, it writes nowhere
/// and no longer holds the command, its pipeline and what they gathered.
/// </summary>
internal sealed class MailboxRequestLog(ToApisCmdletBase cmdlet) : IRequestLog
{
    private ToApisCmdletBase? _cmdlet = cmdlet;

    /// <summary>-Debug given, or $DebugPreference asking for debug records: only then is each HTTP exchange described.</summary>
    public bool IsDebugEnabled { get; } = cmdlet.MyInvocation.BoundParameters.TryGetValue("Debug", out var debug)
        ? debug is SwitchParameter { IsPresent: true } or true
        : LanguagePrimitives.TryConvertTo<ActionPreference>(cmdlet.GetVariableValue("DebugPreference"), out var preference)
            && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    public void Verbose(string message) => Post(cmdlet => cmdlet.WriteVerbose(message));

    public void Warning(string message) => Post(cmdlet => cmdlet.WriteWarning(message));

    public void Debug(string message)
    {
        if (IsDebugEnabled)
        {
            Post(cmdlet => cmdlet.WriteDebug(message));
        }
    }

    public void Detach() => Volatile.Write(ref _cmdlet, null);

    private void Post(Action<ToApisCmdletBase> write)
    {
        if (Volatile.Read(ref _cmdlet) is { } cmdlet)
        {
            cmdlet.Mailbox.Post(() => write(cmdlet));
        }
    }
}
